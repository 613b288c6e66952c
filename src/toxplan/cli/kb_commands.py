"""``toxplan kb``: browse and validate the knowledge base."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from toxplan import kb_views
from toxplan.cli.common import settings
from toxplan.cli.loading import knowledge
from toxplan.errors import KnowledgeBaseError, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import default_directory, load

T = TypeVar("T")

app = typer.Typer(help="Browse and validate the knowledge base.", no_args_is_help=True)


class Format(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="Output format.")]
ProductOption = Annotated[str | None, typer.Option(help="Only what concerns this product.")]
IndicationOption = Annotated[str | None, typer.Option(help="Only what concerns this indication.")]


def _kb() -> KnowledgeBase:
    try:
        return knowledge()
    except KnowledgeBaseError as exc:
        typer.echo(f"toxplan: {exc}", err=True)
        raise typer.Exit(3) from None


def _guard(build: Callable[[], T]) -> T:
    """Unknown products or indications end the command with a message, not a traceback."""
    try:
        return build()
    except NotFound as exc:
        typer.echo(f"toxplan: error: {exc}", err=True)
        raise typer.Exit(2) from None


def _product_id(kb: KnowledgeBase, name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return kb.product(name).id
    except NotFound as exc:
        typer.echo(f"toxplan: error: {exc}", err=True)
        raise typer.Exit(2) from None


def _check_indication(kb: KnowledgeBase, indication: str | None) -> None:
    if indication is not None and indication not in kb.indications:
        typer.echo(f"toxplan: error: indication: unknown indication {indication!r}", err=True)
        raise typer.Exit(2)


def _out(data: Any, format: Format, text_lines: list[str]) -> None:
    if format is Format.json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        typer.echo("\n".join(text_lines) if text_lines else "(none)")


@app.command()
def products(format: FormatOption = Format.text) -> None:
    """Products: brands, vials, label reconstitution table, in-use time, label indications."""
    data = kb_views.products(_kb())
    lines = [f"{d['id']:<22} {', '.join(d['brands']):<28} label: {', '.join(d['on_label_indications'])}" for d in data]
    _out(data, format, lines)


@app.command()
def indications(product: ProductOption = None, format: FormatOption = Format.text) -> None:
    """Indications, and which products carry each on their label."""
    data = _guard(lambda: kb_views.indications(_kb(), product))
    lines = [f"{d['id']:<34} {d['category']:<11} label: {', '.join(d['on_label_products']) or '-'}" for d in data]
    _out(data, format, lines)


@app.command()
def sites(
    product: ProductOption = None, indication: IndicationOption = None, format: FormatOption = Format.text
) -> None:
    """Injection sites with muscle, depth and template position (mm, in their view's frame)."""
    data = _guard(lambda: kb_views.sites(_kb(), product, indication))
    lines = [
        f"{d['id']:<36} {d['muscle']:<36} {d['depth']:<14} "
        + (
            "-"
            if d["position"] is None
            else f"{d['position']['view']} ({d['position']['x_mm']}, {d['position']['y_mm']})"
        )
        for d in data
    ]
    _out(data, format, lines)


@app.command()
def landmarks(format: FormatOption = Format.text) -> None:
    """Template-face landmarks in mm (front view: origin between the pupils, x to the
    patient's left, y up; side views: origin at the tragus; back view: origin at the inion)."""
    data = kb_views.landmarks(_kb())
    lines = [f"{k:<36} {v['view']:<6} x {v['x_mm']:>7}  y {v['y_mm']:>7}" for k, v in data.items() if v]
    _out(data, format, lines)


@app.command()
def interactions(format: FormatOption = Format.text) -> None:
    """The label's interaction classes and the drugs recognised in each."""
    data = kb_views.interactions(_kb())
    lines = [
        f"{d['id']}: {d['name']} ({len(d['drugs'])} drugs)\n  " + ", ".join(x["name"] for x in d["drugs"]) for d in data
    ]
    _out(data, format, lines)


@app.command()
def sources(format: FormatOption = Format.text) -> None:
    """Every source the knowledge base cites, with its evidence level and tier."""
    data = kb_views.sources(_kb())
    lines = [f"{c['id']:<40} [{c['evidence']}, {c['tier']}] {c['title']} — {c['url'] or c['publisher']}" for c in data]
    _out(data, format, lines)


@app.command()
def validate(
    directory: Annotated[
        Path | None,
        typer.Option(help="Knowledge directory (default: $TOXPLAN_KNOWLEDGE_DIR, else the installed one)."),
    ] = None,
) -> None:
    """Load and cross-check every knowledge file; exit 1 listing every problem."""
    target = directory or settings().knowledge_dir or default_directory()
    try:
        kb = load(target)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s) in {target}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"ok: {kb.manifest.name} {kb.version}: {len(kb.products)} products, "
        f"{len(kb.indications)} indications, {len(kb.regimens)} regimens, {len(kb.sites)} sites, "
        f"{len(kb.landmarks)} landmarks, {len(kb.danger_zones)} danger zones, "
        f"{sum(len(c.drugs) for c in kb.interactions.classes)} interacting drugs, "
        f"{len(kb.conditions)} conditions, {len(kb.citations)} sources"
    )
