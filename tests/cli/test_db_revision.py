"""``toxplan db revision``: a draft migration from the models, only on a database at the newest
revision. It writes into a copy of the migrations, never into the source tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from toxplan.cli.main import app
from toxplan.db import migrate

runner = CliRunner()


def newest_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    return str(ScriptDirectory.from_config(config).get_current_head())


@pytest.fixture
def migrations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A copy of the migrations that the commands use instead of the source tree's."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS", copy)
    return copy


def run(monkeypatch: pytest.MonkeyPatch, database: Path, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TOXPLAN_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.delenv("TOXPLAN_MIGRATION_DATABASE_URL", raising=False)
    return runner.invoke(app, list(args))


def test_a_revision_on_a_database_at_head_is_written_after_the_newest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrations: Path
) -> None:
    source_tree = sorted(p.name for p in (Path(migrate.__file__).parent / "migrations" / "versions").glob("*.py"))
    head = newest_revision()
    database = tmp_path / "clinic.db"
    assert run(monkeypatch, database, "db", "upgrade").exit_code == 0
    result = run(monkeypatch, database, "db", "revision", "Nothing new yet", "--rev-id", "t0001")
    assert result.exit_code == 0, result.output
    (written,) = (migrations / "versions").glob("*_t0001_nothing_new_yet.py")
    assert str(written) in result.stdout
    text = written.read_text()
    assert f"down_revision = {head!r}" in text
    assert "pass" in text  # the models and the migrations agree: nothing to draft
    written.unlink()
    after = sorted(p.name for p in (Path(migrate.__file__).parent / "migrations" / "versions").glob("*.py"))
    assert after == source_tree  # nothing was written into the source tree


def test_a_database_behind_the_newest_revision_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrations: Path
) -> None:
    result = run(monkeypatch, tmp_path / "empty.db", "db", "revision", "Too early")
    assert result.exit_code == 2
    assert "not at the newest revision" in result.stderr and "toxplan db upgrade" in result.stderr
    assert "Traceback" not in result.output
    assert not list((migrations / "versions").glob("*too_early.py"))


def test_a_taken_revision_id_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrations: Path) -> None:
    database = tmp_path / "clinic.db"
    assert run(monkeypatch, database, "db", "upgrade").exit_code == 0
    result = run(monkeypatch, database, "db", "revision", "Same id", "--rev-id", newest_revision())
    assert result.exit_code == 2
    assert "error:" in result.stderr and "Traceback" not in result.output
