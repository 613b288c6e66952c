"""The clinical core stays pure: it imports no outer layer, framework or I/O library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "toxplan"
OUTER_LAYERS = (
    "toxplan.cli",
    "toxplan.db",
    "toxplan.services",
    "toxplan.api",
    "toxplan.web",
    "toxplan.reports",
    "toxplan.fhir",
    "toxplan.interop",
    "toxplan.photo",
)
FRAMEWORKS = (
    "typer",
    "click",
    "yaml",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "httpx",
    "toxplan.knowledge.loader",
    "os",
    "subprocess",
    "socket",
    "sqlite3",
    "PIL",
    "mediapipe",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    problems = []
    for path in sorted((SRC / package).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                problems.append(f"{path.relative_to(SRC)} imports {module}")
    return problems


@pytest.mark.parametrize("package", ["domain", "knowledge"])
def test_core_imports_no_outer_layer(package: str) -> None:
    assert offending(package, OUTER_LAYERS) == []


def test_domain_does_no_io_and_uses_no_framework() -> None:
    assert offending("domain", FRAMEWORKS) == []


def test_import_linter_contracts_hold() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(linter)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
