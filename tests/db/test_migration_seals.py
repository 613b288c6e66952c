"""Records made before the hash chains are sealed by the migration: every chain links, every
treatment gets its content hash and a sealing event, every user its creation event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from tests.db.conftest import migrated_postgres_database
from tests.db.test_backup import populate
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.migrate import downgrade, upgrade
from toxplan.db.models import AuditEvent
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import integrity


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own: this test migrates down and up again."""
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'seal.db'}")
        upgrade(made)
        yield made
        made.dispose()
        return
    with migrated_postgres_database() as url:
        made = make_engine(url)
        yield made
        made.dispose()


def test_records_from_before_the_chains_are_sealed(fresh: Engine, kb: KnowledgeBase) -> None:
    factory = session_factory(fresh)
    setup = populate(factory, kb)
    downgrade(fresh, "h9a01")  # as the records stood before: no chains, no content hashes
    with fresh.connect() as connection:
        columns = {
            row[1] for row in connection.execute(text("SELECT * FROM audit_events LIMIT 0")).cursor.description or []
        }
    assert "hash" not in {c for c in columns if isinstance(c, str)}
    upgrade(fresh)
    with unit_of_work(factory) as session:
        report = integrity.verify_database(session)
        seals = session.scalars(select(AuditEvent).where(AuditEvent.entity == "treatment_seal")).all()
    assert report.ok, report.problems
    assert report.treatments == 2 and len(seals) == 2
    assert set(report.chains) >= {setup.clinic_id}
