"""toxplan report and toxplan export on a demo database: files written, JSON valid, clear errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from toxplan.cli.main import app

runner = CliRunner()


def test_reports_and_exports_from_the_command_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    monkeypatch.setenv("TOXPLAN_DATABASE_URL", f"sqlite:///{database}")
    assert runner.invoke(app, ["db", "seed-demo", "--patients", "4", "--seed", "5"]).exit_code == 0
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        treatment_id, patient_id = connection.execute(text("SELECT id, patient_id FROM treatments LIMIT 1")).one()
        user = connection.execute(text("SELECT email FROM users WHERE role = 'injector' LIMIT 1")).scalar_one()
        admin = connection.execute(text("SELECT email FROM users WHERE role = 'admin' LIMIT 1")).scalar_one()
    engine.dispose()
    phone = runner.invoke(app, ["clinic", "phone", "+44 20 7946 0000", "--user", admin])
    assert phone.exit_code == 0 and "+44 20 7946 0000" in phone.stdout, phone.output
    refused = runner.invoke(app, ["clinic", "phone", "123", "--user", user])
    assert refused.exit_code == 2 and "role" in refused.stderr
    for kind in ("treatment", "aftercare"):
        out = tmp_path / f"{kind}.pdf"
        made = runner.invoke(app, ["report", kind, treatment_id, "--output", str(out), "--user", user])
        assert made.exit_code == 0, made.output
        assert out.read_bytes().startswith(b"%PDF")
    fhir = runner.invoke(app, ["export", "fhir", "--patient", patient_id, "--user", user])
    assert fhir.exit_code == 0, fhir.output
    assert json.loads(fhir.stdout)["resourceType"] == "Bundle"
    out = tmp_path / "t.csv"
    made = runner.invoke(
        app,
        [
            "export",
            "csv",
            "treatments",
            "--from",
            "2020-01-01",
            "--to",
            "2029-12-31",
            "--output",
            str(out),
            "--user",
            user,
        ],
    )
    assert made.exit_code == 0, made.output
    assert list(csv.DictReader(io.StringIO(out.read_text())))
    wrong = runner.invoke(
        app, ["export", "csv", "photos", "--from", "2026-01-01", "--to", "2026-01-31", "--user", user]
    )
    assert wrong.exit_code == 2 and "kind" in wrong.stderr and "Traceback" not in wrong.output
    missing = runner.invoke(app, ["report", "treatment", "nope", "--output", str(tmp_path / "x.pdf"), "--user", user])
    assert missing.exit_code == 2 and "treatment_id" in missing.stderr
