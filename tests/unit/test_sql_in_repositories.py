"""All SQL lives in ``toxplan.db.repositories``: the services, sign-in, the API, the pages and
the CLI build no statements of their own and load no row by key (``session.get``); they call a
repository function instead."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "toxplan"
SURFACES = ("services", "auth", "api", "web", "cli", "reports", "interop")
STATEMENT_BUILDERS = frozenset(
    {
        "select",
        "insert",
        "update",
        "delete",
        "text",
        "func",
        "exists",
        "union",
        "union_all",
        "literal_column",
        "table",
        "column",
        "and_",
        "or_",
        "not_",
    }
)
"""Names from sqlalchemy (or any of its submodules) that only serve to write a query."""


def sql_imports(path: Path) -> list[str]:
    """``module.name`` for every statement builder the file imports from sqlalchemy, and
    ``sqlalchemy`` itself when the package is imported whole (``sqlalchemy.select(...)``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            found += [f"{node.module}.{a.name}" for a in node.names if a.name in STATEMENT_BUILDERS or a.name == "*"]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name == "sqlalchemy" or a.name.startswith("sqlalchemy.sql")]
    return found


SESSION_NAMES = frozenset({"session", "db"})
"""What the surfaces call their SQLAlchemy session (``DB`` in routes, ``session`` elsewhere)."""


def session_gets(path: Path) -> list[int]:
    """Lines that load a row by key straight from the session: ``session.get(Model, key)``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in SESSION_NAMES
        and len(node.args) == 2  # dict.get(key) takes one; Session.get(Model, key) two
    ]


def _files(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


@pytest.mark.parametrize("package", SURFACES)
def test_no_sql_outside_the_repositories(package: str) -> None:
    problems = [f"{path.relative_to(SRC)} imports {name}" for path in _files(package) for name in sql_imports(path)]
    problems += [
        f"{path.relative_to(SRC)}:{line} calls session.get" for path in _files(package) for line in session_gets(path)
    ]
    assert problems == []


def test_the_scan_sees_a_select_and_a_session_get() -> None:
    offenders = [p for p in _files("db/repositories") if sql_imports(p)]
    assert offenders, "the repositories build queries; the scan should find them"
    getters = [p for p in _files("db/repositories") if session_gets(p)]
    assert getters, "the repositories load rows by key; the scan should find them"
