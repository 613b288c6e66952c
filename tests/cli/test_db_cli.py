"""The records commands: db upgrade, seed-demo, backup, restore, recall, user create."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toxplan.cli.main import app

runner = CliRunner()


def run(monkeypatch: pytest.MonkeyPatch, database: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TOXPLAN_DATABASE_URL", f"sqlite:///{database}")
    return runner.invoke(app, list(args), input=stdin)


def test_seed_backup_restore_round_trip_and_recall(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert run(monkeypatch, first, "db", "upgrade").exit_code == 0
    seeded = run(monkeypatch, first, "db", "seed-demo", "--patients", "6", "--seed", "3")
    assert seeded.exit_code == 0, seeded.output
    assert "6 patients" in seeded.stdout
    backup = tmp_path / "clinic.json"
    assert run(monkeypatch, first, "backup", "--output", str(backup)).exit_code == 0
    data = json.loads(backup.read_text())
    restored = run(monkeypatch, second, "db", "upgrade")
    assert restored.exit_code == 0
    assert run(monkeypatch, second, "restore", str(backup)).exit_code == 0
    again = tmp_path / "again.json"
    assert run(monkeypatch, second, "backup", "--output", str(again)).exit_code == 0
    assert json.loads(again.read_text()) == data  # lossless
    twice = run(monkeypatch, second, "restore", str(backup))
    assert twice.exit_code == 2 and "error:" in twice.stderr  # the clinic is there already
    lot = data["tables"]["lots"][0]["lot_number"]
    injector = next(u["email"] for u in data["tables"]["users"] if u["role"] == "injector")
    recall = run(monkeypatch, second, "recall", lot, "--user", injector, "--format", "json")
    assert recall.exit_code == 0, recall.output
    rows = json.loads(recall.stdout)
    assert all(r["lot_number"] == lot for r in rows)


def test_commands_on_a_database_that_is_not_ready_say_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    result = run(monkeypatch, tmp_path / "empty.db", "recall", "L1", "--user", "a@b.org")
    assert result.exit_code == 2
    assert "toxplan db upgrade" in result.stderr and "Traceback" not in result.output


def test_user_create_makes_a_first_admin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    database = tmp_path / "t.db"
    made = run(
        monkeypatch,
        database,
        "user",
        "create",
        "--email",
        "Admin@Example.org",
        "--name",
        "Ada Admin",
        "--role",
        "admin",
        "--new-clinic",
        "Our clinic",
        "--password-stdin",
        stdin="a long passphrase 1\n",
    )
    assert made.exit_code == 0, made.output
    short = run(
        monkeypatch,
        database,
        "user",
        "create",
        "--email",
        "b@example.org",
        "--name",
        "B",
        "--role",
        "admin",
        "--new-clinic",
        "Other",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.exit_code == 2 and "password" in short.stderr
    bad_role = run(
        monkeypatch,
        database,
        "user",
        "create",
        "--email",
        "c@example.org",
        "--name",
        "C",
        "--role",
        "wizard",
        "--new-clinic",
        "Third",
        "--password-stdin",
        stdin="a long passphrase 2\n",
    )
    assert bad_role.exit_code == 2 and "role" in bad_role.stderr
