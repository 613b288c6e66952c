"""The database's last word on bad values: nothing over-long or with NUL is ever written, and
what the database refuses becomes a typed error, never a server error.

The schemas of every surface already refuse such input naming the field (``toxplan.limits``);
these guards catch what slips past them (a code path without a schema, a value the code made
itself) on SQLite, which would store it, and on PostgreSQL, which would fail.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from sqlalchemy.orm import Session, UOWTransaction

from toxplan.errors import Conflict, InvalidInput, ToxPlanError

UNIQUE_FIELDS = {
    "one_cosignature": ("treatment_id", "this treatment is already co-signed"),
    "clinic_product_lot": ("lot_number", "this lot number is already recorded for this product"),
    "clinic_email": ("email", "this e-mail address already has an account in this clinic"),
    "follow_up_version": ("follow_up_id", "another review of this follow-up was recorded at the same moment"),
}
"""Unique constraints by name: the field to blame and what to say when a write collides."""


def _check_text(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    """Every text about to be written fits its column and has no NUL, or the flush is refused
    naming the column."""
    for instance in (*session.new, *session.dirty):
        for column in inspect(instance).mapper.columns:
            value = getattr(instance, column.key, None)
            if not isinstance(value, str):
                continue
            if "\x00" in value:
                raise InvalidInput("must not contain NUL characters", field=column.key)
            # Str and LongText name their limit; a plain String(n) has its length.
            limit = getattr(column.type, "max_chars", None) or getattr(column.type, "length", None)
            if limit is not None and len(value) > limit:
                raise InvalidInput(f"at most {limit} characters (got {len(value)})", field=column.key)


event.listen(Session, "before_flush", _check_text)


def as_typed_error(exc: Exception) -> ToxPlanError | None:
    """The typed error a refused statement stands for, or None for a real failure (lost
    connection, missing table) that must stay a server error."""
    if isinstance(exc, IntegrityError):
        name = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)  # PostgreSQL
        text = str(exc.orig)
        for constraint, (field, message) in UNIQUE_FIELDS.items():
            if name == constraint or (name is None and _sqlite_names(constraint, text)):
                return Conflict(message, field=field)
        return Conflict(f"the records refused this change: {_first_line(exc)}", field=None)
    if isinstance(exc, DataError):  # PostgreSQL: too long, NUL, out of range
        return InvalidInput(f"the database refused a value: {_first_line(exc)}", field=None)
    if isinstance(exc, StatementError) and isinstance(exc.orig, (ValueError, OverflowError)):
        return InvalidInput(str(exc.orig), field=None)  # refused before it was sent (NUL, huge number)
    return None


def _first_line(exc: StatementError) -> str:
    lines = str(exc.orig or exc).splitlines()
    return lines[0] if lines else "refused"


_SQLITE_COLUMNS = {
    "one_cosignature": "cosignatures.treatment_id",
    "clinic_product_lot": "lots.clinic_id, lots.product, lots.lot_number",
    "clinic_email": "users.clinic_id, users.email",
    "follow_up_version": "follow_up_reviews.follow_up_id, follow_up_reviews.version",
}


def _sqlite_names(constraint: str, text: str) -> bool:
    """SQLite names the columns, not the constraint: 'UNIQUE constraint failed: lots.clinic_id, ...'."""
    return text.startswith("UNIQUE constraint failed: ") and text.endswith(_SQLITE_COLUMNS[constraint])
