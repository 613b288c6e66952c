"""Dose limits: per site, per session, weight-based, rolling window, and the label dose."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from toxplan.domain.dilution import show_units, show_volume
from toxplan.domain.safety.context import CheckContext, ScopedLimit, worst_window
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.registry import rule
from toxplan.knowledge.models import RollingWindowMax, SessionMax, SiteMax, WeightBasedMax


def u(value: Decimal) -> str:
    return f"{show_units(value)} U"


def _scope_subject(ctx: CheckContext, scoped: ScopedLimit) -> Subject:
    if len(scoped.indications) == 1:
        return Subject("indication", next(iter(scoped.indications)))
    assert ctx.product is not None
    return Subject("product", ctx.product.id)


def _scope_words(scoped: ScopedLimit) -> str:
    return ", ".join(sorted(scoped.indications)) if scoped.indications else "all indications"


def _planned(ctx: CheckContext, scoped: ScopedLimit) -> Decimal:
    return sum((i.units for i in ctx.plan.injections if scoped.covers(i.indication)), Decimal(0))


@rule("SITE_DOSE_ABOVE_MAX", "INPUT_MISSING")
def site_maximum(ctx: CheckContext) -> Iterator[Finding]:
    for scoped in ctx.limits_of("site_max"):
        limit = scoped.limit
        assert isinstance(limit, SiteMax)
        if not ctx.applies_by_age(limit):
            continue
        volume_unknown = False
        for index, injection in enumerate(ctx.plan.injections):
            if not scoped.covers(injection.indication):
                continue
            where = Subject("injection", injection.site or "position", index)
            if limit.max_units is not None and injection.units > limit.max_units:
                yield Finding(
                    "SITE_DOSE_ABOVE_MAX",
                    limit.severity,
                    f"Injection {index + 1} ({injection.site or 'free position'}, "
                    f"{injection.indication}) has {u(injection.units)}; the per-site maximum is "
                    f"{u(limit.max_units)}.",
                    where,
                    limit.citations,
                )
            if limit.max_volume_ml is None:
                continue
            volume = ctx.plan.volume_ml(injection)
            if volume is None:
                volume_unknown = True
            elif volume > limit.max_volume_ml:
                yield Finding(
                    "SITE_DOSE_ABOVE_MAX",
                    limit.severity,
                    f"Injection {index + 1} ({injection.site or 'free position'}) is "
                    f"{show_volume(volume)} mL; no more than {limit.max_volume_ml} mL per site.",
                    where,
                    limit.citations,
                )
        if volume_unknown:
            yield Finding(
                "INPUT_MISSING",
                "warning",
                f"No dilution given: the per-site volume cap of {limit.max_volume_ml} mL "
                f"({_scope_words(scoped)}) could not be checked.",
                Subject("dilution", "dilution"),
                limit.citations,
            )


def _session_limit_exceeded(ctx: CheckContext, indication: str) -> bool:
    for scoped in ctx.limits_of("session_max"):
        limit = scoped.limit
        assert isinstance(limit, SessionMax)
        if scoped.covers(indication) and ctx.applies_by_age(limit) and _planned(ctx, scoped) > limit.max_units:
            return True
    return False


@rule("SESSION_DOSE_ABOVE_MAX")
def session_maximum(ctx: CheckContext) -> Iterator[Finding]:
    for scoped in ctx.limits_of("session_max"):
        limit = scoped.limit
        assert isinstance(limit, SessionMax)
        if not ctx.applies_by_age(limit):
            continue
        planned = _planned(ctx, scoped)
        if planned > limit.max_units:
            ages = f" for patients {limit.ages.describe()}" if limit.ages else ""
            yield Finding(
                "SESSION_DOSE_ABOVE_MAX",
                limit.severity,
                f"The plan gives {u(planned)} ({_scope_words(scoped)}) in one session; the "
                f"maximum{ages} is {u(limit.max_units)}.",
                _scope_subject(ctx, scoped),
                limit.citations,
            )


@rule("SESSION_DOSE_ABOVE_MAX", "WEIGHT_REQUIRED")
def weight_based_maximum(ctx: CheckContext) -> Iterator[Finding]:
    for scoped in ctx.limits_of("weight_based_max"):
        limit = scoped.limit
        assert isinstance(limit, WeightBasedMax)
        planned = _planned(ctx, scoped)
        if planned == 0 or not ctx.applies_by_age(limit):
            continue
        rule_words = f"{show_units(limit.units_per_kg)} U/kg"
        if limit.cap_units is not None:
            rule_words = f"the lesser of {rule_words} or {u(limit.cap_units)}"
        weight = ctx.patient.weight_kg
        if weight is None:
            age = "" if ctx.age is not None else " (no birth date given, so it may apply)"
            yield Finding(
                "WEIGHT_REQUIRED",
                "critical",
                f"A weight-based maximum ({rule_words}, {_scope_words(scoped)}) applies"
                f"{age}, but no weight is given: the dose cannot be checked.",
                Subject("patient", "weight_kg"),
                limit.citations,
            )
            continue
        if limit.weights is not None and not limit.weights.contains(weight):
            continue
        maximum = limit.units_per_kg * weight
        if limit.cap_units is not None:
            maximum = min(maximum, limit.cap_units)
        if planned > maximum:
            yield Finding(
                "SESSION_DOSE_ABOVE_MAX",
                limit.severity,
                f"The plan gives {u(planned)} ({_scope_words(scoped)}); for {show_units(weight)} kg "
                f"the maximum is {rule_words} = {u(maximum.quantize(Decimal('0.1')))}.",
                _scope_subject(ctx, scoped),
                limit.citations,
            )


@rule("CUMULATIVE_DOSE_ABOVE_MAX")
def rolling_window_maximum(ctx: CheckContext) -> Iterator[Finding]:
    for scoped in ctx.limits_of("rolling_window_max"):
        limit = scoped.limit
        assert isinstance(limit, RollingWindowMax)
        assert ctx.product is not None
        planned = _planned(ctx, scoped)
        if planned == 0 or not ctx.applies_by_age(limit):
            continue
        counted = [e for e in ctx.same_product_history if scoped.covers(e.indication)]
        window = worst_window(counted, ctx.on, limit.window)  # recorded doses after the visit count too
        earlier = window.units
        if planned + earlier > limit.max_units:
            listed = "; ".join(f"{e.date} {e.indication} {u(e.units)}" for e in window.entries)
            period = f"since {window.start}" if window.end == ctx.on else f"from {window.start} to {window.end}"
            yield Finding(
                "CUMULATIVE_DOSE_ABOVE_MAX",
                limit.severity,
                f"{ctx.product.brands[0]}: {u(earlier)} given {period} ({listed or 'none'}) "
                f"plus {u(planned)} planned = {u(planned + earlier)}, above the maximum of "
                f"{u(limit.max_units)} in {limit.window.describe()} ({_scope_words(scoped)}). "
                f"Doses of other toxin products are not counted: their units are not comparable.",
                _scope_subject(ctx, scoped),
                limit.citations,
            )


@rule("DOSE_ABOVE_LABEL")
def above_label_dose(ctx: CheckContext) -> Iterator[Finding]:
    for indication in ctx.known_indications:
        regimen = ctx.regimen(indication)
        if regimen is None or regimen.recommended_total_units is None:
            continue
        planned = ctx.plan.units_for(indication)
        recommended = regimen.recommended_total_units
        if planned > recommended.max and not _session_limit_exceeded(ctx, indication):
            dose = (
                u(recommended.max)
                if recommended.min == recommended.max
                else (f"{show_units(recommended.min)}-{u(recommended.max)}")
            )
            yield Finding(
                "DOSE_ABOVE_LABEL",
                "warning",
                f"{indication}: {u(planned)} planned; the recommended dose is {dose}.",
                Subject("indication", indication),
                regimen.citations,
            )
