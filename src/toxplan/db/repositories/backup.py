"""Whole-clinic reads and writes for backup and restore, table by table in Core.

Core rather than the ORM: a backup is rows, not objects, and a restore must write the stored
values (ids, timestamps) exactly instead of letting model defaults fill them in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, Table, insert, select
from sqlalchemy.orm import Session

import toxplan.db.models  # noqa: F401 - registers every table on Base.metadata
from toxplan.db.base import Base

TABLE_NAMES = (
    "clinics",
    "users",
    "patients",
    "patient_conditions",
    "patient_medications",
    "patient_allergies",
    "patient_weights",
    "screenings",
    "consents",
    "lots",
    "reconstitutions",
    "treatments",
    "treatment_injections",
    "treatment_findings",
    "cosignatures",
    "addenda",
    "follow_ups",
    "follow_up_reviews",
    "adverse_events",
    "photos",
    "vial_draws",
    "treatment_reviews",
    "recall_contacts",
    "plan_templates",
    "audit_events",
)
"""Every table, parents before children: the order a restore inserts them in."""

NOT_BACKED_UP = ("user_sessions", "sign_in_throttle", "trusted_devices", "user_totp")
"""Sign-in sessions are short-lived credentials, not records: a restore must not revive them.
Nor throttling counters, trusted-browser tokens or second-factor secrets (users enrol again)."""

TABLES: tuple[Table, ...] = tuple(Base.metadata.tables[name] for name in TABLE_NAMES)

_CHUNK = 500
"""Ids per IN list: well below SQLite's bound-parameter limit on old builds (999)."""


def _of_clinic(table: Table, clinic_id: str) -> Select[Any]:
    """The rows of ``table`` that belong to the clinic.

    Tables without a clinic_id (injections, findings, cosignatures, addenda) hang off a
    treatment, so they are selected through the clinic's treatments.
    """
    query = select(table)
    if table.name == "clinics":
        return query.where(table.c.id == clinic_id)
    if "clinic_id" in table.c:
        return query.where(table.c.clinic_id == clinic_id)
    treatments = Base.metadata.tables["treatments"]
    owned = select(treatments.c.id).where(treatments.c.clinic_id == clinic_id)
    return query.where(table.c.treatment_id.in_(owned))


def read_one_snapshot(session: Session) -> None:
    """Make the SELECTs that follow see one state of the database.

    SQLite already does (BEGIN IMMEDIATE holds the lock for the whole transaction).
    PostgreSQL's default READ COMMITTED gives each statement a fresh snapshot, so a treatment
    signed between two SELECTs could show up without its injections; REPEATABLE READ reads
    all tables as of one moment. It can only be chosen before the transaction's first
    statement: in a transaction already under way the caller's level stands.
    """
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def rows(session: Session, table: Table, clinic_id: str) -> list[dict[str, Any]]:
    """The clinic's rows of ``table`` as column -> value, sorted by id.

    Sorted here, not with ORDER BY: PostgreSQL orders text by the database collation and
    SQLite by bytes, and a backup must come out the same from either.
    """
    found = [dict(row) for row in session.execute(_of_clinic(table, clinic_id)).mappings()]
    return sorted(found, key=lambda row: str(row["id"]))


def clinic_exists(session: Session, clinic_id: str) -> bool:
    clinics = Base.metadata.tables["clinics"]
    return session.scalar(select(clinics.c.id).where(clinics.c.id == clinic_id)) is not None


def taken_ids(session: Session, table: Table, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` are already stored in ``table`` (by any clinic)."""
    wanted = list(ids)
    taken: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        taken.update(session.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
    return taken


def insert_rows(session: Session, table: Table, values: list[dict[str, Any]]) -> None:
    """Insert rows exactly as given (one executemany); no model defaults apply."""
    if values:
        session.execute(insert(table), values)
