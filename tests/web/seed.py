"""A clinic for the page tests and the browser test, written through the services on a
database built by the real migrations. Times follow the real clock: the app under test uses
it too (the in-use time of a vial and the expiry of a lot are measured from now)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import consent_data
from toxplan.credentials.passwords import hash_password
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.migrate import upgrade
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.roles import Role
from toxplan.services import clinics, consents, inventory, patients, treatments
from toxplan.services.schemas import Actor

PASSWORD = "a long test password"
ROLES = tuple(Role)
_HASH: list[str] = []


def password_hash() -> str:
    """One Argon2 hash for every seeded user: hashing is deliberately slow."""
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


def email(role: str) -> str:
    return f"{role.replace('_', '-')}@clinic.test"


@dataclass(frozen=True)
class Seeded:
    clinic_id: str
    actors: dict[str, Actor]
    patient_id: str
    lot_id: str
    lot_number: str
    reconstitution_id: str
    expired_lot_number: str
    expiring_lot_number: str


def migrated_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def seed(factory: sessionmaker[Session], kb: KnowledgeBase, *, now: dt.datetime) -> Seeded:
    today = now.date()
    with unit_of_work(factory) as session:
        clinic = clinics.create_clinic(session, "Web test clinic")
        actors = {}
        for role in ROLES:
            user = clinics.create_user(
                session,
                clinic.id,
                {"name": f"{role.replace('_', ' ').title()} Tester", "email": email(role), "role": role},
                password_hash=password_hash(),
            )
            actors[role] = Actor(clinic_id=clinic.id, user_id=user.id, role=role)  # type: ignore[arg-type]
        injector = actors["injector"]
        patient = patients.create_patient(
            session,
            injector,
            {
                "given_name": "Ana",
                "family_name": "Silva",
                "birth_date": "1986-03-14",
                "sex": "female",
                "weight_kg": 62,
                "conditions": ["hypothyroidism"],
                "medications": ["levothyroxine"],
            },
            today=today,
        )
        patients.add_screening(
            session,
            injector,
            patient.id,
            {"visit_on": today, "pregnant": False, "breastfeeding": False, "infection_at_site": False},
            today=today,
        )
        consents.sign_consent(
            session, injector, patient.id, consent_data(kb, signed_at=now - dt.timedelta(days=90)), kb=kb, now=now
        )
        numbers = {name: f"{name[:3].upper()}{uuid.uuid4().hex[:6].upper()}" for name in ("good", "old", "soon")}
        lot = inventory.add_lot(
            session,
            injector,
            {
                "product": "botox",
                "lot_number": numbers["good"],
                "expiry_date": today + dt.timedelta(days=300),
                "vial_units": 100,
                "vials_received": 10,
            },
            kb=kb,
        )
        for name, days in (("old", -5), ("soon", 12)):
            inventory.add_lot(
                session,
                injector,
                {
                    "product": "botox",
                    "lot_number": numbers[name],
                    "expiry_date": today + dt.timedelta(days=days),
                    "vial_units": 100,
                },
                kb=kb,
            )
        made = inventory.reconstitute(
            session,
            injector,
            {"lot_id": lot.id, "diluent_ml": Decimal("2.5"), "reconstituted_at": now - dt.timedelta(hours=1)},
            now=now,
        )
        return Seeded(clinic.id, actors, patient.id, lot.id, numbers["good"], made.id, numbers["old"], numbers["soon"])


GLABELLAR = ("procerus", "corrugator_medial_left", "corrugator_medial_right", "corrugator_lateral_left")


def record(
    factory: sessionmaker[Session],
    kb: KnowledgeBase,
    seeded: Seeded,
    *,
    now: dt.datetime,
    visit_at: dt.datetime | None = None,
    injections: list[dict[str, Any]] | None = None,
    role: str = "injector",
    overrides: list[dict[str, str]] | None = None,
    patient_id: str | None = None,
    lot_id: str | None = None,
) -> str:
    """Sign a treatment through the service (four glabellar points unless told otherwise)."""
    visit = visit_at or now
    data: dict[str, Any] = {
        "patient_id": patient_id or seeded.patient_id,
        "lot_id": lot_id or seeded.lot_id,
        "visit_at": visit,
        "injections": injections or [{"indication": "glabellar_lines", "site": s, "units": 4} for s in GLABELLAR],
        "overrides": overrides or [],
    }
    if lot_id is None and visit >= now - dt.timedelta(minutes=50):
        data["reconstitution_id"] = seeded.reconstitution_id
    else:
        data["diluent_ml"] = Decimal("2.5")
    with unit_of_work(factory) as session:
        return treatments.record_treatment(session, seeded.actors[role], data, kb=kb, now=now).treatment.id


def extra_lot(
    factory: sessionmaker[Session], kb: KnowledgeBase, seeded: Seeded, *, now: dt.datetime, vials: int
) -> str:
    """Another BOTOX lot with ``vials`` vials, for tests that sign many courses."""
    with unit_of_work(factory) as session:
        lot = inventory.add_lot(
            session,
            seeded.actors["injector"],
            {
                "product": "botox",
                "lot_number": f"XTR{uuid.uuid4().hex[:6].upper()}",
                "expiry_date": now.date() + dt.timedelta(days=300),
                "vial_units": 100,
                "vials_received": vials,
            },
            kb=kb,
        )
        return lot.id


def factory_for(url: str) -> sessionmaker[Session]:
    return session_factory(make_engine(url))
