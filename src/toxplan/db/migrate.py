"""Run the Alembic migrations programmatically (``toxplan db upgrade`` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


APPEND_ONLY = (
    "audit_events",
    "treatments",
    "treatment_injections",
    "treatment_findings",
    "cosignatures",
    "addenda",
    "follow_up_reviews",
)
"""Tables the application may read and add to, never change, empty or alter."""


def grant_app_role(owner: Engine, app_role: str) -> None:
    """Give the application's PostgreSQL role what it needs on the tables the owner migrated,
    and nothing more: read, add, change and remove rows, except that the append-only tables
    only take new rows. Not being the owner, the role can never TRUNCATE, ALTER or DROP a
    table, nor disable or drop the triggers that guard the append-only tables.

    Run after every upgrade (``toxplan db upgrade`` does), so tables a migration adds are
    granted too. PostgreSQL only; SQLite has no roles.
    """
    if owner.dialect.name != "postgresql":
        raise ValueError("roles exist on PostgreSQL only")
    role = owner.dialect.identifier_preparer.quote(app_role)
    with owner.begin() as connection:
        owner_role = connection.exec_driver_sql("SELECT current_user").scalar()
        if owner_role == app_role:
            raise ValueError("the application role must not be the owner of the tables")
        for statement in (
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"REVOKE CREATE ON SCHEMA public FROM {role}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            f"REVOKE UPDATE, DELETE ON {', '.join(APPEND_ONLY)} FROM {role}",
            f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        ):
            connection.exec_driver_sql(statement)
