"""The knowledge base as JSON-ready data, shared by ``toxplan kb`` and the API."""

from __future__ import annotations

from typing import Any

from toxplan.domain.geometry import compile_zone, outline
from toxplan.errors import NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.presenters import number, position_json


def products(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "inn": p.inn,
            "brands": list(p.brands),
            "manufacturer": p.manufacturer,
            "vial_sizes": [number(v.units) for v in p.vial_sizes],
            "presentation": p.presentation,
            "units_per_ml": None if p.solution is None else number(p.solution.units_per_ml),
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
        for p in kb.products.values()
    ]


def indications(kb: KnowledgeBase, product: str | None = None) -> list[dict[str, Any]]:
    only = kb.product(product).id if product else None
    found = []
    for ind in kb.indications.values():
        regimens = {p: r for (p, i), r in kb.regimens.items() if i == ind.id}
        if only is not None and only not in regimens:
            continue
        found.append(
            {
                "id": ind.id,
                "name": ind.name,
                "category": ind.category,
                "region": ind.region,
                "on_label_products": sorted(p for p, r in regimens.items() if r.label_status == "on_label"),
                "off_label_regimens": sorted(p for p, r in regimens.items() if r.label_status == "off_label"),
                "variants": {p: [v.id for v in r.variants] for p, r in sorted(regimens.items())},
                "citations": list(ind.citations),
            }
        )
    return found


def sites(kb: KnowledgeBase, product: str | None = None, indication: str | None = None) -> list[dict[str, Any]]:
    only = kb.product(product).id if product else None
    if indication is not None and indication not in kb.indications:
        raise NotFound(f"unknown indication {indication!r}", field="indication")
    wanted: set[str] | None = None
    if only is not None or indication is not None:
        chosen = [
            r
            for (p, i), r in kb.regimens.items()
            if (only is None or p == only) and (indication is None or i == indication)
        ]
        wanted = {step.site for r in chosen for v in r.variants for step in v.pattern}
        wanted |= {s for r in chosen for t in r.muscle_tables for row in t.rows for s in kb.muscle_sites(row.muscle)}
    return [
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


def landmarks(kb: KnowledgeBase) -> dict[str, Any]:
    return {k: position_json(v) for k, v in kb.template.items()}


def interactions(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "name": c.name,
            "effect": c.effect,
            "severity": c.severity,
            "drugs": [{"name": d.name, "brands": list(d.brands), "atc": list(d.atc), "link": d.link} for d in c.drugs],
            "citations": list(c.citations),
        }
        for c in kb.interactions.classes
    ]


def sources(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in kb.citations.values()]


def danger_zones(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Each zone with its drawing on the template face (``outline``) and its exemptions."""
    return [
        {
            "id": z.id,
            "name": z.name,
            "reason": z.reason,
            "severity": z.severity,
            "view": z.view,
            "shape": z.shape.model_dump(mode="json"),
            "outline": outline(compile_zone(z.shape, kb.template, z.view)),
            "exemptions": [e.model_dump(mode="json") for e in z.exemptions],
            "citations": list(z.citations),
        }
        for z in kb.danger_zones
    ]
