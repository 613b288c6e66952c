"""Plans, findings and knowledge as JSON-ready data and as text for a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from toxplan.domain.checking import CheckedPlan
from toxplan.domain.dilution import show_marks, show_units, show_volume, syringe_marks
from toxplan.domain.geometry import Position
from toxplan.domain.plans import Plan, Totals
from toxplan.domain.safety.findings import Finding
from toxplan.domain.safety.wording import indication_name, strongest_citations
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.numbers import UNITS_STEP, round_half_up


def number(value: Decimal) -> int | float:
    """A JSON number written with the decimal's own digits (no binary-float noise)."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return int(normal)
    return float(str(normal))


def position_json(position: Position | None) -> dict[str, Any] | None:
    if position is None:
        return None
    return {"x_mm": number(position.x_mm), "y_mm": number(position.y_mm), "view": position.view}


def injections_json(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for injection in plan.injections:
        volume = plan.volume_ml(injection)
        rows.append(
            {
                "site": injection.site,
                "indication": injection.indication,
                "muscle": injection.muscle,
                "units": number(show_units(injection.units)),
                "volume_ml": None if volume is None else number(show_volume(volume)),
                "syringe_units": None if volume is None else number(show_marks(syringe_marks(volume))),
                "depth": injection.depth,
                "position": position_json(injection.position),
                "note": injection.note,
            }
        )
    return rows


def _totals_json(totals: Totals) -> dict[str, Any]:
    return {
        "units": number(totals.units),
        "volume_ml": None if totals.volume_ml is None else number(show_volume(totals.volume_ml)),
        "syringe_units": None if totals.syringe_marks is None else number(show_marks(totals.syringe_marks)),
        "injections": totals.injections,
    }


def totals_json(plan: Plan) -> dict[str, Any]:
    totals = plan.totals()
    data = _totals_json(totals)
    data["vials"] = None if totals.vials is None else totals.vials.vials
    data["units_left_over"] = None if totals.vials is None else number(totals.vials.units_left)
    data["by_indication"] = {ind: _totals_json(plan.totals(ind)) for ind in plan.indications()}
    return data


def dilution_json(plan: Plan) -> dict[str, Any] | None:
    if plan.dilution is None:
        return None
    d = plan.dilution.dilution
    return {
        "vial_units": number(d.vial_units),
        "diluent_ml": None if d.saline_ml is None else number(d.saline_ml),
        "units_per_0_1_ml": number(round_half_up(d.units_per_0_1_ml, UNITS_STEP)),
        "source": plan.dilution.source,
        "ready_to_use": d.ready_to_use,
    }


def indication_status(plan: Plan, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Per planned indication: its purpose, whether it is on the product's US label, and the
    evidence its doses rest on (label, consensus, practice report, ...) with its sources."""
    rows = []
    for ind in plan.indications():
        known = kb.indications.get(ind)
        regimen = kb.regimen(plan.product, ind)
        rows.append(
            {
                "id": ind,
                "name": indication_name(kb, ind),
                "category": known.category if known else None,
                "label_status": regimen.label_status if regimen else "off_label",
                "evidence": regimen.evidence if regimen else None,
                "citations": list(strongest_citations(kb, regimen.citations)) if regimen else [],
            }
        )
    return rows


def plan_json(plan: Plan, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "product": plan.product,
        "dilution": dilution_json(plan),
        "injections": injections_json(plan),
        "totals": totals_json(plan),
        "individualise": bool(plan.notes),
        "notes": list(plan.notes),
        "indications": indication_status(plan, kb),
        "knowledge_version": kb.version,
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": finding.subject.type, "id": finding.subject.id}
    if finding.subject.row is not None:
        subject["index"] = finding.subject.row
    return {
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
        "subject": subject,
        "citations": list(finding.citations),
    }


def check_json(checked: CheckedPlan, kb: KnowledgeBase) -> dict[str, Any]:
    """The answer to a check, the same from ``toxplan check`` and ``POST /api/v1/check``."""
    findings = checked.result.findings
    return {
        "findings": [finding_json(f) for f in findings],
        "critical": checked.result.critical,
        "injections": injections_json(checked.plan),
        "totals": totals_json(checked.plan),
        "knowledge_version": checked.result.knowledge_version,
        "sources": sources_json(kb, (c for f in findings for c in f.citations)),
    }


def sources_json(kb: KnowledgeBase, ids: Iterable[str]) -> dict[str, Any]:
    found = {}
    for cid in dict.fromkeys(ids):
        citation = kb.citations.get(cid)
        if citation is not None:
            found[cid] = {
                "title": citation.title,
                "publisher": citation.publisher,
                "url": citation.url,
                "evidence": citation.evidence,
                "tier": citation.tier,
            }
    return found


# --- text -----------------------------------------------------------------------------------


def plan_text(plan: Plan, kb: KnowledgeBase) -> str:
    product = kb.products.get(plan.product)
    lines = [f"Plan: {product.brands[0] if product else plan.product} ({plan.product})"]
    if plan.dilution is not None:
        d = plan.dilution.dilution
        added = "ready to use, nothing added" if d.ready_to_use else f"+ {d.diluent_ml} mL saline"
        lines.append(
            f"Dilution: {show_units(d.vial_units)} U vial {added} = "
            f"{show_units(round_half_up(d.units_per_0_1_ml, UNITS_STEP))} U per 0.1 mL "
            f"({plan.dilution.source})"
        )
    lines.append(f"{'#':>3}  {'site':<34} {'indication':<24} {'units':>6} {'mL':>7} {'marks':>6}  depth")
    for n, row in enumerate(injections_json(plan), start=1):
        volume = "-" if row["volume_ml"] is None else f"{row['volume_ml']:.3f}"
        marks = "-" if row["syringe_units"] is None else f"{row['syringe_units']}"
        lines.append(
            f"{n:>3}  {row['site'] or 'free position':<34} {row['indication']:<24} "
            f"{row['units']:>6} {volume:>7} {marks:>6}  {row['depth'] or '-'}"
        )
    totals = totals_json(plan)
    status = {row["id"]: row for row in indication_status(plan, kb)}
    for ind, t in totals["by_indication"].items():
        row = status[ind]
        label = "on the US label" if row["label_status"] == "on_label" else "OFF-LABEL for this product"
        evidence = str(row["evidence"] or "").replace("_", " ")
        basis = f", doses from {evidence} evidence" if evidence else ", no dose in the knowledge base"
        lines.append(f"     {ind}: {t['units']} U in {t['injections']} injections ({label}{basis})")
    volume = "-" if totals["volume_ml"] is None else f"{totals['volume_ml']} mL"
    vials = "" if totals["vials"] is None else (f", {totals['vials']} vial(s), {totals['units_left_over']} U left over")
    lines.append(f"Total: {totals['units']} U, {volume} ({totals['syringe_units']} syringe units){vials}")
    lines.append("Marks are U-100 insulin-syringe units (1 mark = 0.01 mL), not toxin units.")
    lines.extend(f"INDIVIDUALISE: {note}" for note in plan.notes)
    lines.append(f"Knowledge base {kb.version}")
    return "\n".join(lines)


def findings_text(findings: Iterable[Finding], kb: KnowledgeBase) -> str:
    lines = []
    for finding in findings:
        lines.append(f"[{finding.severity.upper()}] {finding.code}: {finding.message}")
        for cid in finding.citations:
            citation = kb.citations.get(cid)
            label = (
                f"{citation.title} ({citation.publisher}; {citation.evidence}, {citation.tier})" if citation else cid
            )
            lines.append(f"    source: {label}")
    return "\n".join(lines) if lines else "No findings."
