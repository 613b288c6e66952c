"""Whatever the services store can be backed up and restored, on SQLite and PostgreSQL.

Hypothesis fills every free-text field a clinic types (names, contact details, problem lists,
screening answers, consent, lot number, notes, addendum, review, adverse event) with any
text: NUL bytes, any Unicode, lengths just under and over each limit. Each value is either
refused naming the field (InvalidInput) or stored; the clinic is then backed up, restored into
another database and backed up again, and the two backups must be equal.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import consent_data
from tests.db.conftest import NOW, TODAY, migrated_postgres_database
from toxplan import limits
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.errors import InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import backup, clinics, consents, inventory, outcomes, patients, treatments
from toxplan.services.schemas import Actor

Factory = sessionmaker[Session]
T = TypeVar("T")


def texts(limit: int) -> st.SearchStrategy[str]:
    """Short text of any kind, or text right at the limit (one under, at, one over)."""
    near = st.integers(limit - 1, limit + 1).flatmap(
        lambda n: st.text(st.characters(codec="utf-8"), min_size=n, max_size=n) if n > 0 else st.just("")
    )
    weird = st.sampled_from(["a\x00b", "\x00", " padded ", "Ünïcødé ✓ 中文 😀", "line\nbreak", "'; DROP TABLE x; --"])
    return st.one_of(st.text(max_size=40), weird, near)


FIELDS = {
    "given_name": texts(limits.NAME),
    "family_name": texts(limits.NAME),
    "phone": texts(limits.PHONE),
    "email": texts(limits.EMAIL),
    "condition": texts(limits.FACT),
    "medication": texts(limits.FACT),
    "allergy": texts(limits.FACT),
    "concern": texts(limits.NOTE),
    "signed_by": texts(limits.NAME),
    "form_version": texts(limits.FORM_VERSION),
    "lot_number": texts(limits.LOT_NUMBER),
    "treatment_note": texts(limits.NOTE),
    "injection_note": texts(limits.FACT),
    "addendum": texts(limits.ADDENDUM),
    "review_note": texts(limits.NOTE),
    "description": texts(limits.NOTE),
    "clinic_name": texts(limits.NAME),
}


def _sqlite(directory: Path, template: Path, name: str) -> Iterator[Factory]:
    path = directory / f"{name}-{uuid.uuid4().hex[:6]}.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[Factory, Factory]]:
    """A source and a target database; every example adds a new clinic to both."""
    if request.param == "sqlite":
        directory = tmp_path_factory.mktemp("fuzz")
        sources, targets = _sqlite(directory, sqlite_template, "source"), _sqlite(directory, sqlite_template, "target")
        yield next(sources), next(targets)
        for rest in (sources, targets):
            next(rest, None)
        return
    with migrated_postgres_database() as source_url, migrated_postgres_database() as target_url:
        source, target = make_engine(source_url), make_engine(target_url)
        yield session_factory(source), session_factory(target)
        source.dispose()
        target.dispose()


def attempt(factory: Factory, action: Callable[[Session], T]) -> T | None:
    """Run one service call in its own transaction: stored, or refused naming a field."""
    try:
        with unit_of_work(factory) as session:
            return action(session)
    except InvalidInput as exc:
        assert exc.field, exc
        return None


def fill_clinic(factory: Factory, kb: KnowledgeBase, v: dict[str, str]) -> str:
    clinic = attempt(factory, lambda s: clinics.create_clinic(s, v["clinic_name"])) or attempt(
        factory, lambda s: clinics.create_clinic(s, "Fallback clinic")
    )
    assert clinic is not None
    with unit_of_work(factory) as session:
        user = clinics.create_user(session, clinic.id, {"name": "Dr A", "email": "a@example.org", "role": "injector"})
    actor = Actor(clinic_id=clinic.id, user_id=user.id, role="injector")
    person = {"given_name": v["given_name"], "family_name": v["family_name"], "birth_date": "1986-03-14"}
    person |= {"sex": "female", "phone": v["phone"], "email": v["email"], "conditions": [v["condition"]]}
    person |= {"medications": [v["medication"]], "allergies": [v["allergy"]]}
    patient = attempt(factory, lambda s: patients.create_patient(s, actor, person, today=TODAY)) or attempt(
        factory,
        lambda s: patients.create_patient(
            s, actor, {"given_name": "A", "family_name": "B", "birth_date": "1986-03-14", "sex": "female"}, today=TODAY
        ),
    )
    assert patient is not None
    screening = {"visit_on": TODAY, "pregnant": False, "concern": v["concern"]}
    attempt(factory, lambda s: patients.add_screening(s, actor, patient.id, screening, today=TODAY))
    attempt(
        factory,
        lambda s: patients.add_consent(
            s, actor, patient.id, form_version=v["form_version"], signed_by=v["signed_by"], signed_at=NOW
        ),
    )
    form = {**consent_data(kb, areas=["glabellar_lines"], signed_at=NOW), "signed_by": v["signed_by"]}
    signed = attempt(factory, lambda s: consents.sign_consent(s, actor, patient.id, form, kb=kb, now=NOW))
    if signed is None:  # the fuzzed name was refused: a plain one, so the treatment can still be signed
        plain = consent_data(kb, areas=["glabellar_lines"], signed_at=NOW)
        attempt(factory, lambda s: consents.sign_consent(s, actor, patient.id, plain, kb=kb, now=NOW))
    lot_data = {"product": "botox", "expiry_date": "2027-06-30", "vial_units": 100}
    lot = attempt(factory, lambda s: inventory.add_lot(s, actor, {**lot_data, "lot_number": v["lot_number"]}, kb=kb))
    lot = lot or attempt(factory, lambda s: inventory.add_lot(s, actor, {**lot_data, "lot_number": "L-1"}, kb=kb))
    assert lot is not None
    shots = [{"indication": "glabellar_lines", "site": "procerus", "units": 4, "note": v["injection_note"]}]
    plan: dict[str, Any] = {"patient_id": patient.id, "lot_id": lot.id, "visit_at": NOW, "diluent_ml": Decimal("2.5")}
    done = attempt(
        factory,
        lambda s: treatments.record_treatment(
            s, actor, {**plan, "injections": shots, "note": v["treatment_note"]}, kb=kb, now=NOW
        ),
    )
    if done is None:
        plain = [{"indication": "glabellar_lines", "site": "procerus", "units": 4}]
        done = attempt(
            factory, lambda s: treatments.record_treatment(s, actor, {**plan, "injections": plain}, kb=kb, now=NOW)
        )
    assert done is not None
    attempt(factory, lambda s: treatments.add_addendum(s, actor, done.treatment.id, v["addendum"]))
    review = {"reviewed_on": TODAY, "fws_max": 1, "note": v["review_note"]}
    attempt(factory, lambda s: outcomes.record_follow_up(s, actor, done.follow_up.id, review, today=TODAY))
    event = {"treatment_id": done.treatment.id, "type": "bruising", "onset_on": TODAY, "severity": "mild"}
    event |= {"serious": False, "outcome": "recovered", "sites": ["procerus"], "description": v["description"]}
    attempt(factory, lambda s: outcomes.record_adverse_event(s, actor, event, today=TODAY + dt.timedelta(days=1)))
    return clinic.id


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(values=st.fixed_dictionaries(FIELDS))
def test_whatever_is_stored_survives_backup_and_restore(
    databases: tuple[Factory, Factory], kb: KnowledgeBase, values: dict[str, str]
) -> None:
    source, target = databases
    clinic_id = fill_clinic(source, kb, values)
    with unit_of_work(source) as session:
        written = json.loads(json.dumps(backup.export_clinic(session, clinic_id)))  # as on disk
    with unit_of_work(target) as session:
        assert backup.import_clinic(session, written) == clinic_id
    with unit_of_work(target) as session:
        again = json.loads(json.dumps(backup.export_clinic(session, clinic_id)))
    assert again == written
