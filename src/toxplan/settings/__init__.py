"""Runtime settings: every ``TOXPLAN_*`` environment variable, read and checked in one place.

This package is the only code that reads the environment. ``get_settings()`` builds one
``Settings`` at start (the CLI before any command, ``toxplan serve``, each server worker) and
hands it to the app, the commands and the knowledge loader; a bad value stops the start with
an ``InvalidInput`` whose ``field`` names the variable. The README's table lists every variable
(a test keeps it, ``VARIABLES`` and the code in step). No framework is imported here:
``toxplan check`` reads its settings too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toxplan.errors import InvalidInput
from toxplan.settings.security import SecuritySettings, security_from

DEFAULT_DATA_DIR = Path("data")
POLICY_VARIABLE = "TOXPLAN_POLICY"
DEMO_VARIABLE = "TOXPLAN_DEMO"
BACKUP_PASSPHRASE_VARIABLE = "TOXPLAN_BACKUP_PASSPHRASE"

VARIABLES: dict[str, str] = {
    "TOXPLAN_DATABASE_URL": "database_url",
    "TOXPLAN_DATA_DIR": "data_dir",
    "TOXPLAN_MIGRATION_DATABASE_URL": "migration_database_url",
    "TOXPLAN_KNOWLEDGE_DIR": "knowledge_dir",
    "TOXPLAN_CACHE_DIR": "cache_dir",
    POLICY_VARIABLE: "policy_path",
    "TOXPLAN_TRUSTED_PROXIES": "security.trusted_proxies",
    "TOXPLAN_IDLE_TIMEOUT_MINUTES": "security.idle_timeout",
    "TOXPLAN_SESSION_HOURS": "security.session_lifetime",
    "TOXPLAN_REQUIRE_SECOND_FACTOR": "security.second_factor_roles",
    DEMO_VARIABLE: "security.demo",
}
"""Each variable and the ``Settings`` attribute (dotted path) it sets."""

SECRETS: dict[str, str] = {
    BACKUP_PASSPHRASE_VARIABLE: "read by backup_passphrase() only while a backup or restore runs",
}
"""Variables never kept in ``Settings``: their values are secrets, read when needed."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    """SQLAlchemy URL. Default: an SQLite file under ``TOXPLAN_DATA_DIR`` (``./data``)."""
    data_dir: Path
    migration_database_url: str = ""
    """The tables' owner, for ``toxplan db upgrade`` (``TOXPLAN_MIGRATION_DATABASE_URL``); empty:
    the application's own URL. On PostgreSQL the application should run as another role,
    which ``db upgrade`` grants row access but no right to truncate, alter or drop."""
    knowledge_dir: Path | None = None
    """The knowledge base's folder; None: the one shipped with ToxPlan."""
    cache_dir: Path | None = None
    """Where the checked knowledge base is cached between processes; None: no cache."""
    policy_path: Path | None = None
    """The clinic policy file (YAML) that makes rules stricter, for ``check`` and ``serve``."""
    security: SecuritySettings = field(default_factory=SecuritySettings)
    """Sign-in settings (``toxplan.settings.security``)."""

    @property
    def owner_url(self) -> str:
        return self.migration_database_url or self.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def get_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``env`` (default: the environment); built on demand, never at import time.
    A bad value raises InvalidInput naming its variable."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("TOXPLAN_DATA_DIR") or DEFAULT_DATA_DIR)
    url = env.get("TOXPLAN_DATABASE_URL") or f"sqlite:///{data_dir / 'toxplan.db'}"
    owner = env.get("TOXPLAN_MIGRATION_DATABASE_URL") or ""
    return Settings(
        database_url=normalise_url(url),
        data_dir=data_dir,
        migration_database_url=normalise_url(owner) if owner else "",
        knowledge_dir=_existing(env, "TOXPLAN_KNOWLEDGE_DIR", Path.is_dir, "folder"),
        cache_dir=_cache_dir(env),
        policy_path=_existing(env, POLICY_VARIABLE, Path.is_file, "file"),
        security=security_from(env),
    )


def _existing(env: Mapping[str, str], name: str, exists: Callable[[Path], bool], kind: str) -> Path | None:
    given = env.get(name)
    if not given:
        return None
    path = Path(given)
    if not exists(path):
        raise InvalidInput(f"there is no {kind} {given}", field=name)
    return path


def _cache_dir(env: Mapping[str, str]) -> Path | None:
    """``TOXPLAN_CACHE_DIR``; set but empty turns the cache off; unset: the user's cache folder."""
    configured = env.get("TOXPLAN_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "toxplan"


def backup_passphrase() -> str | None:
    """``TOXPLAN_BACKUP_PASSPHRASE``, read only when a backup needs it, so it is never kept."""
    return os.environ.get(BACKUP_PASSPHRASE_VARIABLE) or None


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
