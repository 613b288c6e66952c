"""Tamper evidence: the hash chain of the audit log and the content hash of signed treatments.

Every audit event belongs to one chain (its clinic's, or the installation's for events about
no clinic), carries its position ``seq`` (1, 2, ...), the hash of the event before it and its
own hash: SHA-256 over a canonical JSON of all its other columns. A signed treatment carries
the SHA-256 of its row with its injections and findings, and the chain's signing event names
that hash, so changing a dose, removing an event or inserting one breaks a hash that
``toxplan audit verify`` and every restore recompute.

Values are encoded exactly as a backup writes them (decimals at their column's scale, times
in UTC to the microsecond), so a hash reads the same from SQLite and PostgreSQL and from a
backup file. The encoding is part of the stored data: changing it invalidates every hash.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Numeric, Table
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

GENESIS = "0" * 64
"""The 'previous hash' of the first event of a chain."""
INSTALLATION = "installation"
"""The chain of events about no clinic (exports, imports)."""
HASH_FIELD = "hash"
CONTENT_FIELD = "content_hash"


def chain_of(clinic_id: str | None) -> str:
    return clinic_id or INSTALLATION


def _step(column: Column[Any]) -> Decimal | None:
    """The quantum of a Numeric column (Numeric(8, 2) -> 0.01), None when it has no scale."""
    scale = column.type.scale if isinstance(column.type, Numeric) else None
    return None if scale is None else Decimal(1).scaleb(-scale)


def encode_value(column: Column[Any], value: Any) -> Any:
    """A stored value as plain JSON, the same from either database and from a backup."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        # Fixed precision, so equal instants give equal text whatever the database returned.
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):  # photos: the image bytes as base64 text
        return base64.b64encode(value).decode("ascii")
    if isinstance(column.type, Numeric):
        # PostgreSQL returns numerics at the stored scale, SQLite via a float: quantising to
        # the column's scale gives one text for one value ("4.000", never "4").
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        step = _step(column)
        return str(number if step is None else number.quantize(step))
    return value


def encode_row(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: encode_value(table.c[name], row[name]) for name in sorted(row)}


def _present(table: Table, row: Mapping[str, Any], leave_out: str) -> dict[str, Any]:
    """The encoded row without ``leave_out`` and without empty (None) values, so a nullable
    column added by a later migration does not change the hashes already stored."""
    return {k: v for k, v in encode_row(table, row).items() if k != leave_out and v is not None}


def _digest(document: object) -> str:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_hash(table: Table, row: Mapping[str, Any]) -> str:
    """The hash of an audit event: every column but the hash itself (prev_hash included)."""
    return _digest(_present(table, row, HASH_FIELD))


def content_hash(
    treatments: Table,
    treatment: Mapping[str, Any],
    injections: tuple[Table, Iterable[Mapping[str, Any]]],
    findings: tuple[Table, Iterable[Mapping[str, Any]]],
) -> str:
    """The hash of a signed treatment: its row (but the hash), its injections and its findings."""
    document = {
        "treatment": _present(treatments, treatment, CONTENT_FIELD),
        "injections": sorted(
            (_present(injections[0], r, "") for r in injections[1]), key=lambda r: (r["seq"], r["id"])
        ),
        "findings": sorted((_present(findings[0], r, "") for r in findings[1]), key=lambda r: r["id"]),
    }
    return _digest(document)


def row_of(table: Table, instance: object) -> dict[str, Any]:
    """The column values of an ORM object about to be inserted, as the row it will become.

    A column left unset gets its Python-side default now (the insert would apply it later),
    so the hash computed from this row is the one the stored row gives back.
    """
    for column in table.columns:
        default = column.default
        if getattr(instance, column.key) is not None:
            continue
        if isinstance(default, ScalarElementColumnDefault):
            setattr(instance, column.key, default.arg)
        elif isinstance(default, CallableColumnDefault):
            # SQLAlchemy wraps our zero-argument defaults to take an execution context they ignore.
            setattr(instance, column.key, default.arg(None))  # type: ignore[arg-type]
    return {column.name: getattr(instance, column.key) for column in table.columns}


def seal_treatment(treatment: object, injections: Iterable[object], findings: Iterable[object]) -> str:
    """The content hash of a treatment about to be signed, from its ORM objects (every value,
    ids and signing time included, must already be set as it will be stored)."""
    from toxplan.db.base import Base  # noqa: PLC0415 - the models import this module's neighbours

    tables = tuple(Base.metadata.tables[name] for name in ("treatments", "treatment_injections", "treatment_findings"))
    return content_hash(
        tables[0],
        row_of(tables[0], treatment),
        (tables[1], [row_of(tables[1], i) for i in injections]),
        (tables[2], [row_of(tables[2], f) for f in findings]),
    )
