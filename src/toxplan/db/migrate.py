"""Run the Alembic migrations programmatically (``toxplan db upgrade`` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from toxplan.errors import Conflict, InvalidInput

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"
"""New revision files are named like the others: ``2026_12_03_r1201_clinic_phone.py``."""


def alembic_config(engine: Engine, script_location: Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location or MIGRATIONS))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.attributes["engine"] = engine
    return config


def new_revision(
    engine: Engine, message: str, *, rev_id: str | None = None, script_location: Path | None = None
) -> Path:
    """Write a new revision whose upgrade and downgrade Alembic draws from the difference
    between the models and ``engine``'s schema; return its file.

    Refused unless the database is at the newest revision: compared with an older schema the
    draft would repeat changes that earlier revisions already make.
    """
    config = alembic_config(engine, script_location)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != heads:
        at = ", ".join(sorted(current)) or "no revision (an empty database)"
        raise Conflict(
            f"the database is at {at}, not at the newest revision {', '.join(sorted(heads))}: "
            "run `toxplan db upgrade` first, so the new revision holds only the new changes",
            field="database",
        )
    try:
        written = command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
    except CommandError as exc:  # e.g. a revision id that is taken
        raise InvalidInput(str(exc), field="rev_id") from None
    if not isinstance(written, Script):
        raise Conflict("Alembic wrote no single revision", field="database")
    return Path(written.path)


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
