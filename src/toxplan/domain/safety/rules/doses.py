"""Dose limits: per site, per session, weight-based, rolling window, and the label dose."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from toxplan.domain.dilution import show_units, show_volume
from toxplan.domain.safety.context import CheckContext, ScopedLimit, worst_window
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.wording import indication_name, indications_named, product_name, site_name
from toxplan.knowledge.models import PerSideMax, RollingWindowMax, SessionMax, SiteMax, WeightBasedMax


def u(value: Decimal) -> str:
    return f"{show_units(value)} U"


def _scope_subject(ctx: CheckContext, scoped: ScopedLimit) -> Subject:
    if len(scoped.indications) == 1:
        return Subject("indication", next(iter(scoped.indications)))
    assert ctx.product is not None
    return Subject("product", ctx.product.id)


def _scope_words(ctx: CheckContext, scoped: ScopedLimit) -> str:
    return indications_named(ctx.kb, scoped.indications) if scoped.indications else "all indications"


def _planned(ctx: CheckContext, scoped: ScopedLimit) -> Decimal:
    if not scoped.indications:
        return ctx.plan.units_for()
    return sum((u for i, u in ctx.plan.units_by_indication.items() if i in scoped.indications), Decimal(0))


def earlier_today(ctx: CheckContext, covers: Callable[[str], bool]) -> Decimal:
    """Units of the planned product already given on the plan's day for indications ``covers``
    accepts: the same treatment session, so session limits count them."""
    return sum((e.units for e in ctx.same_product_history if e.date == ctx.on and covers(e.indication)), Decimal(0))


def today_words(earlier: Decimal) -> str:
    return f" (including {u(earlier)} given earlier today)" if earlier else ""


@rule("SITE_DOSE_ABOVE_MAX", "INPUT_MISSING")
def site_maximum(ctx: CheckContext) -> Iterator[Finding]:
    for scoped in ctx.limits_of("site_max"):
        limit = scoped.limit
        assert isinstance(limit, SiteMax)
        if not ctx.applies_by_age(limit):
            continue
        volume_unknown = False
        covered = False
        choice = ctx.plan.dilution
        assumed = "" if choice is None or choice.source == "given" else " at the assumed dilution"
        scope = scoped.indications
        for index, injection in enumerate(ctx.plan.injections):
            if scope and injection.indication not in scope:
                continue
            covered = True
            where = Subject("injection", injection.site or "position", index)
            if limit.max_units is not None and injection.units > limit.max_units:
                yield Finding(
                    "SITE_DOSE_ABOVE_MAX",
                    limit.severity,
                    f"Injection {index + 1} ({site_name(ctx.kb, injection.site)}, "
                    f"{indication_name(ctx.kb, injection.indication)}) has {u(injection.units)}; the "
                    f"per-site maximum is {u(limit.max_units)}.",
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
                    f"Injection {index + 1} ({site_name(ctx.kb, injection.site)}) is "
                    f"{show_volume(volume)} mL{assumed}; no more than {limit.max_volume_ml} mL per site.",
                    where,
                    limit.citations,
                )
        if covered and assumed and limit.max_volume_ml is not None and choice is not None:
            used = choice.dilution
            yield Finding(
                "INPUT_MISSING",
                "warning",
                f"The per-site volume cap of {limit.max_volume_ml} mL ({_scope_words(ctx, scoped)}) was checked at "
                f"an assumed dilution, {show_units(used.vial_units)} U in {used.diluent_ml} mL ({choice.source}): "
                f"at another dilution the same units are another volume. Give vial_units and diluent_ml.",
                Subject("dilution", "dilution"),
                limit.citations,
            )
        if volume_unknown:
            yield Finding(
                "INPUT_MISSING",
                "warning",
                f"No dilution given: the per-site volume cap of {limit.max_volume_ml} mL "
                f"({_scope_words(ctx, scoped)}) could not be checked.",
                Subject("dilution", "dilution"),
                limit.citations,
            )


def _session_limit_exceeded(ctx: CheckContext, indication: str) -> bool:
    for scoped in ctx.limits_of("session_max"):
        limit = scoped.limit
        assert isinstance(limit, SessionMax)
        in_session = _planned(ctx, scoped) + earlier_today(ctx, scoped.covers)
        if scoped.covers(indication) and ctx.applies_by_age(limit) and in_session > limit.max_units:
            return True
    return False


@rule("SESSION_DOSE_ABOVE_MAX")
def session_maximum(ctx: CheckContext) -> Iterator[Finding]:
    for scoped in ctx.limits_of("session_max"):
        limit = scoped.limit
        assert isinstance(limit, SessionMax)
        if not ctx.applies_by_age(limit):
            continue
        earlier = earlier_today(ctx, scoped.covers)
        planned = _planned(ctx, scoped) + earlier
        if planned > limit.max_units and planned > earlier:
            ages = f" for patients {limit.ages.describe()}" if limit.ages else ""
            yield Finding(
                "SESSION_DOSE_ABOVE_MAX",
                limit.severity,
                f"The plan gives {u(planned)}{today_words(earlier)} ({_scope_words(ctx, scoped)}) in one session; "
                f"the maximum{ages} is {u(limit.max_units)}.",
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
        earlier = earlier_today(ctx, scoped.covers)
        planned += earlier
        rule_words = f"{show_units(limit.units_per_kg)} U/kg"
        if limit.cap_units is not None:
            rule_words = f"the lesser of {rule_words} or {u(limit.cap_units)}"
        weight = ctx.patient.weight_kg
        if weight is None:
            age = "" if ctx.age is not None else " (no birth date given, so it may apply)"
            yield Finding(
                "WEIGHT_REQUIRED",
                "critical",
                f"A weight-based maximum ({rule_words}, {_scope_words(ctx, scoped)}) applies"
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
                f"The plan gives {u(planned)}{today_words(earlier)} ({_scope_words(ctx, scoped)}); for "
                f"{show_units(weight)} kg "
                f"the maximum is {rule_words} = {u(maximum.quantize(Decimal('0.1')))}."
                + (f" {limit.note}" if _is_default(limit) and limit.note else ""),
                _scope_subject(ctx, scoped),
                limit.citations,
            )


@rule("CUMULATIVE_DOSE_ABOVE_MAX", "WEIGHT_REQUIRED")
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
        maximum, words = limit.max_units, u(limit.max_units)
        weight = ctx.patient.weight_kg
        if limit.units_per_kg is not None and weight is None and ctx.age is not None:
            yield Finding(
                "WEIGHT_REQUIRED",
                "critical",
                f"A maximum of {show_units(limit.units_per_kg)} U/kg in {limit.window.describe()} "
                f"({_scope_words(ctx, scoped)}) applies at this age, but no weight is given: only the "
                f"{u(limit.max_units)} ceiling was checked.",
                Subject("patient", "weight_kg"),
                limit.citations,
            )
        if limit.units_per_kg is not None and weight is not None:
            maximum = min(maximum, limit.units_per_kg * weight)
            words = (
                f"the lesser of {show_units(limit.units_per_kg)} U/kg or {u(limit.max_units)} "
                f"= {u(maximum.quantize(Decimal('0.1')))} for {show_units(weight)} kg"
            )
        if planned + earlier > maximum:
            listed = "; ".join(f"{e.date} {indication_name(ctx.kb, e.indication)} {u(e.units)}" for e in window.entries)
            period = f"since {window.start}" if window.end == ctx.on else f"from {window.start} to {window.end}"
            ages = f" for patients {limit.ages.describe()}" if limit.ages else ""
            yield Finding(
                "CUMULATIVE_DOSE_ABOVE_MAX",
                limit.severity,
                f"{product_name(ctx.kb, ctx.product.id)}: {u(earlier)} given {period} ({listed or 'none'}) "
                f"plus {u(planned)} planned = {u(planned + earlier)}, above the maximum{ages} of "
                f"{words} in {limit.window.describe()} ({_scope_words(ctx, scoped)}). "
                f"Doses of other toxin products are not counted: their units are not comparable."
                + (f" {limit.note}" if _is_default(limit) and limit.note else ""),
                _scope_subject(ctx, scoped),
                limit.citations,
            )


def _is_default(limit: object) -> bool:
    """A limit ToxPlan applies where the label value is unconfirmed (its id says so)."""
    return "toxplan_default" in getattr(limit, "id", "")


@rule("SESSION_DOSE_ABOVE_MAX", "WEIGHT_REQUIRED")
def per_side_maximum(ctx: CheckContext) -> Iterator[Finding]:
    """A per-limb (per-axilla, per-eye) maximum, checked on each side separately."""
    for scoped in ctx.limits_of("per_side_max"):
        limit = scoped.limit
        assert isinstance(limit, PerSideMax)
        if not ctx.applies_by_age(limit):
            continue
        by_side: dict[str, Decimal] = {}
        for injection in ctx.plan.injections:
            side = ctx.side_of(injection) if scoped.covers(injection.indication) else None
            if side is not None:
                by_side[side] = by_side.get(side, Decimal(0)) + injection.units
        if not by_side:
            continue
        weight = ctx.patient.weight_kg
        if limit.units_per_kg is not None and weight is None:
            yield Finding(
                "WEIGHT_REQUIRED",
                "critical",
                f"A per-{limit.side_word} maximum of {show_units(limit.units_per_kg)} U/kg "
                f"({_scope_words(ctx, scoped)}) applies, but no weight is given: the dose per "
                f"{limit.side_word} cannot be checked.",
                Subject("patient", "weight_kg"),
                limit.citations,
            )
        maximum: Decimal | None = limit.max_units
        words = u(limit.max_units) if limit.max_units is not None else ""
        if limit.units_per_kg is not None and weight is not None:
            per_kg = limit.units_per_kg * weight
            maximum = per_kg if maximum is None else min(maximum, per_kg)
            words = f"{show_units(limit.units_per_kg)} U/kg" + (f" or {words}" if words else "")
            words = f"{words} = {u(maximum.quantize(Decimal('0.1')))} for {show_units(weight)} kg"
        if maximum is None:
            continue
        for side_name, planned in sorted(by_side.items()):
            if planned > maximum:
                ages = f" for patients {limit.ages.describe()}" if limit.ages else ""
                yield Finding(
                    "SESSION_DOSE_ABOVE_MAX",
                    limit.severity,
                    f"{_scope_words(ctx, scoped)}: {u(planned)} in the {side_name} {limit.side_word}; the "
                    f"maximum per {limit.side_word}{ages} is {words}."
                    + (f" {limit.note}" if _is_default(limit) and limit.note else ""),
                    _scope_subject(ctx, scoped),
                    limit.citations,
                )


@rule("DOSE_ABOVE_LABEL", "SESSION_DOSE_ABOVE_MAX")
def above_label_dose(ctx: CheckContext) -> Iterator[Finding]:
    """An indication's total against the recommended dose; fixed doses are critical above the factor."""
    for indication in ctx.known_indications:
        regimen = ctx.regimen(indication)
        if regimen is None or regimen.recommended_total_units is None:
            continue
        earlier = earlier_today(ctx, frozenset({indication}).__contains__)
        planned = ctx.plan.units_for(indication) + earlier
        recommended = regimen.recommended_total_units
        if planned <= recommended.max:
            continue
        dose = (
            u(recommended.max)
            if recommended.min == recommended.max
            else (f"{show_units(recommended.min)}-{u(recommended.max)}")
        )
        name = indication_name(ctx.kb, indication)
        whose = "the label's" if regimen.label_status == "on_label" else "the cited (off-label) source's"
        cap = recommended.max * ctx.fixed_dose_factor
        if regimen.dose_basis == "fixed" and planned > cap:
            factor_citations = ctx.kb.defaults.fixed_dose_factor.citations if ctx.kb.defaults else ()
            yield Finding(
                "SESSION_DOSE_ABOVE_MAX",
                "critical",
                f"{name}: {u(planned)} planned{today_words(earlier)} with {product_name(ctx.kb, regimen.product)}, "
                f"more than "
                f"{show_units(ctx.fixed_dose_factor)} × {whose} dose of {dose} for the area (ToxPlan's "
                f"limit for a fixed label dose: {u(cap)}).",
                Subject("indication", indication),
                (*regimen.citations, *factor_citations),
            )
        elif not _session_limit_exceeded(ctx, indication):
            yield Finding(
                "DOSE_ABOVE_LABEL",
                "warning",
                f"{name}: {u(planned)} planned{today_words(earlier)}; {whose} recommended dose is {dose}.",
                Subject("indication", indication),
                regimen.citations,
            )
