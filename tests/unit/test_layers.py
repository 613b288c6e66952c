"""The clinical core stays pure: it imports no outer layer, framework or I/O library, and its
layers only look down: primitives beneath the knowledge base beneath the domain."""

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
    "toxplan.app",
    "toxplan.api",
    "toxplan.web",
    "toxplan.http",
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


@pytest.mark.parametrize("package", ["domain", "knowledge", "primitives"])
def test_core_imports_no_outer_layer(package: str) -> None:
    assert offending(package, OUTER_LAYERS) == []


@pytest.mark.parametrize("package", ["domain", "primitives"])
def test_domain_does_no_io_and_uses_no_framework(package: str) -> None:
    assert offending(package, FRAMEWORKS) == []


def test_the_knowledge_base_does_not_import_the_domain() -> None:
    """The domain builds on the knowledge base, never the other way round (no cycle)."""
    assert offending("knowledge", ("toxplan.domain",)) == []


def test_primitives_import_nothing_of_toxplan_but_themselves() -> None:
    own = ("toxplan.primitives",)
    problems = [
        line
        for line in offending("primitives", ("toxplan",))
        if not any(line.endswith(f" imports {m}") or f" imports {m}." in line for m in own)
    ]
    assert problems == []


def test_the_domain_keeps_its_geometry_names() -> None:
    """Callers placing sites on other landmarks (a photo) import them from the domain."""
    from toxplan.domain import geometry  # noqa: PLC0415
    from toxplan.primitives import geometry as primitive  # noqa: PLC0415

    for name in ("Position", "place", "compile_zone", "inside", "outline", "distance_mm", "landmark_id"):
        assert getattr(geometry, name) is getattr(primitive, name)


def test_the_api_and_the_pages_never_import_each_other() -> None:
    """The app factory (toxplan.app) mounts both; what both need lives in toxplan.http."""
    assert offending("api", ("toxplan.web", "toxplan.app")) == []
    assert offending("web", ("toxplan.api", "toxplan.app")) == []
    assert offending("http", ("toxplan.api", "toxplan.web", "toxplan.app")) == []


def test_import_linter_contracts_hold() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(linter)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
