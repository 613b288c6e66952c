"""Backup and restore of one clinic as a portable, JSON-serialisable document.

A backup holds every row of the clinic, table by table, as plain JSON values: decimals as
strings at the column's scale, dates and times as ISO 8601 in UTC. It reads the same from
SQLite and PostgreSQL, so a clinic can move between them, and a restore writes the rows back
exactly (ids, signed records and the clinic's audit log included): export, import into an
empty database and export again gives an equal document.

Exports and imports are themselves audited, but as installation-level events (no clinic):
the clinic's own audit log, and so its backup, stays exactly what was backed up.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Column, Enum, Numeric, String, Table
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from toxplan.db.integrity import encode_row
from toxplan.db.repositories import backup as repo
from toxplan.errors import Conflict, InvalidInput, NotFound
from toxplan.services.audit import log
from toxplan.services.integrity import verify_clinic_rows

FORMAT = "toxplan-backup"
FORMAT_VERSION = 2
"""2: audit events carry their hash chain and treatments their content hash."""


# --- values: database -> JSON --------------------------------------------------------------
# Encoded as ``db.integrity`` encodes them for hashing: a backup's values hash as stored.

_encode_row = encode_row


# --- values: JSON -> database --------------------------------------------------------------


def _text(column: Column[Any], value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    if isinstance(column.type, Enum) and value not in column.type.enums:
        raise ValueError(f"expected one of {', '.join(column.type.enums)}")
    if "\x00" in value:  # PostgreSQL refuses NUL; the records never hold one
        raise ValueError("contains a NUL character")
    length = getattr(column.type, "max_chars", None)
    if length is None and isinstance(column.type, String):
        length = column.type.length
    if length is not None and len(value) > length:  # SQLite would store it; PostgreSQL refuses
        raise ValueError(f"longer than {length} characters")
    return value


def _datetime(_column: Column[Any], value: Any) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(_text(_column, value))
    if parsed.tzinfo is None:
        raise ValueError("a timestamp needs its time zone")
    return parsed.astimezone(dt.UTC)


def _date(column: Column[Any], value: Any) -> dt.date:
    return dt.date.fromisoformat(_text(column, value))


def _decimal(column: Column[Any], value: Any) -> Decimal:
    number = Decimal(_text(column, value))
    scale = column.type.scale if isinstance(column.type, Numeric) else None
    step = None if scale is None else Decimal(1).scaleb(-scale)
    # A value finer than the column's scale would be rounded on the way in: not exact.
    if not number.is_finite() or (step is not None and number != number.quantize(step)):
        raise ValueError(f"not a decimal at the scale of {column.name}")
    return number


def _bool(_column: Column[Any], value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _int(_column: Column[Any], value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected an integer")
    return value


def _bytes(column: Column[Any], value: Any) -> bytes:
    return base64.b64decode(_text(column, value), validate=True)


_PARSERS: dict[type, Callable[[Column[Any], Any], Any]] = {
    bytes: _bytes,
    dt.datetime: _datetime,
    dt.date: _date,
    Decimal: _decimal,
    bool: _bool,
    int: _int,
    str: _text,
}


def _python_type(column: Column[Any]) -> type:
    kind = column.type
    if isinstance(kind, TypeDecorator):  # UTCDateTime: the stored type is its impl's
        kind = kind.impl_instance
    return kind.python_type


def _decode(column: Column[Any], value: Any, field: str) -> Any:
    if value is None:
        if not column.nullable:
            raise InvalidInput("must not be null", field=field)
        return None
    try:
        return _PARSERS[_python_type(column)](column, value)
    except (ValueError, TypeError, InvalidOperation) as exc:  # a bad base64 is a ValueError
        shown = value if not isinstance(value, str) or len(value) <= 80 else f"{value[:40]}..."  # not a whole photo
        raise InvalidInput(f"{shown!r}: {exc}", field=field) from None


def _decode_table(table: Table, rows: list[Any]) -> list[dict[str, Any]]:
    names = set(table.c.keys())
    decoded = []
    for i, row in enumerate(rows):
        where = f"tables.{table.name}[{i}]"
        if not isinstance(row, dict):
            raise InvalidInput("a row must be an object", field=where)
        if names - row.keys():
            raise InvalidInput("missing", field=f"{where}.{sorted(names - row.keys())[0]}")
        if row.keys() - names:
            raise InvalidInput("no such column", field=f"{where}.{sorted(row.keys() - names)[0]}")
        decoded.append({c.name: _decode(c, row[c.name], f"{where}.{c.name}") for c in table.c})
    return decoded


# --- the document --------------------------------------------------------------------------


def _header(data: object) -> tuple[str, dict[str, list[Any]]]:
    """The clinic id and the tables of a backup document, or InvalidInput naming the field."""
    if not isinstance(data, dict):
        raise InvalidInput("a backup must be a JSON object", field="backup")
    if data.get("format") != FORMAT:
        raise InvalidInput(f"expected {FORMAT!r}", field="format")
    version = data.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise InvalidInput(f"this version reads format {FORMAT_VERSION}, not {version!r}", field="format_version")
    clinic = data.get("clinic")
    if not isinstance(clinic, dict) or not isinstance(clinic.get("id"), str):
        raise InvalidInput("give the clinic with its id", field="clinic.id")
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise InvalidInput("expected an object of tables", field="tables")
    for name in repo.TABLE_NAMES:
        if not isinstance(tables.get(name), list):
            raise InvalidInput("missing, or not a list of rows", field=f"tables.{name}")
    unknown = sorted(set(tables) - set(repo.TABLE_NAMES))
    if unknown:
        raise InvalidInput("no such table", field=f"tables.{unknown[0]}")
    if tables["clinics"] != [clinic]:
        raise InvalidInput("must hold exactly the clinic of the backup", field="tables.clinics")
    return clinic["id"], tables


def _check_references(clinic_id: str, decoded: dict[str, list[dict[str, Any]]]) -> None:
    """Every row belongs to the clinic and refers only to rows of this backup.

    Without this a crafted backup could attach rows to another clinic's patient or treatment
    that happens to be stored in the target database.
    """
    ids = {name: {row["id"] for row in rows} for name, rows in decoded.items()}
    for table in repo.TABLES:
        rows = decoded[table.name]
        if len(ids[table.name]) != len(rows):
            raise InvalidInput("an id occurs twice", field=f"tables.{table.name}")
        links = [(c.name, fk.target_fullname.partition(".")[0]) for c in table.c for fk in c.foreign_keys]
        for i, row in enumerate(rows):
            if "clinic_id" in table.c and row["clinic_id"] != clinic_id:
                raise InvalidInput("must be the clinic of the backup", field=f"tables.{table.name}[{i}].clinic_id")
            for name, target in links:
                if row[name] is not None and row[name] not in ids[target]:
                    raise InvalidInput(
                        f"{row[name]} is not in this backup's {target}",
                        field=f"tables.{table.name}[{i}].{name}",
                    )


def _check_evidence(clinic_id: str, decoded: dict[str, list[dict[str, Any]]]) -> None:
    """The clinic's audit chain links, its signed treatments match their hashes and every user
    was created in the chain: a changed dose, a removed event or an added admin is refused."""
    report = verify_clinic_rows(clinic_id, decoded)
    if not report.ok:
        shown = "; ".join(report.problems[:3])
        more = f" (and {len(report.problems) - 3} more)" if len(report.problems) > 3 else ""
        raise InvalidInput(f"the backup does not verify: {shown}{more}", field="backup")


def export_clinic(session: Session, clinic_id: str) -> dict[str, Any]:
    """A portable backup of one clinic: every row of every table, in a fixed order."""
    repo.read_one_snapshot(session)
    session.flush()  # the reads below are Core and would not see objects still pending
    if not repo.clinic_exists(session, clinic_id):
        raise NotFound(f"no clinic {clinic_id}", field="clinic_id")
    tables = {
        table.name: [_encode_row(table, row) for row in repo.rows(session, table, clinic_id)] for table in repo.TABLES
    }
    # A backup that restore would refuse is no backup: say so now, naming what is wrong.
    try:
        decoded = {table.name: _decode_table(table, tables[table.name]) for table in repo.TABLES}
    except InvalidInput as exc:
        raise InvalidInput(f"a stored value could not be restored ({exc.message})", field=exc.field) from None
    try:
        _check_evidence(clinic_id, decoded)
    except InvalidInput as exc:
        raise InvalidInput(
            f"the stored records do not verify (see `toxplan audit verify`), so no backup was written: {exc.message}",
            field="clinic_id",
        ) from None
    # Logged after reading, and at installation level, so neither this backup nor any later
    # one of the clinic contains it.
    total = sum(len(rows) for rows in tables.values())
    log(session, None, "export", "clinic", entity_id=clinic_id, detail=f"{total} rows")
    return {
        "clinic": dict(tables["clinics"][0]),
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tables": dict(sorted(tables.items())),
    }


def import_clinic(session: Session, data: object) -> str:
    """Restore a backup into a database that does not hold its clinic; returns the clinic id.

    The document, and that none of its ids is stored yet, are checked before the first
    insert; rows go in parents first, with their ids and values unchanged. One transaction
    (the caller's): a refusal, even by the database mid-way, leaves nothing behind.
    """
    clinic_id, tables = _header(data)
    session.flush()
    if repo.clinic_exists(session, clinic_id):
        raise Conflict(f"clinic {clinic_id} is already stored here", field="clinic.id")
    decoded = {table.name: _decode_table(table, tables[table.name]) for table in repo.TABLES}
    _check_references(clinic_id, decoded)
    for table in repo.TABLES:
        taken = repo.taken_ids(session, table, (row["id"] for row in decoded[table.name]))
        if taken:
            raise Conflict(f"{len(taken)} id(s) already stored, e.g. {min(taken)}", field=f"tables.{table.name}")
    _check_evidence(clinic_id, decoded)
    for table in repo.TABLES:
        try:
            repo.insert_rows(session, table, decoded[table.name])
        except (IntegrityError, DataError) as exc:  # e.g. two users with one e-mail address
            reason = str(exc.orig).splitlines()[0] if exc.orig else "refused"
            raise InvalidInput(f"the database refused a row: {reason}", field=f"tables.{table.name}") from exc
    total = sum(len(rows) for rows in decoded.values())
    log(session, None, "import", "clinic", entity_id=clinic_id, detail=f"{total} rows")
    return clinic_id
