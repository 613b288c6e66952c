"""All SQL lives in ``toxplan.db.repositories``: the services, the API, the pages and the CLI
build no statements of their own (they call a repository function instead)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "toxplan"
SURFACES = ("services", "api", "web", "cli")
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


@pytest.mark.parametrize("package", SURFACES)
def test_no_sql_outside_the_repositories(package: str) -> None:
    problems = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in sorted((SRC / package).rglob("*.py"))
        for name in sql_imports(path)
    ]
    assert problems == []


def test_the_scan_sees_a_select() -> None:
    offenders = [p for p in sorted((SRC / "db" / "repositories").rglob("*.py")) if sql_imports(p)]
    assert offenders, "the repositories build queries; the scan should find them"
