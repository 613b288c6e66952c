"""Patient rules: contraindications, caution conditions, pregnancy, age, medications."""

from __future__ import annotations

from collections.abc import Iterator

from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import SEVERITY_RANK, Finding, Subject
from toxplan.domain.safety.matching import Recognised
from toxplan.domain.safety.registry import rule
from toxplan.knowledge.models import Contraindication, Severity

ANY_TOXIN = "botulinum_toxin"


def _planned_in(ctx: CheckContext, indications: tuple[str, ...]) -> bool:
    return not indications or any(i in indications for i in ctx.plan.indications())


def _contraindication_applies(ctx: CheckContext, ci: Contraindication) -> list[str]:
    """What in the patient triggers ``ci`` (empty when it does not apply)."""
    if not _planned_in(ctx, ci.indications):
        return []
    assert ctx.product is not None
    if ci.when == "infection_at_site":
        return ["infection at the injection site"] if ctx.patient.infection_at_site else []
    if ci.when == "component_allergy":
        parts = set(ctx.product.formulation.components) | {ANY_TOXIN}
        return sorted(ctx.kb.allergens[a].name for a in ctx.allergen_ids & parts)
    if ci.when == "allergen":
        return sorted(ctx.kb.allergens[a].name for a in ctx.allergen_ids & set(ci.allergens))
    return sorted(ctx.kb.conditions[c].name for c in ctx.condition_ids & set(ci.conditions))


@rule("CONTRAINDICATION")
def contraindications(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.product is None:
        return
    for ci in ctx.product.contraindications:
        causes = _contraindication_applies(ctx, ci)
        if causes:
            yield Finding(
                "CONTRAINDICATION",
                "critical",
                f"{ctx.product.brands[0]}: {ci.message} (patient: {', '.join(causes)}).",
                Subject("product", ctx.product.id),
                ci.citations,
            )
    for condition_id in sorted(ctx.condition_ids):
        condition = ctx.kb.conditions[condition_id]
        if condition.finding == "CONTRAINDICATION" and _planned_in(ctx, condition.indications):
            yield Finding(
                "CONTRAINDICATION",
                condition.severity,
                condition.message,
                Subject("condition", condition_id),
                condition.citations,
            )


@rule("NEUROMUSCULAR_DISORDER")
def caution_conditions(ctx: CheckContext) -> Iterator[Finding]:
    for condition_id in sorted(ctx.condition_ids):
        condition = ctx.kb.conditions[condition_id]
        if condition.finding == "NEUROMUSCULAR_DISORDER" and _planned_in(ctx, condition.indications):
            yield Finding(
                "NEUROMUSCULAR_DISORDER",
                condition.severity,
                f"{condition.name}: {condition.message}",
                Subject("condition", condition_id),
                condition.citations,
            )


@rule("PREGNANCY_OR_LACTATION", "INPUT_MISSING")
def pregnancy_and_lactation(ctx: CheckContext) -> Iterator[Finding]:
    patient = ctx.patient
    states = [w for w, on in (("pregnant", patient.pregnant), ("breastfeeding", patient.breastfeeding)) if on]
    product = ctx.product
    note = product.pregnancy_lactation if product else None
    citations = note.citations if note else (product.citations if product else ())
    if states:
        detail = f" Label: {note.pregnancy} {note.lactation}" if note else ""
        yield Finding(
            "PREGNANCY_OR_LACTATION",
            "warning",
            f"The patient is {' and '.join(states)}. The labels do not contraindicate this but "
            f"give no safety data in humans; most clinics defer elective treatment.{detail}",
            Subject("patient", "pregnancy"),
            citations,
        )
    unanswered = [
        name
        for name, value in (
            ("pregnant", patient.pregnant),
            ("breastfeeding", patient.breastfeeding),
            ("infection at the site", patient.infection_at_site),
        )
        if value is None and not (name != "infection at the site" and patient.sex == "male")
    ]
    if unanswered:
        yield Finding(
            "INPUT_MISSING",
            "info",
            f"Screening not recorded: {', '.join(unanswered)}. Ask before treating.",
            Subject("screening", "screening"),
            citations,
        )


@rule("AGE_OUTSIDE_LABEL", "INPUT_MISSING")
def age_range(ctx: CheckContext) -> Iterator[Finding]:
    needs_age = False
    for indication in ctx.known_indications:
        regimen = ctx.regimen(indication)
        if regimen is None or regimen.label_status != "on_label" or regimen.ages is None:
            continue
        needs_age = True
        if ctx.age is not None and not regimen.ages.contains(ctx.age):
            yield Finding(
                "AGE_OUTSIDE_LABEL",
                "warning",
                f"{indication}: the patient is {ctx.age} years old; the label covers {regimen.ages.describe()}.",
                Subject("indication", indication),
                regimen.citations,
            )
    if needs_age and ctx.age is None:
        yield Finding(
            "INPUT_MISSING",
            "warning",
            "No birth date given: the label's age range could not be checked, and any "
            "pediatric limit was applied as a precaution.",
            Subject("patient", "birth_date"),
            (),
        )


def _class_citations(ctx: CheckContext) -> tuple[str, ...]:
    """The label interaction classes an unknown medication could not be checked against."""
    return tuple(dict.fromkeys(c for cls in ctx.kb.interactions.classes for c in cls.citations))


def _caution_citations(ctx: CheckContext) -> tuple[str, ...]:
    """The label warnings an unknown condition could not be checked against."""
    cautions = (c for c in ctx.kb.conditions.values() if c.finding != "none")
    return tuple(dict.fromkeys(cid for c in cautions for cid in c.citations))[:6]


LINK_WORDS = {
    "label_class": "a member of the label's class",
    "literature": "linked to botulinum toxin in published reports",
    "compendium": "listed by drug-interaction compendia (weak evidence)",
    "theoretical": "impairs neuromuscular transmission in theory; no toxin-specific report",
}


def _drug_finding(ctx: CheckContext, med: Recognised) -> Finding:
    by_id = {c.id: c for c in ctx.kb.interactions.classes}
    entries = [ctx.kb.drugs[k] for k in sorted(med.keys)]
    chosen = [by_id[c] for c in dict.fromkeys(c for e in entries for c in e.classes)]
    severity: Severity = max((c.severity for c in chosen), key=SEVERITY_RANK.__getitem__)
    strong = any(e.drug.link in ("label_class", "literature") for e in entries)
    notes = []
    if not strong:
        severity = "info"  # a theoretical or compendium-only link is shown, not alarmed on
    if med.low_exposure:
        severity = "info"
        notes.append("a local form with little systemic exposure")
    names = ", ".join(f"{e.drug.name} ({LINK_WORDS[e.drug.link]})" for e in entries)
    effects = " ".join(f"{c.name}: {c.effect}" for c in chosen)
    extra = f" ({'; '.join(notes)})" if notes else ""
    citations = tuple(dict.fromkeys(cid for c in chosen for cid in c.citations))
    return Finding(
        "DRUG_INTERACTION",
        severity,
        f"Medication {med.reading()} = {names}{extra}. {effects}",
        Subject("drug", ", ".join(e.drug.name for e in entries), med.row),
        citations,
    )


@rule("DRUG_INTERACTION", "UNRECOGNISED_INPUT")
def medications(ctx: CheckContext) -> Iterator[Finding]:
    for med in ctx.medications:
        if med.keys:
            yield _drug_finding(ctx, med)
        elif not med.recognised:
            yield Finding(
                "UNRECOGNISED_INPUT",
                "warning",
                f"Medication '{med.text}' is not in the knowledge base: its interactions were "
                f"not checked. Check it against the label's interaction classes.",
                Subject("drug", med.text, med.row),
                _class_citations(ctx),
            )


@rule("UNRECOGNISED_INPUT", "INPUT_INTERPRETED")
def unrecognised_conditions_and_allergies(ctx: CheckContext) -> Iterator[Finding]:
    for entry in ctx.conditions:
        if entry.negated:
            yield Finding(
                "INPUT_INTERPRETED",
                "info",
                f"Condition '{entry.text}' was read as absent, excluded or family history only; confirm.",
                Subject("condition", entry.text, entry.row),
                (),
            )
        elif not entry.recognised:
            yield Finding(
                "UNRECOGNISED_INPUT",
                "warning",
                f"Condition '{entry.text}' is not in the knowledge base: label cautions for it were not checked.",
                Subject("condition", entry.text, entry.row),
                _caution_citations(ctx),
            )
        elif entry.how == "corrected":
            yield Finding(
                "INPUT_INTERPRETED",
                "info",
                f"Condition {entry.reading()}; confirm.",
                Subject("condition", entry.text, entry.row),
                (),
            )
    for entry in ctx.allergies:
        if not entry.recognised:
            yield Finding(
                "UNRECOGNISED_INPUT",
                "warning",
                f"Allergy '{entry.text}' is not in the knowledge base: it was not compared with "
                f"the product's components.",
                Subject("allergy", entry.text, entry.row),
                ctx.product.formulation.citations if ctx.product else (),
            )
