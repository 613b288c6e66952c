"""``toxplan kb``: browse and validate the knowledge base."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from toxplan.cli.render import number, position_json
from toxplan.errors import KnowledgeBaseError, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import ENV_DIR, default_directory, load, load_cached

app = typer.Typer(help="Browse and validate the knowledge base.", no_args_is_help=True)


class Format(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="Output format.")]
ProductOption = Annotated[str | None, typer.Option(help="Only what concerns this product.")]
IndicationOption = Annotated[str | None, typer.Option(help="Only what concerns this indication.")]


def _kb() -> KnowledgeBase:
    try:
        return load_cached(os.environ.get(ENV_DIR) or None)
    except KnowledgeBaseError as exc:
        typer.echo(f"toxplan: {exc}", err=True)
        raise typer.Exit(3) from None


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
    kb = _kb()
    data: list[dict[str, Any]] = []
    for p in kb.products.values():
        data.append(
            {
                "id": p.id,
                "inn": p.inn,
                "brands": list(p.brands),
                "manufacturer": p.manufacturer,
                "vial_sizes": [number(v.units) for v in p.vial_sizes],
                "reconstitution": [
                    {
                        "vial_units": number(r.vial_units),
                        "diluent_ml": number(r.diluent_ml),
                        "units_per_0_1_ml": number(r.units_per_0_1_ml),
                    }
                    for r in p.reconstitution
                ],
                "in_use_hours": None if p.in_use is None else number(p.in_use.hours),
                "contains_human_albumin": p.formulation.contains_human_albumin,
                "contains_milk_protein": p.formulation.contains_milk_protein,
                "on_label_indications": kb.on_label_indications(p.id),
                "citations": list(p.citations),
            }
        )
    lines = [
        f"{d['id']:<22} {', '.join(d['brands']):<28} label: {', '.join(d['on_label_indications'])}"
        for d in data
    ]
    _out(data, format, lines)


@app.command()
def indications(product: ProductOption = None, format: FormatOption = Format.text) -> None:
    """Indications, and which products carry each on their label."""
    kb = _kb()
    only = _product_id(kb, product)
    data: list[dict[str, Any]] = []
    for ind in kb.indications.values():
        regimens = {p: r for (p, i), r in kb.regimens.items() if i == ind.id}
        if only is not None and only not in regimens:
            continue
        data.append(
            {
                "id": ind.id,
                "name": ind.name,
                "category": ind.category,
                "region": ind.region,
                "on_label_products": sorted(p for p, r in regimens.items() if r.label_status == "on_label"),
                "off_label_regimens": sorted(p for p, r in regimens.items() if r.label_status == "off_label"),
                "citations": list(ind.citations),
            }
        )
    lines = [
        f"{d['id']:<34} {d['category']:<11} label: {', '.join(d['on_label_products']) or '-'}" for d in data
    ]
    _out(data, format, lines)


@app.command()
def sites(
    product: ProductOption = None, indication: IndicationOption = None, format: FormatOption = Format.text
) -> None:
    """Injection sites with muscle, depth and template position (mm, in their view's frame)."""
    kb = _kb()
    only = _product_id(kb, product)
    _check_indication(kb, indication)
    wanted: set[str] | None = None
    if only is not None or indication is not None:
        wanted = {
            step.site
            for (p, i), r in kb.regimens.items()
            if (only is None or p == only) and (indication is None or i == indication)
            for v in r.variants
            for step in v.pattern
        }
    data: list[dict[str, Any]] = [
        {
            "id": s.id,
            "name": s.name,
            "indications": list(s.indications),
            "muscle": s.muscle,
            "depth": s.depth,
            "position": position_json(s.position),
            "description": s.definition.description,
        }
        for s in kb.sites.values()
        if wanted is None or s.id in wanted
    ]
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
    kb = _kb()
    data = {k: position_json(v) for k, v in kb.template.items()}
    lines = [f"{k:<36} {v['view']:<6} x {v['x_mm']:>7}  y {v['y_mm']:>7}" for k, v in data.items() if v]
    _out(data, format, lines)


@app.command()
def interactions(format: FormatOption = Format.text) -> None:
    """The label's interaction classes and the drugs recognised in each."""
    kb = _kb()
    data: list[dict[str, Any]] = [
        {
            "id": c.id,
            "name": c.name,
            "effect": c.effect,
            "severity": c.severity,
            "drugs": [
                {"name": d.name, "brands": list(d.brands), "atc": list(d.atc), "link": d.link}
                for d in c.drugs
            ],
            "citations": list(c.citations),
        }
        for c in kb.interactions.classes
    ]
    lines = [
        f"{d['id']}: {d['name']} ({len(d['drugs'])} drugs)\n  " + ", ".join(x["name"] for x in d["drugs"])
        for d in data
    ]
    _out(data, format, lines)


@app.command()
def sources(format: FormatOption = Format.text) -> None:
    """Every source the knowledge base cites, with its evidence level and tier."""
    kb = _kb()
    data: list[dict[str, Any]] = [c.model_dump(mode="json") for c in kb.citations.values()]
    lines = [
        f"{c['id']:<40} [{c['evidence']}, {c['tier']}] {c['title']} — {c['url'] or c['publisher']}"
        for c in data
    ]
    _out(data, format, lines)


@app.command()
def validate(
    directory: Annotated[
        Path | None, typer.Option(help="Knowledge directory (default: the installed one).")
    ] = None,
) -> None:
    """Load and cross-check every knowledge file; exit 1 listing every problem."""
    target = directory or default_directory()
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
