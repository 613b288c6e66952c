"""Declarative base: one naming convention for constraints, UUID string keys, UTC times."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from toxplan.limits import ID

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Str(TypeDecorator[str]):
    """VARCHAR(n) that refuses NUL characters before any SQL is sent, in writes and lookups
    alike: PostgreSQL would fail on them and SQLite would store what no restore accepts.
    Lengths are enforced on every flush (``db.guards``) with the column named."""

    impl = String
    cache_ok = True

    @property
    def max_chars(self) -> int | None:
        impl = self.impl_instance
        return impl.length if isinstance(impl, String) else None

    def process_bind_param(self, value: str | None, dialect: object) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        return value


class LongText(TypeDecorator[str]):
    """TEXT that refuses NUL characters (see ``Str``), with an optional length that every
    flush enforces (free text a person writes; generated text such as findings has none)."""

    impl = Text
    cache_ok = True

    def __init__(self, max_chars: int | None = None) -> None:
        super().__init__()
        self.max_chars = max_chars

    def process_bind_param(self, value: str | None, dialect: object) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class IdMixin:
    id: Mapped[str] = mapped_column(Str(ID), primary_key=True, default=new_id)
