"""One Settings for every TOXPLAN_* variable: each one the code names is read by
``toxplan.settings`` (and only there), listed in the README's table, and checked at start with
an error that names it."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from toxplan import settings as settings_module
from toxplan.errors import InvalidInput
from toxplan.settings import SECRETS, VARIABLES, Settings, get_settings

SRC = ROOT / "src" / "toxplan"
NAME = re.compile(r"\bTOXPLAN_[A-Z][A-Z_]*[A-Z]\b")
EXAMPLES = {
    "TOXPLAN_DATABASE_URL": "postgresql://app@db/toxplan",
    "TOXPLAN_DATA_DIR": "elsewhere",
    "TOXPLAN_MIGRATION_DATABASE_URL": "postgresql://owner@db/toxplan",
    "TOXPLAN_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
    "TOXPLAN_CACHE_DIR": "",
    "TOXPLAN_POLICY": str(ROOT / "pyproject.toml"),  # any file: it is read as the app starts
    "TOXPLAN_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/24",
    "TOXPLAN_IDLE_TIMEOUT_MINUTES": "10",
    "TOXPLAN_SESSION_HOURS": "8",
    "TOXPLAN_REQUIRE_SECOND_FACTOR": "admin",
    "TOXPLAN_DEMO": "yes",
}
"""A valid value, other than the default, for every variable."""


def names_in_source() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*"):
        if path.suffix in {".py", ".html", ".js"} and path.is_file():
            found.update(NAME.findall(path.read_text(encoding="utf-8")))
    return found


def readme_table() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `(TOXPLAN_[A-Z_]+)` \|", text, flags=re.MULTILINE))


def attribute(settings: Settings, path: str) -> Any:
    value: Any = settings
    for part in path.split("."):
        value = getattr(value, part)
    return value


def test_every_variable_the_code_names_is_a_setting_and_in_the_readme_table() -> None:
    named = names_in_source()
    assert "TOXPLAN_KNOWLEDGE_DIR" in named and "TOXPLAN_POLICY" in named  # the search works
    assert named - set(VARIABLES) - set(SECRETS) == set()
    assert readme_table() == set(VARIABLES) | set(SECRETS)


def test_every_variable_sets_its_field() -> None:
    assert set(EXAMPLES) == set(VARIABLES)
    default = get_settings({})
    for name, path in VARIABLES.items():
        changed = get_settings({name: EXAMPLES[name]})
        assert attribute(changed, path) != attribute(default, path), name


def test_the_values_read() -> None:
    settings = get_settings(EXAMPLES)
    assert settings.database_url == "postgresql+psycopg://app@db/toxplan"
    assert settings.owner_url == "postgresql+psycopg://owner@db/toxplan"
    assert settings.knowledge_dir == ROOT / "knowledge"
    assert settings.cache_dir is None  # set but empty: no cache
    assert settings.security.idle_timeout == dt.timedelta(minutes=10)
    assert settings.security.second_factor_roles == {"admin"}
    assert settings.security.demo is True
    assert get_settings({"XDG_CACHE_HOME": "/c"}).cache_dir == Path("/c/toxplan")
    assert get_settings({"TOXPLAN_DATA_DIR": "d"}).database_url == "sqlite:///d/toxplan.db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TOXPLAN_SESSION_HOURS", "twelve"),
        ("TOXPLAN_IDLE_TIMEOUT_MINUTES", "0"),
        ("TOXPLAN_TRUSTED_PROXIES", "the proxy"),
        ("TOXPLAN_REQUIRE_SECOND_FACTOR", "boss"),
        ("TOXPLAN_KNOWLEDGE_DIR", "/no/such/folder"),
        ("TOXPLAN_POLICY", "/no/such/policy.yaml"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        get_settings({name: value})
    assert raised.value.field == name


def test_the_backup_passphrase_is_read_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOXPLAN_BACKUP_PASSPHRASE", "s3cret")
    assert "s3cret" not in repr(get_settings())
    assert settings_module.backup_passphrase() == "s3cret"


READS = re.compile(r"os\.getenv\(|os\.environ\.get\(|os\.environ\[[^\]]+\](?!\s*=)|environ\.copy\(")


def test_only_the_settings_read_the_environment() -> None:
    readers = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if READS.search(path.read_text(encoding="utf-8")) and "settings" not in path.relative_to(SRC).parts
    )
    assert readers == []


def test_the_settings_import_no_framework() -> None:
    """``toxplan check`` reads them; they must not pull in the database or web libraries."""
    probe = "import json, sys; import toxplan.settings; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    heavy = ("sqlalchemy", "fastapi", "starlette", "pydantic", "typer", "yaml", "toxplan.auth", "toxplan.knowledge")
    assert sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in heavy)) == []
