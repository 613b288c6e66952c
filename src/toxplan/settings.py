"""Runtime settings, read from the environment (prefix ``TOXPLAN_``) with safe defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from toxplan.auth.config import SecuritySettings, security_from

DEFAULT_DATA_DIR = Path("data")


@dataclass(frozen=True)
class Settings:
    database_url: str
    """SQLAlchemy URL. Default: an SQLite file under ``TOXPLAN_DATA_DIR`` (``./data``)."""
    data_dir: Path
    migration_database_url: str = ""
    """The tables' owner, for ``toxplan db upgrade`` (``TOXPLAN_MIGRATION_DATABASE_URL``); empty:
    the application's own URL. On PostgreSQL the application should run as another role,
    which ``db upgrade`` grants row access but no right to truncate, alter or drop."""
    security: SecuritySettings = field(default_factory=SecuritySettings)
    """Sign-in settings (``toxplan.auth.config``)."""

    @property
    def owner_url(self) -> str:
        return self.migration_database_url or self.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def get_settings() -> Settings:
    """Settings from the environment; built on demand, never at import time."""
    data_dir = Path(os.environ.get("TOXPLAN_DATA_DIR") or DEFAULT_DATA_DIR)
    url = os.environ.get("TOXPLAN_DATABASE_URL") or f"sqlite:///{data_dir / 'toxplan.db'}"
    owner = os.environ.get("TOXPLAN_MIGRATION_DATABASE_URL") or ""
    return Settings(
        database_url=normalise_url(url),
        data_dir=data_dir,
        migration_database_url=normalise_url(owner) if owner else "",
        security=security_from(os.environ),
    )


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
