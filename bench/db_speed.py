"""Speed of the record path on a real database: does checking a plan slow down as the clinic grows?

(a) Check latency: the part of ``record_treatment`` up to and including the safety check
    (the per-patient lock, the lot, ``check_request`` reading the patient's stored facts and
    400 days of history, then the domain ``check``), in a unit of work, repeated; median and
    p95, for the queries alone and for the whole. The measured patient has 10 treatments
    of history whatever the size, so only the size of the tables changes. Goal: at 1 million
    treatments, under 1.5 times the time at 10 thousand.
(b) Recordings per second: ``record_treatment``, one unit of work (one durable commit) each,
    one after another, for fresh patients.

The bulk (patients and treatments of other patients, ten each, visits spread over the last
400 days, injections per treatment configurable) goes straight into the tables with
SQLAlchemy Core executemany inserts; the clinic, the lot, the vial and the measured patient
go through the services. Prints figures; asserts nothing.

    .venv/bin/python bench/db_speed.py                       # SQLite files, 10k and 1M
    .venv/bin/python bench/db_speed.py --treatments 10000,100000
    .venv/bin/python bench/db_speed.py --database-url postgresql+psycopg://postgres@127.0.0.1/postgres

With --database-url the bench creates (and drops) a scratch database per size on that
server, so the user needs CREATEDB. SQLite files go in a temporary directory (--workdir to
choose it, --keep to leave them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.migrate import upgrade
from toxplan.db.models import Patient, Treatment, TreatmentInjection
from toxplan.db.repositories import patients as patient_repo
from toxplan.db.repositories import treatments as treatment_repo
from toxplan.domain.checking import check
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load
from toxplan.services import clinics, inventory, patients
from toxplan.services.schemas import Actor, TreatmentCreate, parse
from toxplan.services.treatments import check_request, record_treatment

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
SPAN = dt.timedelta(days=400)
"""Bulk visits fall in the last 400 days, inside the history a check loads: the worst case."""
PER_PATIENT = 10
HISTORY = 10
"""Treatments of the measured patient, spread through the bulk so they sit on far-apart pages."""
BATCH = 50_000
GLABELLAR = (
    "procerus",
    "corrugator_medial_left",
    "corrugator_medial_right",
    "corrugator_lateral_left",
    "corrugator_lateral_right",
)


@dataclass(frozen=True)
class Setup:
    injector: Actor
    lot_id: str
    reconstitution_id: str
    patient_id: str


def plan(setup: Setup, patient_id: str) -> dict[str, Any]:
    """A 20 U glabellar treatment now, from the clinic's reconstituted vial."""
    return {
        "patient_id": patient_id,
        "lot_id": setup.lot_id,
        "reconstitution_id": setup.reconstitution_id,
        "visit_at": NOW,
        "injections": [{"indication": "glabellar_lines", "site": s, "units": 4} for s in GLABELLAR],
    }


def new_patient(session: Session, actor: Actor, name: str) -> str:
    patient = patients.create_patient(
        session,
        actor,
        {
            "given_name": name,
            "family_name": "Bench",
            "birth_date": "1981-07-19",
            "sex": "female",
            "weight_kg": 64,
            "conditions": ["hypertension"],
            "medications": ["lisinopril 10 mg"],
            "allergies": ["penicillin"],
        },
        today=TODAY,
    )
    patients.add_screening(
        session,
        actor,
        patient.id,
        {"visit_on": TODAY, "pregnant": False, "breastfeeding": False, "infection_at_site": False},
        today=TODAY,
    )
    return patient.id


def make_setup(factory: sessionmaker[Session], kb: KnowledgeBase) -> Setup:
    with unit_of_work(factory) as session:
        clinic = clinics.create_clinic(session, "Bench clinic")
        clinic.consent_aesthetic = False  # the figures are of checking and recording, not of consent
        user = clinics.create_user(
            session, clinic.id, {"name": "Injector", "email": "injector@example.org", "role": "injector"}
        )
        actor = Actor(clinic_id=clinic.id, user_id=user.id, role="injector")
        lot = inventory.add_lot(
            session,
            actor,
            {"product": "botox", "lot_number": "B1", "expiry_date": "2027-06-30", "vial_units": 100},
            kb=kb,
        )
        made = inventory.reconstitute(
            session,
            actor,
            {"lot_id": lot.id, "diluent_ml": Decimal("2.5"), "reconstituted_at": NOW - dt.timedelta(hours=2)},
            now=NOW,
        )
        patient_id = new_patient(session, actor, "Measured")
    return Setup(actor, lot.id, made.id, patient_id)


def bulk_load(engine: Engine, setup: Setup, treatments: int, injections: int) -> None:
    """``treatments`` rows in visit order, ten per bulk patient, HISTORY of them for the
    measured patient at evenly spaced positions; executemany in batches of BATCH."""
    clinic = setup.injector.clinic_id
    bulk_patients = [str(uuid.uuid4()) for _ in range(max(1, (treatments - HISTORY) // PER_PATIENT))]
    measured_at = {int((k + 0.5) * treatments / HISTORY) for k in range(HISTORY)}
    first_visit = NOW - SPAN
    step = (SPAN - dt.timedelta(days=1)) / treatments
    with engine.begin() as connection:
        for start in range(0, len(bulk_patients), BATCH):
            connection.execute(
                insert(Patient.__table__),
                [
                    {
                        "id": pid,
                        "clinic_id": clinic,
                        "given_name": "Bulk",
                        "family_name": f"Patient{start + n}",
                        "birth_date": dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28),
                        "sex": "female" if n % 3 else "male",
                        "phone": None,
                        "email": None,
                        "created_at": first_visit,
                    }
                    for n, pid in enumerate(bulk_patients[start : start + BATCH])
                ],
            )
    for start in range(0, treatments, BATCH):
        rows: list[dict[str, Any]] = []
        shots: list[dict[str, Any]] = []
        for j in range(start, min(treatments, start + BATCH)):
            measured = j in measured_at
            treatment_id = str(uuid.uuid4())
            visit = first_visit + step * j
            sites = GLABELLAR if measured else GLABELLAR[:injections]
            rows.append(
                {
                    "id": treatment_id,
                    "clinic_id": clinic,
                    "patient_id": setup.patient_id if measured else bulk_patients[j % len(bulk_patients)],
                    "injector_id": setup.injector.user_id,
                    "visit_at": visit,
                    "product": "botox",
                    "lot_id": setup.lot_id,
                    "reconstitution_id": None,
                    "vial_units": Decimal(100),
                    "diluent_ml": Decimal("2.5"),
                    "total_units": Decimal(4 * len(sites)),
                    "knowledge_version": "bench",
                    "screening_id": None,
                    "note": None,
                    "signed_at": visit,
                }
            )
            shots.extend(
                {
                    "id": str(uuid.uuid4()),
                    "treatment_id": treatment_id,
                    "seq": seq,
                    "indication": "glabellar_lines",
                    "site": site,
                    "x_mm": None,
                    "y_mm": None,
                    "view": None,
                    "muscle": None,
                    "units": Decimal(4),
                    "volume_ml": Decimal("0.1"),
                    "depth": None,
                    "needle": None,
                    "note": None,
                }
                for seq, site in enumerate(sites)
            )
        with engine.begin() as connection:
            connection.execute(insert(Treatment.__table__), rows)
            connection.execute(insert(TreatmentInjection.__table__), shots)
    if engine.dialect.name == "postgresql":
        # Autovacuum would do this soon after a real load; without it the planner guesses.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def fast_build(dbapi_connection: Any, _record: Any) -> None:
    """Build connections only (that engine is thrown away; the measurements use fresh ones
    with the application's settings): a big page cache for the random UUID index inserts,
    and no fsync per batch. Runs after the application's own connect listener."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA cache_size = -500000")
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


def check_once(factory: sessionmaker[Session], kb: KnowledgeBase, setup: Setup) -> tuple[float, float, int]:
    """record_treatment up to its check: (seconds in queries, seconds in all, history rows)."""
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        given = parse(TreatmentCreate, plan(setup, setup.patient_id))
        clinic = setup.injector.clinic_id
        patient = patient_repo.lock(session, clinic, given.patient_id)
        lot = treatment_repo.lot(session, clinic, given.lot_id)
        made = treatment_repo.reconstitution(session, clinic, setup.reconstitution_id)
        assert patient is not None and lot is not None and made is not None
        request = check_request(session, patient=patient, given=given, lot=lot, made=made, diluent=made.diluent_ml)
        queried = time.perf_counter()
        check(kb, request, at=given.visit_at)
    return queried - started, time.perf_counter() - started, len(request.history)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


ROUNDS = 10
"""Measurements alternate between the sizes in this many rounds, so a busy moment of the
machine slows every size alike instead of skewing the ratio."""


@dataclass
class Database:
    """One size: its database, built, and what was measured on it."""

    treatments: int
    url: str
    setup: Setup
    build_s: float
    engine: Engine | None = None
    factory: sessionmaker[Session] | None = None
    history: int = 0
    queries: list[float] = field(default_factory=list)
    totals: list[float] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    records: list[float] = field(default_factory=list)

    def size_mb(self) -> float | None:
        database = make_url(self.url).database
        return Path(database).stat().st_size / 1e6 if self.url.startswith("sqlite") and database else None


def build(url: str, kb: KnowledgeBase, treatments: int, injections: int) -> Database:
    engine = make_engine(url)
    upgrade(engine)
    setup = make_setup(session_factory(engine), kb)
    engine.dispose()
    builder = make_engine(url)
    if builder.dialect.name == "sqlite":
        event.listen(builder, "connect", fast_build)
    started = time.perf_counter()
    bulk_load(builder, setup, treatments, injections)
    builder.dispose()
    database = make_url(url).database
    if builder.dialect.name == "sqlite" and database:
        # The build ran without fsync: flush it now, or the first checkpoint of a measured
        # recording would pay for writing the whole file to disk.
        with Path(database).open("rb+") as handle:
            os.fsync(handle.fileno())
    build_s = time.perf_counter() - started
    return Database(treatments, url, setup, build_s)


def measure(databases: list[Database], kb: KnowledgeBase, args: argparse.Namespace) -> None:
    for db in databases:
        db.engine = make_engine(db.url)  # fresh connections with the application's settings
        db.factory = session_factory(db.engine)
        for _ in range(args.warmup):
            check_once(db.factory, kb, db.setup)
        with unit_of_work(db.factory) as session:
            db.fresh = [new_patient(session, db.setup.injector, f"Record{n}") for n in range(args.records)]
    for round_ in range(ROUNDS):
        for db in databases:
            assert db.factory is not None
            for _ in range(args.checks // ROUNDS):
                query_s, total_s, db.history = check_once(db.factory, kb, db.setup)
                db.queries.append(query_s)
                db.totals.append(total_s)
            chunk = len(db.fresh) // ROUNDS
            for patient_id in db.fresh[round_ * chunk : (round_ + 1) * chunk]:
                t0 = time.perf_counter()
                with unit_of_work(db.factory) as session:
                    record_treatment(session, db.setup.injector, plan(db.setup, patient_id), kb=kb, now=NOW)
                db.records.append(time.perf_counter() - t0)
    for db in databases:
        assert db.engine is not None
        db.engine.dispose()


@contextmanager
def scratch_database(args: argparse.Namespace, treatments: int) -> Iterator[str]:
    """An empty database for one size: a new SQLite file, or a new PostgreSQL database."""
    if not args.database_url:
        path = Path(args.workdir) / f"toxplan-{treatments}.db"
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    name = f"toxplan_bench_{treatments}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if not args.keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def report(db: Database) -> None:
    size = db.size_mb()
    file = f", file {size:,.0f} MB" if size is not None else ""
    print(f"\n{db.treatments:,} treatments: built in {db.build_s:,.1f} s{file}")
    print(f"  history rows read for the measured patient: {db.history}")
    for label, values in (("queries", db.queries), ("whole", db.totals)):
        print(f"  check, {label:<8} median {ms(statistics.median(values))}, p95 {ms(percentile(values, 0.95))}")
    print(
        f"  record_treatment: {len(db.records) / sum(db.records):,.1f} recordings/s sequential; "
        f"each median {ms(statistics.median(db.records))}, p95 {ms(percentile(db.records, 0.95))}, "
        f"max {ms(max(db.records))} (durable commit included)"
    )


def ratio(large: list[float], small: list[float]) -> str:
    median = statistics.median(large) / statistics.median(small)
    p95 = percentile(large, 0.95) / percentile(small, 0.95)
    return f"median {median:.2f}x, p95 {p95:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--treatments", default="10000,1000000", help="sizes, comma-separated")
    parser.add_argument("--database-url", help="PostgreSQL server to create scratch databases on")
    parser.add_argument("--checks", type=int, default=300, help="measured checks per size")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--records", type=int, default=200, help="recordings timed per size")
    parser.add_argument("--injections-per-treatment", type=int, default=1, choices=range(1, 6))
    parser.add_argument("--workdir", help="directory for the SQLite files (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.treatments.split(",")]
    temporary = None
    if not args.database_url and not args.workdir:
        temporary = args.workdir = tempfile.mkdtemp(prefix="toxplan-bench-")

    kb = load()
    backend = "PostgreSQL" if args.database_url else "SQLite (WAL, synchronous=FULL)"
    print(f"{backend}; {args.checks} checks and {args.records} recordings per size, warm cache")
    databases: list[Database] = []
    try:
        with ExitStack() as scratch:
            for treatments in sizes:
                url = scratch.enter_context(scratch_database(args, treatments))
                databases.append(build(url, kb, treatments, args.injections_per_treatment))
                print(f"built {treatments:,} treatments in {databases[-1].build_s:,.1f} s", flush=True)
            measure(databases, kb, args)
            for db in databases:
                report(db)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(temporary, ignore_errors=True)
    if len(databases) > 1:
        small, large = databases[0], databases[-1]
        print(f"\n{large.treatments:,} vs {small.treatments:,} treatments (goal for the check: under 1.5x)")
        print(f"  check, whole:   {ratio(large.totals, small.totals)}")
        print(f"  check, queries: {ratio(large.queries, small.queries)}")
        print(f"  recording:      {ratio(large.records, small.records)} (time per recording)")


if __name__ == "__main__":
    main()
