"""Alembic environment: migrations run on the engine the caller passes in."""

from __future__ import annotations

from alembic import context

import toxplan.db.models  # noqa: F401  (registers every table)
from toxplan.db.base import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=engine.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
