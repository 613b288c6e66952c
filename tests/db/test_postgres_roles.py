"""On PostgreSQL the application runs as a role that owns nothing: `toxplan db upgrade` migrates
as the owner (TOXPLAN_MIGRATION_DATABASE_URL) and grants the application's role
(TOXPLAN_DATABASE_URL) row access only. That role records treatments like any other, but
cannot truncate, change or delete the append-only tables, nor alter them or their triggers.

The roles and the database are created with unique names for this test and dropped after it:
other tests share the server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.db.conftest import NOW, PG_URL, make_clinic, postgres_unavailable, treatment_data
from toxplan.cli.main import app
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import backup, outcomes, treatments

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class Split:
    owner_url: str
    app_url: str
    app_role: str


@pytest.fixture
def split() -> Iterator[Split]:
    tag = uuid.uuid4().hex[:10]
    owner, application, database = f"toxplan_owner_{tag}", f"toxplan_app_{tag}", f"toxplan_roles_{tag}"
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
            connection.execute(text(f'CREATE ROLE "{application}" LOGIN'))
            connection.execute(text(f'CREATE DATABASE "{database}" OWNER "{owner}"'))
    except Exception as exc:
        postgres_unavailable(str(exc).splitlines()[0])
    base = make_url(PG_URL).set(database=database, password=None)
    try:
        yield Split(
            base.set(username=owner).render_as_string(hide_password=False),
            base.set(username=application).render_as_string(hide_password=False),
            application,
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{application}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
        admin.dispose()


def test_the_application_role_records_but_cannot_rewrite(
    split: Split, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOXPLAN_DATABASE_URL", split.app_url)
    monkeypatch.setenv("TOXPLAN_MIGRATION_DATABASE_URL", split.owner_url)
    upgraded = CliRunner().invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"application role {split.app_role}" in upgraded.stdout

    engine = make_engine(split.app_url)
    try:
        factory = session_factory(engine)
        setup = make_clinic(factory, kb)  # users, patient, screening, lot, vial: as the application
        with unit_of_work(factory) as session:
            done = treatments.record_treatment(session, setup.injector, treatment_data(setup), kb=kb, now=NOW)
            treatments.cosign(session, setup.director, done.treatment.id)
        review = {"reviewed_on": NOW.date(), "fws_max": 1}
        with unit_of_work(factory) as session:
            outcomes.record_follow_up(session, setup.injector, done.follow_up.id, review, today=NOW.date())
        with unit_of_work(factory) as session:
            assert backup.export_clinic(session, setup.clinic_id)["tables"]["treatments"]

        refused = {
            "TRUNCATE audit_events": "permission denied",
            "TRUNCATE treatments CASCADE": "permission denied",
            "DELETE FROM audit_events": "permission denied",
            "UPDATE treatment_injections SET units = 40": "permission denied",
            "UPDATE follow_up_reviews SET note = 'x'": "permission denied",
            "ALTER TABLE audit_events DISABLE TRIGGER USER": "must be owner",
            "DROP TRIGGER audit_events_append_only ON audit_events": "must be owner",
            "ALTER TABLE treatments DROP COLUMN content_hash": "must be owner",
            "CREATE TABLE sneaky (id int)": "permission denied",
            "UPDATE alembic_version SET version_num = 'x'": "permission denied",
        }
        for statement, reason in refused.items():
            with pytest.raises(Exception, match=reason), engine.begin() as connection:
                connection.execute(text(statement))
        verified = CliRunner().invoke(app, ["audit", "verify", "--clinic", setup.clinic_id])
        assert verified.exit_code == 0, verified.output
    finally:
        engine.dispose()


def test_without_a_split_one_role_migrates_and_runs_as_before(split: Split, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOXPLAN_DATABASE_URL", split.owner_url)
    monkeypatch.delenv("TOXPLAN_MIGRATION_DATABASE_URL", raising=False)
    upgraded = CliRunner().invoke(app, ["db", "upgrade"])  # no split configured: one role, as before
    assert upgraded.exit_code == 0, upgraded.output
    assert "application role" not in upgraded.stdout and "newest schema" in upgraded.stdout
