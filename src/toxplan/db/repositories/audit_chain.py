"""The audit log's hash chains: appending links one writer at a time, and reading them back.

Events logged during a transaction wait in the session and are linked into their chain just
before it commits: the chain's head is read under a lock held until the commit (PostgreSQL:
an advisory transaction lock per chain; SQLite: the database lock ``BEGIN IMMEDIATE`` already
holds), so two transactions can never both extend the same head and fork the chain. Taking
the lock last, at commit, means it never waits on a lock a waiting transaction holds (such as
a patient row locked for a recording). A unique index on (chain, seq) is the final guard.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, SessionTransaction

from toxplan.db.base import Base, new_id, utcnow
from toxplan.db.integrity import GENESIS, chain_of, event_hash, row_of
from toxplan.db.models import AuditEvent

_PENDING = "toxplan.audit.pending"
EVENTS = Base.metadata.tables["audit_events"]


def defer(session: Session, audit_event: AuditEvent) -> None:
    """Queue an event; it is linked and written when the transaction commits."""
    session.info.setdefault(_PENDING, []).append(audit_event)


def _lock(session: Session, chain: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"toxplan-audit:{chain}".encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def head(session: Session, chain: str) -> tuple[int, str]:
    """The last link of a chain: (seq, hash), or (0, GENESIS) for an empty chain."""
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def _link(session: Session) -> None:
    waiting: list[AuditEvent] = session.info.pop(_PENDING, [])
    by_chain: dict[str, list[AuditEvent]] = {}
    for queued in waiting:
        by_chain.setdefault(chain_of(queued.clinic_id), []).append(queued)
    for chain in sorted(by_chain):  # one order for every writer: no two wait on each other
        _lock(session, chain)
        seq, previous = head(session, chain)
        for queued in by_chain[chain]:
            seq += 1
            queued.id = queued.id or new_id()
            queued.at = queued.at or utcnow()
            queued.chain, queued.seq, queued.prev_hash = chain, seq, previous
            queued.hash = previous = event_hash(EVENTS, row_of(EVENTS, queued))
            session.add(queued)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        _link(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # what a rolled-back transaction logged did not happen
        session.info.pop(_PENDING, None)


# --- reading the chains back ----------------------------------------------------------------


def chains(session: Session) -> list[str]:
    return sorted(session.scalars(select(AuditEvent.chain).distinct()))


def events(session: Session, chain: str) -> list[dict[str, Any]]:
    """A chain's events as rows, in chain order."""
    return [
        dict(r)
        for r in session.execute(select(EVENTS).where(EVENTS.c.chain == chain).order_by(EVENTS.c.seq)).mappings()
    ]


def event_count(session: Session, chain: str) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.chain == chain)) or 0)


def signed_treatments(
    session: Session, clinic_id: str | None = None
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
    """Each treatment's row with its injection and finding rows, to recompute content hashes."""
    treatments = Base.metadata.tables["treatments"]
    query = select(treatments).order_by(treatments.c.id)
    if clinic_id is not None:
        query = query.where(treatments.c.clinic_id == clinic_id)
    injections = Base.metadata.tables["treatment_injections"]
    findings = Base.metadata.tables["treatment_findings"]
    for row in session.execute(query).mappings():
        yield (
            dict(row),
            [
                dict(r)
                for r in session.execute(select(injections).where(injections.c.treatment_id == row["id"])).mappings()
            ],
            [dict(r) for r in session.execute(select(findings).where(findings.c.treatment_id == row["id"])).mappings()],
        )
