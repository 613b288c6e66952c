"""Databases for the record tests: every test runs on SQLite and on PostgreSQL.

Both are built by the real migrations. SQLite: a migrated template file copied per test.
PostgreSQL: one migrated database per test worker; tests stay apart because every record
belongs to the clinic the test creates. In CI (``CI=true``) a missing PostgreSQL server
fails the tests instead of skipping them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import KNOWLEDGE, consent_data
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.migrate import upgrade
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load
from toxplan.services import clinics, consents, inventory, patients
from toxplan.services.schemas import Actor

PG_URL = os.environ.get("TOXPLAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def postgres_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required in CI and is not available: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "toxplan.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@contextmanager
def migrated_postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped afterwards."""
    name = f"toxplan_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        postgres_unavailable(str(exc).splitlines()[0])
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The migrated PostgreSQL database of this test worker."""
    with migrated_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "toxplan.db"
        shutil.copy(sqlite_template, path)
        made = make_engine(f"sqlite:///{path}")
    else:
        made = make_engine(request.getfixturevalue("postgres_url"))
    yield made
    made.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load(KNOWLEDGE)


@dataclass(frozen=True)
class ClinicSetup:
    clinic_id: str
    injector: Actor
    director: Actor
    front_desk: Actor
    admin: Actor
    patient_id: str
    lot_id: str
    lot_number: str
    reconstitution_id: str


def make_clinic(factory: sessionmaker[Session], kb: KnowledgeBase, *, name: str = "Test clinic") -> ClinicSetup:
    with unit_of_work(factory) as session:
        clinic = clinics.create_clinic(session, name)
        actors = {}
        for role in ("injector", "medical_director", "front_desk", "admin"):
            user = clinics.create_user(
                session, clinic.id, {"name": f"{role} user", "email": f"{role}@example.org", "role": role}
            )
            actors[role] = Actor(clinic_id=clinic.id, user_id=user.id, role=role)  # type: ignore[arg-type]
        patient = patients.create_patient(
            session,
            actors["injector"],
            {
                "given_name": "Ana",
                "family_name": "Silva",
                "birth_date": "1986-03-14",
                "sex": "female",
                "weight_kg": 62,
                "conditions": ["hypothyroidism"],
                "medications": ["levothyroxine"],
                "allergies": ["penicillin"],
            },
            today=TODAY,
        )
        patients.add_screening(
            session,
            actors["injector"],
            patient.id,
            {"visit_on": TODAY, "pregnant": False, "breastfeeding": False, "infection_at_site": False},
            today=TODAY,
        )
        consents.sign_consent(
            session,
            actors["injector"],
            patient.id,
            consent_data(kb, signed_at=NOW - dt.timedelta(days=200)),  # covers visits back to then
            kb=kb,
            now=NOW,
        )
        lot_number = f"C{uuid.uuid4().hex[:6].upper()}"
        lot = inventory.add_lot(
            session,
            actors["injector"],
            {"product": "botox", "lot_number": lot_number, "expiry_date": "2027-06-30", "vial_units": 100},
            kb=kb,
        )
        made = inventory.reconstitute(
            session,
            actors["injector"],
            {"lot_id": lot.id, "diluent_ml": Decimal("2.5"), "reconstituted_at": NOW - dt.timedelta(hours=2)},
            now=NOW,
        )
        return ClinicSetup(
            clinic.id,
            actors["injector"],
            actors["medical_director"],
            actors["front_desk"],
            actors["admin"],
            patient.id,
            lot.id,
            lot_number,
            made.id,
        )


@pytest.fixture
def clinic(factory: sessionmaker[Session], kb: KnowledgeBase) -> ClinicSetup:
    return make_clinic(factory, kb)


GLABELLAR = [
    ("procerus", 4),
    ("corrugator_medial_left", 4),
    ("corrugator_medial_right", 4),
    ("corrugator_lateral_left", 4),
    ("corrugator_lateral_right", 4),
]


def treatment_data(
    setup: ClinicSetup,
    *,
    units: float = 4,
    visit_at: dt.datetime = NOW,
    indication: str = "glabellar_lines",
    sites: list[tuple[str, float]] | None = None,
    overrides: list[dict[str, str]] | None = None,
) -> dict[str, object]:
    """A treatment request; visits before the clinic's reconstituted vial use an unnamed vial."""
    chosen = sites or [(site, units) for site, _ in GLABELLAR]
    data: dict[str, object] = {
        "patient_id": setup.patient_id,
        "lot_id": setup.lot_id,
        "visit_at": visit_at,
        "injections": [{"indication": indication, "site": s, "units": u} for s, u in chosen],
        "overrides": overrides or [],
    }
    if visit_at >= NOW - dt.timedelta(hours=2):
        data["reconstitution_id"] = setup.reconstitution_id
    else:
        data["diluent_ml"] = Decimal("2.5")
    return data
