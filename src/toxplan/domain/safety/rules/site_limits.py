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
from toxplan.knowledge.models import Regimen


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
