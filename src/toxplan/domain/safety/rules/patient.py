"""Patient rules: the product's contraindications, age, medications, unrecognised entries.

Conditions, pregnancy and breastfeeding are in ``problem_list.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import SEVERITY_RANK, Finding, Subject
from toxplan.domain.safety.matching import Recognised
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.rules.problem_list import purpose_sentence
from toxplan.domain.safety.wording import indication_name, product_name
from toxplan.knowledge.models import Contraindication, Severity

ANY_TOXIN = "botulinum_toxin"


def _planned_in(ctx: CheckContext, indications: tuple[str, ...]) -> bool:
    return bool(ctx.planned_near(indications, ()))


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
    """The product's own contraindications (conditions near the plan: see problem_list.py)."""
    if ctx.product is None:
        return
    name = product_name(ctx.kb, ctx.product.id)
    for ci in ctx.product.contraindications:
        causes = _contraindication_applies(ctx, ci)
        if causes:
            yield Finding(
                "CONTRAINDICATION",
                "critical",
                f"{name}: {ci.message} (patient: {', '.join(causes)}).",
                Subject("product", ctx.product.id),
                ci.citations,
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
                f"{indication_name(ctx.kb, indication)}: the patient is {ctx.age} years old; the "
                f"{product_name(ctx.kb, regimen.product)} label covers {regimen.ages.describe()}.",
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


def _drug_finding(ctx: CheckContext, med: Recognised) -> Finding | None:
    """The interaction finding of one medication; None when it is in no interaction class
    (a medicine known only for the condition it implies, reported by problem_list.py)."""
    entries = [e for k in sorted(med.keys) if (e := ctx.kb.drugs[k]).drug is not None and e.classes]
    if not entries:
        return None
    chosen = [ctx.kb.interaction_class(c) for c in dict.fromkeys(c for e in entries for c in e.classes)]
    severity: Severity = max((c.severity for c in chosen), key=SEVERITY_RANK.__getitem__)
    strong = any(e.drug.link in ("label_class", "literature") for e in entries if e.drug)
    notes = []
    citations = [cid for c in chosen for cid in c.citations]
    risks = [r for k in sorted(med.keys) if (r := ctx.kb.risk_of_drug(k)) is not None]
    purpose = ""
    if not strong:
        severity = "info"  # a theoretical or compendium-only link is shown, not alarmed on
    elif risks and not med.low_exposure:
        severity, purpose, _ = purpose_sentence(ctx, risks[0])
        purpose = f" {purpose}"
        citations = [*risks[0].citations, *citations]
    if med.low_exposure:
        severity = "info"
        notes.append("a local form with little systemic exposure")
    names = ", ".join(f"{e.name} ({LINK_WORDS[e.drug.link]})" for e in entries if e.drug)
    effects = " ".join(f"{c.name}: {c.effect}" for c in chosen)
    extra = f" ({'; '.join(notes)})" if notes else ""
    return Finding(
        "DRUG_INTERACTION",
        severity,
        f"Medication {med.reading()} = {names}{extra}. {effects}{purpose}",
        Subject("drug", ", ".join(e.name for e in entries), med.row),
        tuple(dict.fromkeys(citations)),
    )


@rule("DRUG_INTERACTION", "UNRECOGNISED_INPUT")
def medications(ctx: CheckContext) -> Iterator[Finding]:
    for med in ctx.medications:
        if med.keys:
            finding = _drug_finding(ctx, med)
            if finding is not None:
                yield finding
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
