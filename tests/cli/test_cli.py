"""The CLI contract other parts of ToxPlan and outside scripts rely on."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import GLABELLAR, ROOT, injections, request
from toxplan.cli.main import app

runner = CliRunner()
TOXPLAN = str(Path(sys.executable).parent / "toxplan")


def run(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin)


def check_json(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    result = run("check", "-", "--format", "json", stdin=json.dumps(data))
    return result.exit_code, json.loads(result.stdout)


def test_plan_json_has_the_contract_shape() -> None:
    result = run("plan", "--product", "BOTOX", "--indication", "glabellar_lines", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"injections", "totals", "knowledge_version"}
    first = data["injections"][0]
    assert set(first) >= {
        "site",
        "indication",
        "muscle",
        "units",
        "volume_ml",
        "syringe_units",
        "depth",
        "position",
    }
    assert set(first["position"]) == {"x_mm", "y_mm", "view"}
    assert data["totals"]["units"] == 20
    assert data["totals"]["volume_ml"] == 0.5
    assert data["totals"]["vials"] == 1
    assert first["volume_ml"] == 0.1 and first["syringe_units"] == 10


def test_plan_with_several_indications_and_a_dilution() -> None:
    result = run(
        "plan",
        "--product",
        "onabotulinumtoxina",
        "--indication",
        "glabellar_lines",
        "--indication",
        "forehead_lines",
        "--vial-units",
        "100",
        "--diluent-ml",
        "2",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["totals"]["units"] == 40
    assert data["totals"]["volume_ml"] == 0.8  # 5 U per 0.1 mL
    assert data["totals"]["by_indication"]["forehead_lines"]["units"] == 20


def test_plan_text_is_readable() -> None:
    result = run("plan", "--product", "dysport", "--indication", "glabellar_lines")
    assert result.exit_code == 0
    assert "Total: 50 U" in result.stdout


def test_plan_shows_label_status_and_evidence_per_indication() -> None:
    args = ("plan", "--product", "botox", "--indication", "glabellar_lines", "--indication", "masseter")
    text = run(*args).stdout
    assert "glabellar_lines: 20 U in 5 injections (on the US label, doses from label evidence)" in text
    assert "masseter: 48 U in 6 injections (OFF-LABEL for this product, doses from practice report evidence)" in text
    data = json.loads(run(*args, "--format", "json").stdout)
    rows = {row["id"]: row for row in data["indications"]}
    assert rows["glabellar_lines"] | {"citations": []} == {
        "id": "glabellar_lines",
        "name": "glabellar lines",
        "category": "aesthetic",
        "label_status": "on_label",
        "evidence": "label",
        "citations": [],
    }
    assert rows["glabellar_lines"]["citations"][0] == "botox_cosmetic_dosage_drugs_com"
    assert rows["masseter"]["label_status"] == "off_label" and rows["masseter"]["evidence"] == "practice_report"
    assert 1 <= len(rows["masseter"]["citations"]) <= 3


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--product", "nope", "--indication", "glabellar_lines"], "product"),
        (["--product", "botox", "--indication", "nose_job"], "indication"),
        (["--product", "botox", "--indication", "platysma_bands:9+9"], "indication"),
        (["--product", "botox", "--indication", "glabellar_lines", "--diluent-ml", "-1"], "diluent_ml"),
    ],
)
def test_plan_refuses_bad_input_naming_the_field(args: list[str], field: str) -> None:
    result = run("plan", *args)
    assert result.exit_code == 2
    assert f"error: {field}:" in result.stderr
    assert "Traceback" not in result.output


def test_check_clean_plan_exits_0() -> None:
    code, data = check_json(request())
    assert code == 0, data["findings"]
    assert set(data) >= {"findings", "injections", "totals", "knowledge_version"}
    assert not any(f["severity"] == "critical" for f in data["findings"])


def test_check_with_a_critical_finding_exits_1() -> None:
    history = [{"date": "2026-10-01", "product": "botox", "indication": "cervical_dystonia", "units": 390}]
    code, data = check_json(request(history=history))
    assert code == 1
    found = [f for f in data["findings"] if f["code"] == "CUMULATIVE_DOSE_ABOVE_MAX"]
    assert found and found[0]["severity"] == "critical" and found[0]["citations"]
    assert set(found[0]) == {"code", "severity", "message", "subject", "citations"}


def test_check_example_request_from_the_issue() -> None:
    result = run("check", str(ROOT / "examples" / "check-request.json"), "--format", "json")
    data = json.loads(result.stdout)
    codes = {f["code"] for f in data["findings"]}
    assert {"NEUROMUSCULAR_DISORDER", "DRUG_INTERACTION"} <= codes


def test_check_accepts_yaml(tmp_path: Path) -> None:
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump(request()))
    assert run("check", str(path)).exit_code == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r["treatment"]["injections"][0].__setitem__("units", -4), "treatment.injections[0].units"),
        (lambda r: r["treatment"].pop("product"), "treatment.product"),
        (lambda r: r["patient"].__setitem__("weight_kg", 0), "patient.weight_kg"),
        (
            lambda r: r["history"].append(
                {"date": "2027-01-01", "product": "botox", "indication": "glabellar_lines", "units": 20}
            ),
            "history[0].date",
        ),
        (lambda r: r.__setitem__("colour", "blue"), "colour"),
        (lambda r: r["treatment"]["injections"][0].pop("site"), "treatment.injections[0]"),
    ],
)
def test_invalid_request_exits_2_with_one_clear_message(change: Any, field: str) -> None:
    data = request()
    change(data)
    result = run("check", "-", stdin=json.dumps(data))
    assert result.exit_code == 2
    assert field in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_request_that_is_not_json_exits_2() -> None:
    result = run("check", "-", stdin="{not json")
    assert result.exit_code == 2 and "request" in result.stderr


def test_minimal_request_needs_only_product_and_injections() -> None:
    data = {"treatment": {"product": "botox", "injections": injections("glabellar_lines", GLABELLAR)}}
    code, out = check_json(data)
    assert code in (0, 1)
    assert any(f["code"] == "INPUT_MISSING" for f in out["findings"])


def test_kb_sites_and_landmarks_json_shapes() -> None:
    sites = json.loads(run("kb", "sites", "--format", "json").stdout)
    assert {"id", "indications", "muscle", "depth", "position"} <= set(sites[0])
    landmarks = json.loads(run("kb", "landmarks", "--format", "json").stdout)
    assert set(landmarks["glabella"]) == {"x_mm", "y_mm", "view"}
    only = json.loads(run("kb", "sites", "--indication", "glabellar_lines", "--format", "json").stdout)
    assert {s["id"] for s in only} == {site for site, _ in GLABELLAR}


@pytest.mark.parametrize("what", ["products", "indications", "interactions", "sources"])
def test_kb_listings(what: str) -> None:
    result = run("kb", what, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)
    assert run("kb", what).exit_code == 0


def test_kb_indications_for_a_product() -> None:
    data = json.loads(run("kb", "indications", "--product", "jeuveau", "--format", "json").stdout)
    assert [d["id"] for d in data if "prabotulinumtoxina" in d["on_label_products"]] == ["glabellar_lines"]


def test_kb_validate_passes_and_fails(tmp_path: Path) -> None:
    assert run("kb", "validate").exit_code == 0
    broken = run("kb", "validate", "--directory", str(tmp_path / "none"))
    assert broken.exit_code == 1 and "does not exist" in broken.stderr


def test_dilution_command() -> None:
    result = run("dilution", "--vial-units", "100", "--diluent-ml", "2.5", "--dose", "4", "--format", "json")
    data = json.loads(result.stdout)
    assert data["units_per_0_1_ml"] == 4
    assert data["doses"] == [{"units": 4, "volume_ml": 0.1, "syringe_units": 10.0}]


def test_installed_command_runs_and_help_documents_exit_codes() -> None:
    done = subprocess.run([TOXPLAN, "check", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "Exit status" in done.stdout


def test_a_local_reconstitution_time_uses_its_own_dates_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    """New York, 31 October 12:45 (EDT) to the end of 1 November (EST): the clock goes back an
    hour in between, so the vial is 36 h 14 min old, not 35 h 14 min."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        data = json.loads((ROOT / "examples" / "check-request.json").read_text())
        data["date"] = "2026-11-01"
        data["history"] = []
        data["patient"]["conditions"] = []
        data["patient"]["medications"] = []
        data["treatment"]["reconstituted_at"] = "2026-10-31T12:45:00"
        code, out = check_json(data)
        assert code == 1  # the expired vial is critical
        expired = [f for f in out["findings"] if f["code"] == "RECONSTITUTED_VIAL_EXPIRED"]
        assert expired and "36 h 14 min" in expired[0]["message"], out["findings"]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
