"""Alembic environment: migrations run on the engine the caller passes in."""

from __future__ import annotations

from alembic import context

import toxplan.db.models  # noqa: F401  (registers every table)
from toxplan.db.base import Base

engine = context.config.attributes["engine"]
sqlite = engine.dialect.name == "sqlite"


def _foreign_keys(connection: object, on: bool) -> None:
    """On SQLite a batch migration rebuilds a table (copy, drop, rename), and dropping a table
    that other rows point to fails while foreign keys are enforced: they are off for the
    migration and checked before it commits. Set on the driver, outside any transaction:
    inside one, SQLite ignores the pragma."""
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")  # type: ignore[attr-defined]


with engine.connect() as connection:
    if sqlite:
        _foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
        connection.commit()
    finally:
        if sqlite:
            connection.rollback()
            _foreign_keys(connection, on=True)
