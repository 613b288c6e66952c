"""A demo clinic for the export tests: seeded once per session through the real services on a
migrated SQLite file (and, for the tests that need it, on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import migrated_postgres_database
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.migrate import upgrade
from toxplan.db.models import User
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services.demo import seed_demo
from toxplan.services.schemas import Actor

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)
PATIENTS = 14
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@dataclass(frozen=True)
class Demo:
    factory: sessionmaker[Session]
    clinic_id: str
    actors: dict[str, Actor]
    url: str


def _seed(url: str, kb: KnowledgeBase) -> Demo:
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        summary = seed_demo(session, kb, today=TODAY, patients=PATIENTS)
    with unit_of_work(factory) as session:
        users = session.scalars(select(User).where(User.clinic_id == summary.clinic_id))
        actors = {u.role: Actor(clinic_id=u.clinic_id, user_id=u.id, role=u.role) for u in users}  # type: ignore[arg-type]
    return Demo(factory, summary.clinic_id, actors, url)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    made = _seed(f"sqlite:///{path}", kb)
    yield made
    made.factory.kw["bind"].dispose()


@pytest.fixture(scope="session")
def pg_demo(kb: KnowledgeBase) -> Iterator[Demo]:
    with migrated_postgres_database() as url:
        made = _seed(url, kb)
        yield made
        made.factory.kw["bind"].dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_demo(request: pytest.FixtureRequest) -> Demo:
    """The demo clinic on each database."""
    return request.getfixturevalue("demo" if request.param == "sqlite" else "pg_demo")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    from tests.conftest import KNOWLEDGE  # noqa: PLC0415
    from toxplan.knowledge.loader import load  # noqa: PLC0415

    return load(KNOWLEDGE)
