"""tamper evidence: the audit log becomes hash chains, signed treatments carry a content hash,
and the database refuses REPLACE (SQLite) and TRUNCATE (PostgreSQL) on append-only tables

Revision ID: h9a02
Revises: h9a01
Create Date: 2026-12-03 11:00:00

Existing rows are sealed as they stand: every user gets the "create user" event it lacked
(at its creation time), every treatment its content hash and a sealing event naming it, and
each chain is linked in (time, id) order. The hashes are computed by ``toxplan.db.integrity``,
the code that checks them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op

from toxplan.db.base import Base
from toxplan.db.integrity import GENESIS, chain_of, content_hash, event_hash

revision = "h9a02"
down_revision = "h9a01"
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "audit_events": (("id",), ("chain", "seq")),
    "treatments": (("id",),),
    "treatment_injections": (("id",),),
    "treatment_findings": (("id",),),
    "cosignatures": (("id",), ("treatment_id",)),
    "addenda": (("id",),),
    "follow_up_reviews": (("id",), ("follow_up_id", "version")),
}
"""Append-only tables and their unique keys: an insert that would replace a row is refused."""


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _add(table: str, column: str, kind: sa.types.TypeEngine[Any], empty: object) -> None:
    # NOT NULL with a default fills existing rows; SQLite keeps the default (it cannot alter a
    # column in place, and rebuilding a table that others reference is not safe here).
    op.add_column(table, sa.Column(column, kind, nullable=False, server_default=sa.text(repr(empty))))
    if _postgres():
        op.alter_column(table, column, server_default=None)


def _rows(table: str) -> list[dict[str, Any]]:
    """The stored rows, read through the model's column types (UTC times, exact decimals)."""
    model = Base.metadata.tables[table]
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    query = sa.select(*(c for c in model.c if c.name in present))
    return [dict(r) for r in op.get_bind().execute(query).mappings()]


def _guards(on: bool) -> None:
    """Turn the UPDATE guards of treatments and audit_events off (to seal old rows) or on."""
    for table in ("treatments", "audit_events"):
        if _postgres():
            op.execute(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER {table}_append_only")
        elif on:
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END"
            )
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")


def _seal_treatments(events: sa.Table, now: dt.datetime) -> list[dict[str, Any]]:
    tables = [Base.metadata.tables[n] for n in ("treatments", "treatment_injections", "treatment_findings")]
    injections: dict[str, list[dict[str, Any]]] = {}
    findings: dict[str, list[dict[str, Any]]] = {}
    for row in _rows("treatment_injections"):
        injections.setdefault(row["treatment_id"], []).append(row)
    for row in _rows("treatment_findings"):
        findings.setdefault(row["treatment_id"], []).append(row)
    seals = []
    for row in _rows("treatments"):
        sealed = content_hash(
            tables[0],
            row,
            (tables[1], injections.get(row["id"], [])),
            (tables[2], findings.get(row["id"], [])),
        )
        op.get_bind().execute(sa.update(tables[0]).where(tables[0].c.id == row["id"]).values(content_hash=sealed))
        seals.append(
            {
                "id": str(uuid.uuid4()),
                "clinic_id": row["clinic_id"],
                "at": now,
                "user_id": None,
                "action": "sign",
                "entity": "treatment_seal",
                "entity_id": row["id"],
                "patient_id": row["patient_id"],
                "detail": f"hash {sealed} (sealed when content hashes were introduced)",
            }
        )
    return seals


def _missing_user_events(existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    created = {(e["clinic_id"], e["entity_id"]) for e in existing if (e["action"], e["entity"]) == ("create", "user")}
    return [
        {
            "id": str(uuid.uuid4()),
            "clinic_id": user["clinic_id"],
            "at": user["created_at"],
            "user_id": None,
            "action": "create",
            "entity": "user",
            "entity_id": user["id"],
            "patient_id": None,
            "detail": f"role {user['role']}",
        }
        for user in _rows("users")
        if (user["clinic_id"], user["id"]) not in created
    ]


def _link_chains(events: sa.Table) -> None:
    ordered = sorted(_rows("audit_events"), key=lambda e: (e["at"], e["id"]))
    heads: dict[str, tuple[int, str]] = {}
    for row in ordered:
        chain = chain_of(row["clinic_id"])
        seq, previous = heads.get(chain, (0, GENESIS))
        linked = {**row, "chain": chain, "seq": seq + 1, "prev_hash": previous}
        linked["hash"] = event_hash(events, {k: v for k, v in linked.items() if k != "hash"})
        op.get_bind().execute(
            sa.update(events)
            .where(events.c.id == row["id"])
            .values(chain=chain, seq=seq + 1, prev_hash=previous, hash=linked["hash"])
        )
        heads[chain] = (seq + 1, linked["hash"])


def upgrade() -> None:
    _add("audit_events", "chain", sa.String(length=36), "")
    _add("audit_events", "seq", sa.Integer(), 0)
    _add("audit_events", "prev_hash", sa.String(length=64), "")
    _add("audit_events", "hash", sa.String(length=64), "")
    _add("treatments", "content_hash", sa.String(length=64), "")

    events = Base.metadata.tables["audit_events"]
    now = dt.datetime.now(dt.UTC)
    _guards(on=False)
    added = _missing_user_events(_rows("audit_events")) + _seal_treatments(events, now)
    columns = ("id", "clinic_id", "at", "user_id", "action", "entity", "entity_id", "patient_id", "detail")
    if added:  # linked with the others below
        unlinked = {"seq": 0, "prev_hash": "", "hash": ""}
        rows = [{**{c: row[c] for c in columns}, "chain": chain_of(row["clinic_id"]), **unlinked} for row in added]
        op.get_bind().execute(sa.insert(events), rows)
    _link_chains(events)
    _guards(on=True)

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("audit_chain_position", ["chain", "seq"], unique=True)
    for table, keys in APPEND_ONLY.items():
        if _postgres():
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION toxplan_append_only()"
            )
            continue
        # BEFORE INSERT fires before conflict resolution, so INSERT OR REPLACE (which deletes
        # the old row without firing DELETE triggers) is refused here.
        taken = " OR ".join("(" + " AND ".join(f"{k} = NEW.{k}" for k in key) + ")" for key in keys)
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {taken}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: REPLACE refused'); END"
        )


def downgrade() -> None:
    for table in APPEND_ONLY:
        if _postgres():
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("audit_chain_position")
    # The sealing and user events stay: the log is append-only even across a downgrade.
    for table, column in (
        ("treatments", "content_hash"),
        ("audit_events", "hash"),
        ("audit_events", "prev_hash"),
        ("audit_events", "seq"),
        ("audit_events", "chain"),
    ):
        if _postgres():
            op.drop_column(table, column)
        else:  # SQLite >= 3.35 drops a column in place (a table rebuild would drop the triggers)
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
