"""`toxplan check` imports only what it uses: no database, web, document or plotting library
(their import alone cost more than the check). Speed itself is measured in bench/, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import request

NEVER_ON_THE_CHECK_PATH = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "jinja2",
    "weasyprint",
    "matplotlib",
    "scipy",
    "argon2",
    "fhir",
    "toxplan.db",
    "toxplan.services",
    "toxplan.app",
    "toxplan.api",
    "toxplan.web",
    "toxplan.http",
    "toxplan.reports",
    "toxplan.interop",
    "toxplan.auth",
)
PROBE = """
import json, sys
from toxplan.cli.main import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def modules_of(args: list[str], cache: Path) -> set[str]:
    env = {**os.environ, "TOXPLAN_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, check=False)
    loaded: list[str] = json.loads(done.stderr.rsplit("MODULES ", 1)[1])
    return set(loaded)


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in NEVER_ON_THE_CHECK_PATH))


def test_check_imports_no_database_web_or_document_code(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request()))
    first = modules_of(["check", str(path), "--format", "json"], tmp_path / "cache")
    assert "toxplan.domain.safety.engine" in first  # it did check
    assert heavy(first) == []
    again = modules_of(["check", str(path), "--format", "json"], tmp_path / "cache")
    assert heavy(again) == []
    assert "yaml" not in again  # the checked knowledge base came from the cache, not the files


def test_the_other_commands_still_load_their_own_modules(tmp_path: Path) -> None:
    assert "toxplan.db.migrate" in modules_of(["db", "--help"], tmp_path / "cache")
