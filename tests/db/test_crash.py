"""A writer killed mid-stream loses no acknowledged treatment and leaves no half-written one.

A child process (crash_writer.py) records treatments through the services on a migrated
SQLite file and prints each treatment id once its commit has returned. The test kills it
with SIGKILL after some acknowledged writes, while it is inserting and committing the next
one (the writer announces its first INSERT; the kill follows after a pause), then opens
the database as the application does and checks that every acknowledged treatment is there
with all its rows, that no treatment lacks its injections, follow-up or audit event, and
that SQLite reports no corruption and no dangling foreign key. Three kills at different
points hit the same file, each writer starting on the database the previous crash left.

SIGKILL ends the process, not the machine: the operating system still writes back what
the process had handed to it. So this proves atomicity and recovery from the WAL after a
process crash; surviving power loss rests on ``synchronous=FULL`` and is not tested here.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import consent_data
from tests.db.conftest import NOW, TODAY, ClinicSetup, make_clinic, treatment_data
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.models import AuditEvent, FollowUp, Treatment, TreatmentInjection
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import consents, patients, treatments

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = [(2, 0.0), (5, 0.001), (8, 0.003), (11, 0.006)]
"""(acknowledged writes before the kill, pause after the next write began): the inserts
and the commit take a few milliseconds, so each kill lands at a different point of them."""
PATIENTS = 10
"""Round-robin targets: 20 U each time keeps every patient far below 400 U in 3 months."""
INJECTIONS = 5
TIMEOUT = 60


def add_patients(path: Path, kb: KnowledgeBase) -> tuple[ClinicSetup, list[str]]:
    engine = make_engine(f"sqlite:///{path}")
    factory = session_factory(engine)
    setup = make_clinic(factory, kb)
    ids = [setup.patient_id]
    with unit_of_work(factory) as session:
        for n in range(PATIENTS - 1):
            patient = patients.create_patient(
                session,
                setup.injector,
                {"given_name": f"P{n}", "family_name": "Crash", "birth_date": "1984-01-09", "sex": "male"},
                today=TODAY,
            )
            consents.sign_consent(session, setup.injector, patient.id, consent_data(kb), kb=kb, now=NOW)
            ids.append(patient.id)
    engine.dispose()  # the child is the only one with the file open while it writes
    return setup, ids


def run_and_kill(path: Path, setup_json: str, acks: int, pause: float, cache: Path) -> list[str]:
    """Start the writer; once it has acknowledged ``acks`` writes and begun the next, wait
    ``pause`` and kill it. Return every id it acknowledged."""
    env = {**os.environ, "TOXPLAN_CACHE_DIR": str(cache)}
    child = subprocess.Popen(
        [sys.executable, str(WRITER), str(path), setup_json],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    watchdog = threading.Timer(TIMEOUT, child.kill)  # a hung child must not hang the suite
    watchdog.start()
    try:
        ready = child.stdout.readline()
        acknowledged: list[str] = []
        while ready == "ready\n":
            line = child.stdout.readline()
            if not line:  # the writer died on its own
                break
            if line != "writing\n":
                acknowledged.append(line.strip())
            elif len(acknowledged) >= acks:
                break
        time.sleep(pause)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(TIMEOUT)
        # An id printed during the pause was acknowledged too.
        acknowledged += [line.strip() for line in child.stdout if len(line) == 37 and line.endswith("\n")]
    finally:
        watchdog.cancel()
        errors = child.stderr.read()
        child.stdout.close()
        child.stderr.close()
    assert ready == "ready\n", errors
    assert child.returncode == -signal.SIGKILL, f"the writer ended on its own:\n{errors}"
    assert len(acknowledged) >= acks, errors
    return acknowledged


def stored_treatments(path: Path, clinic_id: str) -> dict[str, tuple[int, int, int]]:
    """Open the file as the application does; check SQLite's own invariants; return, per
    treatment, its number of injections, follow-ups and signing audit events."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []

            def count(model: type, *where: object) -> object:
                return select(func.count()).select_from(model).where(*where).scalar_subquery()

            rows = connection.execute(
                select(
                    Treatment.id,
                    count(TreatmentInjection, TreatmentInjection.treatment_id == Treatment.id),
                    count(FollowUp, FollowUp.treatment_id == Treatment.id),
                    count(AuditEvent, AuditEvent.entity_id == Treatment.id, AuditEvent.action == "sign"),
                ).where(Treatment.clinic_id == clinic_id)
            ).all()
    finally:
        engine.dispose()
    return {
        treatment_id: (n_injections, n_follow_ups, n_signs)
        for treatment_id, n_injections, n_follow_ups, n_signs in rows
    }


@pytest.mark.slow
def test_killed_writer_keeps_every_acknowledged_treatment_whole(
    tmp_path: Path, sqlite_template: Path, kb: KnowledgeBase
) -> None:
    path = tmp_path / "toxplan.db"
    shutil.copy(sqlite_template, path)
    setup, patient_ids = add_patients(path, kb)
    setup_json = json.dumps(
        {
            "clinic_id": setup.clinic_id,
            "injector_id": setup.injector.user_id,
            "lot_id": setup.lot_id,
            "reconstitution_id": setup.reconstitution_id,
            "patient_ids": patient_ids,
            "now": NOW.isoformat(),
        }
    )
    acknowledged: list[str] = []
    stored: dict[str, tuple[int, int, int]] = {}
    for acks, pause in KILLS:
        new = run_and_kill(path, setup_json, acks, pause, tmp_path / "cache")
        # The writer died with the database open: its write-ahead log is still there, so
        # opening the file below goes through SQLite's recovery.
        assert Path(f"{path}-wal").stat().st_size > 0
        before = len(stored)
        stored = stored_treatments(path, setup.clinic_id)
        acknowledged += new
        assert set(acknowledged) <= set(stored), "an acknowledged treatment was lost"
        # At most one write committed without its acknowledgement reaching us.
        assert len(new) <= len(stored) - before <= len(new) + 1
        # All or nothing: every treatment has all its injections, its follow-up, its audit event.
        incomplete = {t: rows for t, rows in stored.items() if rows != (INJECTIONS, 1, 1)}
        assert incomplete == {}

    # The recovered database takes new records.
    engine = make_engine(f"sqlite:///{path}")
    try:
        again = dataclasses.replace(setup, patient_id=patient_ids[-1])
        with unit_of_work(session_factory(engine)) as session:
            treatments.record_treatment(session, setup.injector, treatment_data(again), kb=kb, now=NOW)
    finally:
        engine.dispose()
    assert len(stored_treatments(path, setup.clinic_id)) == len(stored) + 1
