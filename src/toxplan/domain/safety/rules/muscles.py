"""The label's per-muscle tables: dose and number of sites per muscle, and the table total.

Tables apply by the patient's age (and weight band). A muscle above its row's range is a
warning (the label recommends, the clinician individualises); in a table of fixed doses (e.g.
sialorrhea by weight band) more than the clinic's factor (default 2) times the dose is
critical. Per-limb and per-session caps are limits, checked in ``doses.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from toxplan.domain.dilution import show_units
from toxplan.domain.plans import Injection
from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.rules.site_limits import default_citations, source_words
from toxplan.domain.safety.wording import indication_name, product_name, site_name
from toxplan.knowledge.dose_models import MuscleDose, MuscleTable
from toxplan.knowledge.models import Regimen


def u(value: Decimal) -> str:
    return f"{show_units(value.quantize(Decimal('0.1')))} U"


def _applicable(ctx: CheckContext, regimen: Regimen) -> tuple[list[MuscleTable], list[MuscleTable]]:
    """Tables for the patient's age and weight, and age-matching tables that need a weight."""
    tables, need_weight = [], []
    weight = ctx.patient.weight_kg
    for table in regimen.muscle_tables:
        if not ctx.age_matches(table.ages):
            continue
        if table.weights is None:
            tables.append(table)
        elif weight is None:
            need_weight.append(table)
        elif table.weights.contains(weight):
            tables.append(table)
    return tables, need_weight


def _row_range(ctx: CheckContext, row: MuscleDose) -> tuple[Decimal, Decimal, str] | None:
    """The row's dose range in units for this patient, and its words; None without a weight."""
    if row.units is not None:
        band = row.units
        words = u(band.max) if band.min == band.max else f"{show_units(band.min)}-{show_units(band.max)} U"
        return band.min, band.max, words
    weight = ctx.patient.weight_kg
    if row.units_per_kg is None or weight is None:
        return None
    band = row.units_per_kg
    return (
        band.min * weight,
        band.max * weight,
        f"{show_units(band.min)}-{show_units(band.max)} U/kg = {u(band.min * weight)}-{u(band.max * weight)} "
        f"for {show_units(weight)} kg",
    )


@rule(
    "DOSE_ABOVE_LABEL", "SITE_DOSE_ABOVE_MAX", "SESSION_DOSE_ABOVE_MAX", "SITE_COUNT_OUTSIDE_LABEL", "WEIGHT_REQUIRED"
)
def per_muscle_tables(ctx: CheckContext) -> Iterator[Finding]:
    for indication in ctx.known_indications:
        regimen = ctx.regimen(indication)
        if regimen is None or not regimen.muscle_tables:
            continue
        tables, need_weight = _applicable(ctx, regimen)
        name = indication_name(ctx.kb, indication)
        if need_weight and ctx.age is not None:
            yield Finding(
                "WEIGHT_REQUIRED",
                "critical",
                f"{name}: the label doses {product_name(ctx.kb, regimen.product)} by body weight at this age, "
                f"but no weight is given: the dose per muscle cannot be checked.",
                Subject("patient", "weight_kg"),
                need_weight[0].citations,
            )
        elif not tables and ctx.age is not None and any(t.weights for t in regimen.muscle_tables):
            yield Finding(
                "DOSE_ABOVE_LABEL",
                "warning",
                f"{name}: the label gives no dose of {product_name(ctx.kb, regimen.product)} for "
                f"{show_units(ctx.patient.weight_kg or Decimal(0))} kg at this age.",
                Subject("indication", indication),
                regimen.muscle_tables[-1].citations,
            )
        for table in tables:
            yield from _check_table(ctx, regimen, table, indication)


def _check_table(ctx: CheckContext, regimen: Regimen, table: MuscleTable, indication: str) -> Iterator[Finding]:
    name = indication_name(ctx.kb, indication)
    product = product_name(ctx.kb, regimen.product)
    shots = [(i, inj) for i, inj in enumerate(ctx.plan.injections) if inj.indication == indication]
    factor = ctx.fixed_dose_factor
    for row in table.rows:
        sites = set(ctx.kb.muscle_sites(row.muscle))
        by_side: dict[str, list[int]] = {}
        for index, injection in shots:
            if injection.site in sites:
                by_side.setdefault(ctx.side_of(injection) or "midline", []).append(index)
        dose = _row_range(ctx, row)
        for _side, indices in sorted(by_side.items()):
            planned = sum((ctx.plan.injections[i].units for i in indices), Decimal(0))
            where = Subject("injection", ctx.plan.injections[indices[0]].site or row.muscle, indices[0])
            muscle = site_name(ctx.kb, ctx.plan.injections[indices[0]].site)
            if dose is not None and planned > dose[1]:
                if table.dose_basis == "fixed" and planned > dose[1] * factor:
                    yield Finding(
                        "SITE_DOSE_ABOVE_MAX",
                        "critical",
                        f"{name}: {u(planned)} of {product} into the {muscle}, more than {show_units(factor)} × "
                        f"{source_words(regimen)} {dose[2]} (ToxPlan's limit for a fixed label dose).",
                        where,
                        (*table.citations, *default_citations(ctx)),
                    )
                else:
                    yield Finding(
                        "DOSE_ABOVE_LABEL",
                        "warning",
                        f"{name}: {u(planned)} of {product} into the {muscle}; {source_words(regimen)} "
                        f"table gives {dose[2]} for this muscle.",
                        where,
                        table.citations,
                    )
            if row.sites is not None and len(indices) > row.sites.max:
                yield Finding(
                    "SITE_COUNT_OUTSIDE_LABEL",
                    "warning",
                    f"{name}: {len(indices)} injections into the {muscle}; {source_words(regimen)} table "
                    f"gives {row.sites.min}-{row.sites.max} sites for this muscle.",
                    where,
                    table.citations,
                )
    yield from _table_total(ctx, regimen, table, indication, shots)


def _table_total(
    ctx: CheckContext, regimen: Regimen, table: MuscleTable, indication: str, shots: list[tuple[int, Injection]]
) -> Iterator[Finding]:
    if table.total_units is None or table.dose_basis != "fixed":
        return  # range tables: the per-limb and per-session caps are limits
    planned = sum((injection.units for _, injection in shots), Decimal(0))
    top = table.total_units.max
    if planned <= top:
        return
    name = indication_name(ctx.kb, indication)
    cap = top * ctx.fixed_dose_factor
    if planned > cap:
        yield Finding(
            "SESSION_DOSE_ABOVE_MAX",
            "critical",
            f"{name}: {u(planned)} planned, more than {show_units(ctx.fixed_dose_factor)} × "
            f"{source_words(regimen)} {u(top)} for this patient ({table.description}).",
            Subject("indication", indication),
            (*table.citations, *default_citations(ctx)),
        )
    else:
        yield Finding(
            "DOSE_ABOVE_LABEL",
            "warning",
            f"{name}: {u(planned)} planned; {source_words(regimen)} dose for this patient is {u(top)} "
            f"({table.description}).",
            Subject("indication", indication),
            table.citations,
        )
