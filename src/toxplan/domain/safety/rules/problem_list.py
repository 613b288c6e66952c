"""Problem-list rules: conditions near the planned areas, neuromuscular and other label
cautions (recorded, or implied by a medicine), pregnancy and breastfeeding.

Severity follows the purpose of the treatment where the purpose-severity table names the risk
(purpose_severity.yaml): an elective (aesthetic) treatment has no benefit to set against a
risk the labels warn about, so ToxPlan raises several risks to critical for it by default.
"""

from __future__ import annotations

from collections.abc import Iterator

from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.matching import Recognised
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.wording import indications_named, product_name
from toxplan.knowledge.models import Category, Condition, ConditionMarker, Severity
from toxplan.knowledge.purpose import PatientRisk
from toxplan.knowledge.terms import normalise

PURPOSE_WORDS: dict[Category, str] = {
    "aesthetic": "an aesthetic (elective) treatment",
    "therapeutic": "a therapeutic treatment",
}


def purpose_sentence(ctx: CheckContext, risk: PatientRisk) -> tuple[Severity, str, Category]:
    """The risk's severity for this plan, the sentence saying why, and the purpose it is for."""
    severity, purpose = ctx.risk_severity(risk)
    why = risk.aesthetic if purpose == "aesthetic" else risk.therapeutic
    return severity, f"For {PURPOSE_WORDS[purpose]} ToxPlan rates this {severity}: {why}", purpose


def _entries(entries: list[Recognised]) -> str:
    return ", ".join(f"'{e.text}'" for e in entries)


def _implied(pairs: list[tuple[Recognised, ConditionMarker]]) -> str:
    words = []
    for med, marker in pairs:
        also = f"; it is also given for {marker.other_uses}, so confirm the diagnosis" if marker.other_uses else ""
        words.append(f"{marker.name} ('{med.text}' on the medication list{also})")
    return "; ".join(words)


PAST = ("history of ", "hx of ", "hx ", "past ", "previous ", "prior ", "old ", "recurrent ")
"""An infection written as past or recurrent is not a current one (a chronic disease with
"history of" is still present, so this reading is for infections only)."""


@rule("CONTRAINDICATION", "INPUT_INTERPRETED")
def conditions_near_the_plan(ctx: CheckContext) -> Iterator[Finding]:
    """Conditions that are a contraindication where they are: a skin infection in the body
    region of a planned indication (critical), or one whose site is not recorded (warning)."""
    for condition_id, all_entries in sorted(ctx.condition_entries.items()):
        condition = ctx.kb.conditions[condition_id]
        if condition.finding != "CONTRAINDICATION":
            continue
        near = ctx.planned_near(condition.indications, condition.regions)
        if not near:
            continue
        entries = all_entries
        if condition.category == "infection":
            entries = [e for e in all_entries if not normalise(e.text).startswith(PAST)]
            for past in (e for e in all_entries if e not in entries):
                yield Finding(
                    "INPUT_INTERPRETED",
                    "info",
                    f"Condition '{past.text}' was read as a past infection, not a current one; "
                    f"confirm that no infection is active near the planned sites.",
                    Subject("condition", past.text, past.row),
                    (),
                )
        if not entries:
            continue
        where = f" with injections planned for {indications_named(ctx.kb, near)}"
        yield Finding(
            "CONTRAINDICATION",
            condition.severity,
            f"{condition.name} is on the problem list ({_entries(entries)}){where}. {condition.message}",
            Subject("condition", condition_id),
            condition.citations,
        )


def _caution(ctx: CheckContext, condition: Condition) -> Finding:
    entries = ctx.condition_entries.get(condition.id, [])
    implied = ctx.implied_conditions.get(condition.id, [])
    if entries:
        source = f"problem list: {_entries(entries)}"
        if implied:
            source += f"; also implied by {_implied(implied)}"
        opening = f"{condition.name} ({source})."
    else:
        opening = (
            f"{condition.name}: implied by {_implied(implied)}, although the problem list does "
            f"not record it. ToxPlan counts the patient as having it."
        )
    severity: Severity = condition.severity
    markers = [c for _, marker in implied for c in marker.citations]
    citations = [*markers, *condition.citations]
    text = f"{opening} {condition.message}"
    risk = ctx.kb.risk_of_condition(condition.id)
    if risk is not None:
        severity, sentence, purpose = purpose_sentence(ctx, risk)
        text += f" {sentence}"
        if purpose == "aesthetic":  # cite what the elective rating rests on (EU aesthetic labels)
            citations = [*markers, *risk.citations]
    near = ctx.planned_near(condition.indications, condition.regions)
    if condition.indications or condition.regions:
        text += f" (Planned: {indications_named(ctx.kb, near)}.)"
    return Finding(
        "NEUROMUSCULAR_DISORDER", severity, text, Subject("condition", condition.id), tuple(dict.fromkeys(citations))
    )


@rule("NEUROMUSCULAR_DISORDER")
def caution_conditions(ctx: CheckContext) -> Iterator[Finding]:
    """Label caution conditions, recorded on the problem list or implied by a medicine."""
    for condition_id in sorted(set(ctx.condition_entries) | set(ctx.implied_conditions)):
        condition = ctx.kb.conditions[condition_id]
        if condition.finding != "NEUROMUSCULAR_DISORDER":
            continue
        if ctx.planned_near(condition.indications, condition.regions):
            yield _caution(ctx, condition)


STATES = {"pregnant": "pregnant", "breastfeeding": "breastfeeding"}


@rule("PREGNANCY_OR_LACTATION", "INPUT_MISSING")
def pregnancy_and_lactation(ctx: CheckContext) -> Iterator[Finding]:
    patient = ctx.patient
    product = ctx.product
    note = product.pregnancy_lactation if product else None
    label_citations = note.citations if note else (product.citations if product else ())
    for risk in ctx.kb.risks.values():
        if risk.flag is None:
            continue
        answered = getattr(patient, risk.flag)
        recorded = [e for c in risk.conditions for e in ctx.condition_entries.get(c, [])]
        if answered is not True and not recorded:
            continue
        source = "screening" if answered else f"problem list: {_entries(recorded)}"
        text = f"The patient is {STATES[risk.flag]} ({source})."
        if recorded and answered is False:
            text += " The screening answer says no but the problem list records it: confirm before treating."
        severity, sentence, _ = purpose_sentence(ctx, risk)
        text += f" {sentence}"
        if note is not None and product is not None:
            statement = note.pregnancy if risk.flag == "pregnant" else note.lactation
            text += f" {product_name(ctx.kb, product.id)} label: {statement}"
        yield Finding(
            "PREGNANCY_OR_LACTATION",
            severity,
            text,
            Subject("patient", risk.id),
            tuple(dict.fromkeys([*label_citations, *risk.citations])),
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
            label_citations,
        )
