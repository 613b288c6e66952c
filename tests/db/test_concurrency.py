"""Two injectors signing for the same patient at the same moment, on SQLite and PostgreSQL.

The cumulative-dose check reads the patient's stored history and then writes. If two
recordings could both read the history before either wrote, each would see 200 U, each
would pass a 150 U plan, and the patient would get 500 U against a 400 U maximum. The
recording path prevents this by serialising per patient (SQLite: BEGIN IMMEDIATE;
PostgreSQL: SELECT ... FOR UPDATE on the patient row). These tests race two threads
through the real services and check that exactly one plan is signed.

A probe times each attempt: when it sent its first statement (the one that waits for the
lock), when it began reading the history, and when it sent COMMIT. The race test asserts
that both attempts were in the database before either finished, and yet the second began
reading the history only after the first had sent its COMMIT.
The control test removes the serialisation and shows that the same race then signs both
plans, so the race test would fail if the protection were missing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import NOW, TODAY, ClinicSetup, treatment_data
from toxplan.db.engine import session_factory, unit_of_work
from toxplan.db.models import Treatment
from toxplan.db.repositories import patients as patient_repo
from toxplan.errors import Conflict
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import patients, treatments

ROUNDS = 8
"""Races per database: each on a fresh patient, so a pass by lucky timing is unlikely."""
HOLD = 0.02
"""Seconds each attempt waits after its check, before writing: widens the window in which
an unserialised second attempt would read the same history (it changes no result)."""
HISTORY = [  # 200 U BOTOX 20 days ago: 400 U allowed in 3 months, so 150 U fits once
    ("sternocleidomastoid_left", 50),
    ("splenius_capitis_left", 50),
    ("trapezius_upper_left", 50),
    ("sternocleidomastoid_right", 50),
]
PLAN = [  # 150 U: 200 + 150 = 350 U passes; 200 + 150 + 150 = 500 U must not
    ("splenius_capitis_right", 50),
    ("trapezius_upper_right", 50),
    ("sternocleidomastoid_left", 50),
]


@dataclass
class Attempt:
    """What one thread did, with perf_counter times (None: did not happen)."""

    began: float | None = None
    """The first statement of the transaction was about to be sent: BEGIN IMMEDIATE on
    SQLite, SELECT ... FOR UPDATE on PostgreSQL (the statements that wait for the lock)."""
    check_started: float | None = None
    """check_request began reading the patient's facts and history."""
    committed: float | None = None
    """The COMMIT was about to be sent."""
    ended: float | None = None
    outcome: object = None
    """The RecordedTreatment, or the exception raised."""


@dataclass
class Probe:
    """Timestamps per thread, collected from engine events and a wrapped check_request."""

    attempts: dict[int, Attempt] = field(default_factory=dict)
    rendezvous: threading.Barrier | None = None
    """If set, every attempt waits here after its check (the control test only)."""

    def mine(self) -> Attempt | None:
        return self.attempts.get(threading.get_ident())

    def on_statement(self, *_args: Any) -> None:
        attempt = self.mine()
        if attempt is not None and attempt.began is None:
            attempt.began = time.perf_counter()

    def on_commit(self, _connection: Any) -> None:
        attempt = self.mine()
        if attempt is not None:
            attempt.committed = time.perf_counter()

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def check_request(session: Session, **kwargs: Any) -> Any:
            attempt = self.mine()
            if attempt is not None:
                attempt.check_started = time.perf_counter()
            request = real(session, **kwargs)
            if attempt is not None:
                if self.rendezvous is not None:
                    self.rendezvous.wait()
                time.sleep(HOLD)
            return request

        return check_request


@pytest.fixture
def probe(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Probe]:
    found = Probe()
    event.listen(engine, "before_cursor_execute", found.on_statement)
    event.listen(engine, "commit", found.on_commit)
    monkeypatch.setattr(treatments, "check_request", found.wrap(treatments.check_request))
    yield found
    event.remove(engine, "before_cursor_execute", found.on_statement)
    event.remove(engine, "commit", found.on_commit)


def new_patient(factory: sessionmaker[Session], setup: ClinicSetup, name: str) -> ClinicSetup:
    """The clinic setup with a fresh patient, screened today, without treatments."""
    with unit_of_work(factory) as session:
        patient = patients.create_patient(
            session,
            setup.injector,
            {"given_name": name, "family_name": "Race", "birth_date": "1979-05-02", "sex": "female"},
            today=TODAY,
        )
        patients.add_screening(
            session,
            setup.injector,
            patient.id,
            {"visit_on": TODAY, "pregnant": False, "breastfeeding": False, "infection_at_site": False},
            today=TODAY,
        )
    return dataclasses.replace(setup, patient_id=patient.id)


def record_history(factory: sessionmaker[Session], kb: KnowledgeBase, setup: ClinicSetup) -> None:
    """200 U BOTOX 20 days ago, signed through the services like any other treatment."""
    earlier = NOW - dt.timedelta(days=20)
    data = treatment_data(setup, indication="cervical_dystonia", sites=HISTORY, visit_at=earlier)
    with unit_of_work(factory) as session:
        treatments.record_treatment(session, setup.injector, data, kb=kb, now=NOW)


def race(factory: sessionmaker[Session], kb: KnowledgeBase, setup: ClinicSetup, probe: Probe) -> list[Attempt]:
    """Two threads, each with its own session, released together, each recording PLAN."""
    probe.attempts.clear()
    start = threading.Barrier(2, timeout=10)
    data = treatment_data(setup, indication="cervical_dystonia", sites=PLAN)

    def attempt(mine: Attempt) -> None:
        probe.attempts[threading.get_ident()] = mine
        start.wait()
        try:
            with unit_of_work(factory) as session:
                mine.outcome = treatments.record_treatment(session, setup.injector, data, kb=kb, now=NOW)
        except BaseException as exc:  # kept and asserted on by the caller
            mine.outcome = exc
        mine.ended = time.perf_counter()

    attempts = [Attempt(), Attempt()]
    threads = [threading.Thread(target=attempt, args=(a,), name=f"injector-{n}") for n, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a recording hung"
    return attempts


def stored_units(factory: sessionmaker[Session], patient_id: str) -> tuple[int, Decimal]:
    """Treatments of the patient and their total units, read back from the database."""
    with unit_of_work(factory) as session:
        count, units = session.execute(
            select(func.count(), func.coalesce(func.sum(Treatment.total_units), 0)).where(
                Treatment.patient_id == patient_id
            )
        ).one()
    return int(count), Decimal(units)


def test_two_simultaneous_recordings_cannot_both_pass_the_cumulative_dose_check(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup, probe: Probe
) -> None:
    for n in range(ROUNDS):
        setup = new_patient(factory, clinic, f"Round{n}")
        record_history(factory, kb, setup)
        attempts = race(factory, kb, setup, probe)

        signed = [a for a in attempts if isinstance(a.outcome, treatments.RecordedTreatment)]
        refused = [a for a in attempts if isinstance(a.outcome, Conflict)]
        assert len(signed) == 1 and len(refused) == 1, [a.outcome for a in attempts]
        (winner,), (loser,) = signed, refused
        assert isinstance(loser.outcome, Conflict)
        assert "CUMULATIVE_DOSE_ABOVE_MAX" in loser.outcome.message
        assert loser.outcome.field == "overrides"
        assert loser.committed is None  # the refusal wrote nothing
        # The database agrees: the history and exactly one new treatment, 350 U in all.
        assert stored_units(factory, setup.patient_id) == (2, Decimal(350))

        # The race was real: both had sent the statement that waits for the lock before
        # either attempt finished...
        began = [a.began for a in attempts if a.began is not None]
        ended = [a.ended for a in attempts if a.ended is not None]
        assert len(began) == len(ended) == 2
        assert max(began) < min(ended)
        # ...and yet the loser read the history only after the winner's commit was under way.
        assert winner.committed is not None and loser.check_started is not None
        assert loser.check_started > winner.committed


def test_control_without_the_per_patient_lock_both_plans_are_signed(
    engine: Engine,
    kb: KnowledgeBase,
    clinic: ClinicSetup,
    probe: Probe,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The race test can fail: with the serialisation removed, the same race signs 500 U.

    PostgreSQL: the patient is read without FOR UPDATE. SQLite: the engine has pysqlite's
    default deferred transactions instead of BEGIN IMMEDIATE. Both attempts meet at a
    rendezvous after reading the history, so both read it before either writes.
    """
    monkeypatch.setattr(patient_repo, "lock", patient_repo.get)
    unlocked = engine
    if engine.dialect.name == "sqlite":
        unlocked = create_engine(engine.url, connect_args={"timeout": 30, "check_same_thread": False})
    factory = session_factory(unlocked)
    try:
        setup = new_patient(factory, clinic, "Control")
        record_history(factory, kb, setup)
        probe.rendezvous = threading.Barrier(2, timeout=10)
        attempts = race(factory, kb, setup, probe)
    finally:
        if unlocked is not engine:
            unlocked.dispose()

    assert all(isinstance(a.outcome, treatments.RecordedTreatment) for a in attempts), [a.outcome for a in attempts]
    assert stored_units(session_factory(engine), setup.patient_id) == (3, Decimal(500))
