"""Patient rules: the product's contraindications, age, medications, unrecognised entries.

Conditions, pregnancy and breastfeeding are in ``problem_list.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import SEVERITY_RANK, Finding, Subject
from toxplan.domain.safety.matching import Recognised
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.rules.problem_list import PAST, purpose_sentence
from toxplan.domain.safety.wording import indication_name, product_name
from toxplan.knowledge.models import Condition, Contraindication, Severity
from toxplan.knowledge.terms import normalise

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
    return sorted(ctx.kb.conditions[c].name for c in set(ci.conditions) if current_entries(ctx, c))


def is_infection(condition: Condition) -> bool:
    return condition.category == "infection" or "infection" in condition.id


def current_entries(ctx: CheckContext, condition_id: str) -> list[Recognised]:
    """Problem-list entries of a condition that are current: an infection written as past or
    recurrent ("history of UTI") is not (the label contraindicates an infection at the time of
    treatment)."""
    entries = ctx.condition_entries.get(condition_id, [])
    if not is_infection(ctx.kb.conditions[condition_id]):
        return entries
    return [e for e in entries if not normalise(e.text).startswith(PAST)]


@rule("CONTRAINDICATION", "INPUT_INTERPRETED")
def contraindications(ctx: CheckContext) -> Iterator[Finding]:
    """The product's own contraindications (conditions near the plan: see problem_list.py)."""
    if ctx.product is None:
        return
    name = product_name(ctx.kb, ctx.product.id)
    for ci in ctx.product.contraindications:
        if ci.when == "condition" and _planned_in(ctx, ci.indications):
            for condition_id in ci.conditions:
                current = current_entries(ctx, condition_id)
                for past in (e for e in ctx.condition_entries.get(condition_id, []) if e not in current):
                    yield Finding(
                        "INPUT_INTERPRETED",
                        "info",
                        f"Condition '{past.text}' was read as a past or recurrent infection, not a current one; "
                        f"confirm that none is active: {ci.message}",
                        Subject("condition", past.text, past.row),
                        ci.citations,
                    )
        causes = _contraindication_applies(ctx, ci)
        if causes:
            yield Finding(
                "CONTRAINDICATION",
                "critical",
                f"{name}: {ci.message} (patient: {', '.join(causes)}).",
                Subject("product", ctx.product.id),
                ci.citations,
            )


def years_old(age: Decimal) -> str:
    return "1 year old" if age == 1 else f"{age} years old"


ADULT_YEARS = 18
"""No label covers aesthetic use below this age."""
BOXED_WARNING = "openfda_boxed_warnings"


def _aesthetic_minor(ctx: CheckContext, indication: str) -> Finding | None:
    """An elective (aesthetic) treatment of a patient under 18: ToxPlan's default is critical.

    No botulinum toxin label covers aesthetic use under 18, an elective treatment can wait,
    and the boxed warning says the risk of distant spread is probably greatest in children.
    """
    if ctx.age is None or ctx.age >= ADULT_YEARS or ctx.kb.indications[indication].category != "aesthetic":
        return None
    regimen = ctx.regimen(indication)
    product = product_name(ctx.kb, ctx.product.id) if ctx.product else ctx.plan.product
    citations = (*(regimen.citations if regimen else ()), BOXED_WARNING)
    return Finding(
        "AGE_OUTSIDE_LABEL",
        "critical",
        f"{indication_name(ctx.kb, indication)}: the patient is {years_old(ctx.age)}. No label covers aesthetic "
        f"use of {product} under 18; for an elective treatment ToxPlan rates this critical (the boxed warning: "
        f"the risk of distant spread of toxin effect is probably greatest in children). Defer it to adulthood "
        f"or document the reason.",
        Subject("indication", indication),
        tuple(c for c in citations if c in ctx.kb.citations),
    )


@rule("AGE_OUTSIDE_LABEL", "INPUT_MISSING")
def age_range(ctx: CheckContext) -> Iterator[Finding]:
    needs_age = False
    for indication in ctx.known_indications:
        if ctx.kb.indications[indication].category == "aesthetic":
            needs_age = True  # whether the patient is an adult must be known for an elective treatment
        minor = _aesthetic_minor(ctx, indication)
        if minor is not None:
            yield minor
            continue
        regimen = ctx.regimen(indication)
        if regimen is None or regimen.label_status != "on_label" or regimen.ages is None:
            continue
        needs_age = True
        if ctx.age is not None and not regimen.ages.contains(ctx.age):
            yield Finding(
                "AGE_OUTSIDE_LABEL",
                "warning",
                f"{indication_name(ctx.kb, indication)}: the patient is {years_old(ctx.age)}; the "
                f"{product_name(ctx.kb, regimen.product)} label covers {regimen.ages.describe()}.",
                Subject("indication", indication),
                regimen.citations,
            )
    if needs_age and ctx.age is None:
        ranged = (ctx.regimen(i) for i in ctx.known_indications)
        yield Finding(
            "INPUT_MISSING",
            "warning",
            "No birth date given: the label's age range could not be checked, and any "
            "pediatric limit was applied as a precaution.",
            Subject("patient", "birth_date"),
            tuple(dict.fromkeys(c for r in ranged if r is not None and r.ages is not None for c in r.citations))
            or (ctx.product.citations if ctx.product is not None else ()),
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
