"""Checking the tamper evidence: audit chains, treatment content hashes, and the users the
chain says the clinic created. Used by ``toxplan audit verify`` on a database and by every
restore on the backup it is given.

What it proves: no event of a chain was edited, removed or inserted, and no signed dose
changed, without rewriting every hash after it. It cannot tell that events were cut off the
end of a chain, and a backup file can be rewritten whole by someone who recomputes every
hash; an encrypted backup (``toxplan backup --encrypt``) cannot be changed at all without its
passphrase.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from toxplan.db.base import Base
from toxplan.db.integrity import GENESIS, content_hash, event_hash
from toxplan.db.repositories import audit_chain
from toxplan.primitives.roles import OVERSIGHT
from toxplan.services.audit import require
from toxplan.services.schemas import Actor

EVENTS = Base.metadata.tables["audit_events"]
TREATMENTS = Base.metadata.tables["treatments"]
INJECTIONS = Base.metadata.tables["treatment_injections"]
FINDINGS = Base.metadata.tables["treatment_findings"]
Row = dict[str, Any]


@dataclass
class Report:
    """What was checked and every problem found (empty: everything verifies)."""

    chains: dict[str, int] = field(default_factory=dict)
    """Chain -> number of events checked."""
    treatments: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(chain: str, rows: Iterable[Row]) -> list[str]:
    """Positions 1..n without gaps, each linked to the hash before it, each hash recomputed."""
    problems = []
    previous = GENESIS
    for expected, row in enumerate(sorted(rows, key=lambda r: r["seq"]), start=1):
        where = f"audit chain {chain}, event {row['seq']} ({row['id']})"
        if row["chain"] != chain:
            problems.append(f"{where}: belongs to chain {row['chain']}")
        if row["seq"] != expected:
            problems.append(f"{where}: expected position {expected} (an event is missing or was added)")
            break
        if row["prev_hash"] != previous:
            problems.append(f"{where}: does not link to the event before it")
        if event_hash(EVENTS, row) != row["hash"]:
            problems.append(f"{where}: its content does not match its hash (changed)")
        previous = row["hash"]
    return problems


def verify_treatments(
    treatments: Iterable[tuple[Row, list[Row], list[Row]]], events: list[Row]
) -> tuple[int, list[str]]:
    """Each treatment's content hash recomputed, and named by a signing event of the chain."""
    sealed = {
        (e["entity_id"], e["detail"].rsplit("hash ", 1)[1][:64])
        for e in events
        if e["action"] == "sign" and e["detail"] and "hash " in e["detail"]
    }
    problems, count = [], 0
    for treatment, injections, findings in treatments:
        count += 1
        actual = content_hash(TREATMENTS, treatment, (INJECTIONS, injections), (FINDINGS, findings))
        if actual != treatment["content_hash"]:
            problems.append(f"treatment {treatment['id']}: its dose record does not match its content hash (changed)")
        elif (treatment["id"], actual) not in sealed:
            problems.append(f"treatment {treatment['id']}: no signing event in the audit chain names its hash")
    return count, problems


def verify_users(users: Iterable[Row], events: list[Row]) -> list[str]:
    """Every user was created in the chain, with the role the chain recorded unless the chain
    holds later events about that user (role changes are theirs to record)."""
    about: dict[str, list[Row]] = {}
    for e in sorted(events, key=lambda r: r["seq"]):
        if e["entity"] == "user" and e["entity_id"]:
            about.setdefault(e["entity_id"], []).append(e)
    problems = []
    for user in users:
        history = about.get(user["id"], [])
        created = [e for e in history if e["action"] == "create"]
        if not created:
            problems.append(f"user {user['email']}: the audit chain does not record creating this user (added)")
        elif len(history) == 1 and created[0]["detail"] != f"role {user['role']}":
            problems.append(f"user {user['email']}: role {user['role']} is not the role the audit chain records")
    return problems


def verify_clinic_rows(clinic_id: str, tables: dict[str, list[Row]]) -> Report:
    """A clinic's rows as a backup holds them (decoded values): its chain, treatments, users."""
    events = tables["audit_events"]
    report = Report(chains={clinic_id: len(events)})
    report.problems += verify_chain(clinic_id, events)
    injections: dict[str, list[Row]] = {}
    findings: dict[str, list[Row]] = {}
    for row in tables["treatment_injections"]:
        injections.setdefault(row["treatment_id"], []).append(row)
    for row in tables["treatment_findings"]:
        findings.setdefault(row["treatment_id"], []).append(row)
    triples = ((t, injections.get(t["id"], []), findings.get(t["id"], [])) for t in tables["treatments"])
    report.treatments, problems = verify_treatments(triples, events)
    report.problems += problems
    report.problems += verify_users(tables["users"], events)
    return report


def verify_database(session: Session, actor: Actor | None = None, *, clinic_id: str | None = None) -> Report:
    """Every chain in the database (or one clinic's), and every signed treatment."""
    if actor is not None:
        require(actor, OVERSIGHT)
        clinic_id = actor.clinic_id
    report = Report()
    chains = [clinic_id] if clinic_id else audit_chain.chains(session)
    all_events: list[Row] = []
    for chain in chains:
        rows = audit_chain.events(session, chain)
        all_events += rows
        report.chains[chain] = len(rows)
        report.problems += verify_chain(chain, rows)
    report.treatments, problems = verify_treatments(audit_chain.signed_treatments(session, clinic_id), all_events)
    report.problems += problems
    return report
