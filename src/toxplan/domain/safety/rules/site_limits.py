"""Per-site, per-side and site-count figures of the regimens, enforced at check time.

Severity policy (docs/rules.md): above the label's recommended dose is a warning; where the
label gives a fixed dose (``dose_basis: fixed``), more than the clinic's factor (ToxPlan's
default: 2) times it at one site, on one side or in one area is critical. Stated maxima are
limits (``site_max``, ``per_side_max``, ...) and are checked in ``doses.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from toxplan.domain.dilution import show_units
from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.wording import indication_name, product_name, site_name
from toxplan.knowledge.models import Regimen, SiteMax


def u(value: Decimal) -> str:
    return f"{show_units(value)} U"


def source_words(regimen: Regimen) -> str:
    """Whose dose it is: the label's, or (off-label) the cited source's."""
    return "the label's" if regimen.label_status == "on_label" else "the cited (off-label) source's"


def per_site_words(regimen: Regimen) -> str:
    if regimen.units_per_site_is_default:
        return "ToxPlan's default (the label's per-site dose for this area is unconfirmed)"
    return source_words(regimen)


def factor_words(ctx: CheckContext) -> str:
    return f"{show_units(ctx.fixed_dose_factor)} ×"


def default_citations(ctx: CheckContext) -> tuple[str, ...]:
    return ctx.kb.defaults.fixed_dose_factor.citations if ctx.kb.defaults is not None else ()


@rule("DOSE_ABOVE_LABEL", "SITE_DOSE_ABOVE_MAX")
def units_per_site(ctx: CheckContext) -> Iterator[Finding]:
    """Each injection against the regimen's recommended units per site."""
    tops = {i: r.units_per_site.max for i in ctx.known_indications if (r := ctx.regimen(i)) and r.units_per_site}
    for index, injection in enumerate(ctx.plan.injections):
        top = tops.get(injection.indication)
        if top is None or injection.units <= top:
            continue
        regimen = ctx.regimen(injection.indication)
        assert regimen is not None and regimen.units_per_site is not None
        where = Subject("injection", injection.site or "position", index)
        what = (
            f"Injection {index + 1} ({site_name(ctx.kb, injection.site)}, "
            f"{indication_name(ctx.kb, injection.indication)}) has {u(injection.units)}"
        )
        band = u(top) if regimen.units_per_site.min == top else f"{show_units(regimen.units_per_site.min)}-{u(top)}"
        cap = top * ctx.fixed_dose_factor
        if regimen.dose_basis == "fixed" and injection.units > cap:
            yield Finding(
                "SITE_DOSE_ABOVE_MAX",
                "critical",
                f"{what}: more than {factor_words(ctx)} {per_site_words(regimen)} {band} per site for "
                f"{product_name(ctx.kb, regimen.product)} (ToxPlan's limit for a fixed label dose: {u(cap)}).",
                where,
                (*regimen.citations, *default_citations(ctx)),
            )
        else:
            yield Finding(
                "DOSE_ABOVE_LABEL",
                "warning",
                f"{what}, above {per_site_words(regimen)} recommended {band} per site.",
                where,
                (*regimen.citations, *(default_citations(ctx) if regimen.units_per_site_is_default else ())),
            )


@rule("DOSE_ABOVE_LABEL", "SESSION_DOSE_ABOVE_MAX")
def units_per_side(ctx: CheckContext) -> Iterator[Finding]:
    """Each side (one axilla, one eye) against the regimen's recommended units per side."""
    for indication in ctx.known_indications:
        regimen = ctx.regimen(indication)
        if regimen is None or regimen.units_per_side is None:
            continue
        by_side: dict[str, Decimal] = {}
        for injection in ctx.plan.injections:
            side = ctx.side_of(injection) if injection.indication == indication else None
            if side is not None:
                by_side[side] = by_side.get(side, Decimal(0)) + injection.units
        top = regimen.units_per_side.max
        cap = top * ctx.fixed_dose_factor
        name = indication_name(ctx.kb, indication)
        for side_name, planned in sorted(by_side.items()):
            if planned <= top:
                continue
            if regimen.dose_basis == "fixed" and planned > cap:
                yield Finding(
                    "SESSION_DOSE_ABOVE_MAX",
                    "critical",
                    f"{name}: {u(planned)} on the {side_name} side, more than {factor_words(ctx)} "
                    f"{source_words(regimen)} {u(top)} per side (ToxPlan's limit for a fixed label dose: {u(cap)}).",
                    Subject("indication", indication),
                    (*regimen.citations, *default_citations(ctx)),
                )
            else:
                yield Finding(
                    "DOSE_ABOVE_LABEL",
                    "warning",
                    f"{name}: {u(planned)} on the {side_name} side, above {source_words(regimen)} recommended "
                    f"{u(top)} per side.",
                    Subject("indication", indication),
                    regimen.citations,
                )


@rule("SITE_COUNT_OUTSIDE_LABEL")
def site_count(ctx: CheckContext) -> Iterator[Finding]:
    """The number of injections for an indication against the regimen's site count."""
    for indication in ctx.known_indications:
        regimen = ctx.regimen(indication)
        if regimen is None or regimen.site_count is None:
            continue
        count = ctx.plan.count_by_indication.get(indication, 0)
        band = regimen.site_count
        words = str(band.max) if band.min == band.max else f"{band.min}-{band.max}"
        name = indication_name(ctx.kb, indication)
        if count > band.max:
            yield Finding(
                "SITE_COUNT_OUTSIDE_LABEL",
                "warning",
                f"{name}: {count} injections planned; {source_words(regimen)} pattern has {words} sites.",
                Subject("indication", indication),
                regimen.citations,
            )
        elif count < band.min:
            yield Finding(
                "SITE_COUNT_OUTSIDE_LABEL",
                "info",
                f"{name}: {count} injection(s) planned; {source_words(regimen)} pattern has {words} sites.",
                Subject("indication", indication),
                regimen.citations,
            )


def multi_point_sites(ctx: CheckContext) -> frozenset[str]:
    """Sites that stand for several injection points: a label pattern gives them more than one
    injection (detrusor, axilla, jawline), or a per-muscle table names them (a muscle takes
    several points). Every other site is one point, and doses given there add up."""
    key = ("multi_point_sites", "", None)
    found: frozenset[str] | None = ctx.kb.readings.get(key)
    if found is None:
        regimens = ctx.kb.regimens.values()
        counted = {step.site for r in regimens for v in r.variants for step in v.pattern if step.count > 1}
        rows = (row for r in regimens for t in r.muscle_tables for row in t.rows)
        tabled = {s for row in rows for s in ctx.kb.muscle_sites(row.muscle)}
        found = ctx.kb.readings[key] = frozenset(counted | tabled)
    return found


def points(ctx: CheckContext) -> list[list[int]]:
    """Injections that go into the same point (the same position on the chart, or the same
    site where a site is one point), as lists of injection indices; only groups of two or more."""
    multi = multi_point_sites(ctx)
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, injection in enumerate(ctx.plan.injections):
        if injection.site is not None and injection.site in multi:
            continue
        if injection.position is not None:
            point = injection.position
            key: tuple[object, ...] = ("position", point.view, point.x_mm, point.y_mm)
        elif injection.site is not None:
            key = ("site", injection.site)
        else:
            continue
        groups.setdefault(key, []).append(index)
    return [indices for indices in groups.values() if len(indices) > 1]


def _severity_of(units: Decimal, top: Decimal, cap: Decimal | None) -> int:
    """0 within the dose, 1 above it (warning), 2 above the critical cap."""
    if cap is not None and units > cap:
        return 2
    return 1 if units > top else 0


@rule("DOSE_ABOVE_LABEL", "SITE_DOSE_ABOVE_MAX")
def doses_at_one_point(ctx: CheckContext) -> Iterator[Finding]:
    """Several injections into one point add up: 5 x 4 U at one corrugator point is 20 U there.

    Checked against the per-site figures of the injections' regimens (the most generous when
    they differ) and the per-site maxima; reported only when the point's total is more severe
    than any of its injections alone (which the per-injection rules already report).
    """
    for indices in points(ctx):
        shots = [ctx.plan.injections[i] for i in indices]
        total = sum((s.units for s in shots), Decimal(0))
        first = shots[0]
        where = Subject("injection", first.site or "position", indices[0])
        numbers = ", ".join(str(i + 1) for i in indices)
        what = (
            f"Injections {numbers} all go into one point ({site_name(ctx.kb, first.site)}): {u(total)} there together"
        )
        regimens = [r for s in shots if (r := ctx.regimen(s.indication)) is not None and r.units_per_site is not None]
        if regimens:
            regimen = max(regimens, key=lambda r: r.units_per_site.max if r.units_per_site else Decimal(0))
            assert regimen.units_per_site is not None
            top = regimen.units_per_site.max
            cap = top * ctx.fixed_dose_factor if regimen.dose_basis == "fixed" else None
            alone = max(_severity_of(s.units, top, cap) for s in shots)
            together = _severity_of(total, top, cap)
            if together > alone:
                band = u(top)
                if regimen.units_per_site.min != top:
                    band = f"{show_units(regimen.units_per_site.min)}-{u(top)}"
                if together == 2:
                    yield Finding(
                        "SITE_DOSE_ABOVE_MAX",
                        "critical",
                        f"{what}, more than {factor_words(ctx)} {per_site_words(regimen)} {band} per site for "
                        f"{product_name(ctx.kb, regimen.product)} (ToxPlan's limit for a fixed label dose: "
                        f"{u(top * ctx.fixed_dose_factor)}). Doses given at one point add up.",
                        where,
                        (*regimen.citations, *default_citations(ctx)),
                    )
                else:
                    yield Finding(
                        "DOSE_ABOVE_LABEL",
                        "warning",
                        f"{what}, above {per_site_words(regimen)} recommended {band} per site for "
                        f"{indication_name(ctx.kb, regimen.indication)}. Doses given at one point add up.",
                        where,
                        regimen.citations,
                    )
        for scoped in ctx.limits_of("site_max"):
            limit = scoped.limit
            assert isinstance(limit, SiteMax)
            if limit.max_units is None or not ctx.applies_by_age(limit):
                continue
            if not any(scoped.covers(s.indication) for s in shots):
                continue
            if total > limit.max_units and all(s.units <= limit.max_units for s in shots):
                yield Finding(
                    "SITE_DOSE_ABOVE_MAX",
                    limit.severity,
                    f"{what}; the per-site maximum is {u(limit.max_units)}. Doses given at one point add up.",
                    where,
                    limit.citations,
                )
