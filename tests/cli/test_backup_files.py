"""Backup files are readable by their owner only and may be encrypted with a passphrase;
`toxplan audit verify` checks the chains and signed treatments of a database."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from toxplan.cli.main import app

runner = CliRunner()
PASSPHRASE = "correct horse battery staple"


def run(monkeypatch: pytest.MonkeyPatch, database: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TOXPLAN_DATABASE_URL", f"sqlite:///{database}")
    return runner.invoke(app, list(args), input=stdin)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("seeded") / "clinic.db"
    with pytest.MonkeyPatch.context() as patch:
        assert run(patch, database, "db", "upgrade").exit_code == 0
        made = run(patch, database, "db", "seed-demo", "--patients", "4", "--seed", "5")
        assert made.exit_code == 0, made.output
    return database


def test_a_backup_is_readable_by_its_owner_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeded: Path) -> None:
    output = tmp_path / "clinic.json"
    output.write_text("old")
    output.chmod(0o644)
    done = run(monkeypatch, seeded, "backup", "--output", str(output))
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert json.loads(output.read_text())["format"] == "toxplan-backup"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".clinic.json.")]  # no temporary left


def test_an_encrypted_backup_restores_with_its_passphrase_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeded: Path
) -> None:
    output = tmp_path / "sealed.json"
    monkeypatch.setenv("TOXPLAN_BACKUP_PASSPHRASE", PASSPHRASE)
    done = run(monkeypatch, seeded, "backup", "--output", str(output), "--encrypt")
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    sealed = json.loads(output.read_text())
    assert sealed["format"] == "toxplan-backup-encrypted" and sealed["kdf"]["name"] == "scrypt"
    assert "@" not in output.read_text()  # no e-mail address, name or dose in clear

    target = tmp_path / "target.db"
    assert run(monkeypatch, target, "db", "upgrade").exit_code == 0
    monkeypatch.setenv("TOXPLAN_BACKUP_PASSPHRASE", "not the passphrase")
    wrong = run(monkeypatch, target, "restore", str(output))
    assert wrong.exit_code == 2 and "wrong passphrase" in wrong.stderr

    changed = tmp_path / "changed.json"
    token = sealed["ciphertext"]
    middle = len(token) // 2
    flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    changed.write_text(json.dumps({**sealed, "ciphertext": flipped}))
    monkeypatch.setenv("TOXPLAN_BACKUP_PASSPHRASE", PASSPHRASE)
    assert run(monkeypatch, target, "restore", str(changed)).exit_code == 2

    passphrase_file = tmp_path / "passphrase.txt"
    passphrase_file.write_text(PASSPHRASE + "\n")
    monkeypatch.delenv("TOXPLAN_BACKUP_PASSPHRASE")
    restored = run(monkeypatch, target, "restore", str(output), "--passphrase-file", str(passphrase_file))
    assert restored.exit_code == 0, restored.output


def test_a_short_passphrase_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeded: Path) -> None:
    output = tmp_path / "short.json"
    done = run(monkeypatch, seeded, "backup", "--output", str(output), "--encrypt", stdin="short\nshort\n")
    assert done.exit_code == 2 and "at least 12 characters" in done.stderr
    assert not output.exists()


def test_audit_verify_finds_a_changed_dose(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeded: Path) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(seeded.read_bytes())
    for suffix in ("-wal", "-shm"):  # the seeded database is closed: nothing is left in its log
        assert not os.path.exists(f"{seeded}{suffix}") or os.path.getsize(f"{seeded}{suffix}") == 0
    clean = run(monkeypatch, copy, "audit", "verify", "--format", "json")
    assert clean.exit_code == 0, clean.output
    report = json.loads(clean.stdout)
    assert report["ok"] and report["treatments"] > 0 and report["problems"] == []

    engine = create_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:  # someone with the file lifts the guard and edits a dose
        connection.execute(text("DROP TRIGGER treatment_injections_no_update"))
        connection.execute(text("UPDATE treatment_injections SET units = units * 10 WHERE seq = 0"))
    engine.dispose()
    tampered = run(monkeypatch, copy, "audit", "verify")
    assert tampered.exit_code == 1
    assert "PROBLEM treatment" in tampered.stdout and "NOT VERIFIED" in tampered.stdout
    refused = run(monkeypatch, copy, "backup", "--output", str(tmp_path / "no.json"))
    assert refused.exit_code == 2 and "do not verify" in refused.stderr
