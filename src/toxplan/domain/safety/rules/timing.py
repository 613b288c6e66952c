"""Time rules: retreatment intervals, other toxins given recently, in-use time of the vial."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from toxplan.domain.dilution import show_units
from toxplan.domain.safety.context import CheckContext, within, worst_window
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.wording import indication_name, indications_named, product_name
from toxplan.knowledge.dose_models import WindowMaximum
from toxplan.knowledge.models import Interval, Product, RollingWindowMax, SessionMax


def u(value: Decimal) -> str:
    return f"{show_units(value)} U"


OTHER_TOXIN_CLASS = "other_botulinum_toxins"
"""The interaction class whose ``recent_within`` says how long another toxin still counts."""


def _label_interval(ctx: CheckContext, indication: str) -> tuple[Interval | None, bool]:
    """The interval that applies to this patient: the longest of the regimen's own (an age
    interval for this age included), else ToxPlan's default for the category (second item True)."""
    regimen = ctx.regimen(indication)
    candidates = [] if regimen is None else [regimen.min_interval] if regimen.min_interval else []
    if regimen is not None:
        candidates += [i for i in regimen.age_intervals if ctx.age_matches(i.ages)]
    if len(candidates) == 1:
        return candidates[0], False
    if candidates:
        return max(candidates, key=lambda i: i.minimum.approx_days()), False
    defaults = ctx.kb.defaults
    if defaults is None:
        return None, True
    category = ctx.kb.indications[indication].category
    fallback = defaults.therapeutic_interval if category == "therapeutic" else defaults.aesthetic_interval
    interval = Interval(
        minimum=fallback.minimum,
        severity="warning",
        wording=f"ToxPlan default: the label interval is unconfirmed. {fallback.note}",
        citations=fallback.citations,
        evidence=fallback.evidence,
    )
    return interval, True


@rule("RETREATMENT_TOO_SOON", "LABEL_VALUE_UNCONFIRMED")
def retreatment_interval(ctx: CheckContext) -> Iterator[Finding]:
    for indication in ctx.known_indications:
        category = ctx.kb.indications[indication].category
        interval, is_default = _label_interval(ctx, indication)
        if interval is not None:
            last = ctx.nearest(indication, interval.minimum)  # a later recorded visit counts too
            name = indication_name(ctx.kb, indication)
            if last is not None:
                whose = "ToxPlan's default interval" if is_default else "the label interval"
                days = (ctx.on - last.date).days
                when = f"{days} days ago" if days >= 0 else f"{-days} days after this visit"
                yield Finding(
                    "RETREATMENT_TOO_SOON",
                    interval.severity,
                    f"{name} was treated {when} ({last.date}, {product_name(ctx.kb, last.product)} "
                    f"{show_units(last.units)} U); {whose} is {interval.minimum.describe()}: "
                    f'"{interval.wording}"',
                    Subject("indication", indication),
                    interval.citations,
                )
            elif is_default and ctx.history:
                product = product_name(ctx.kb, ctx.product.id) if ctx.product else ctx.plan.product
                yield Finding(
                    "LABEL_VALUE_UNCONFIRMED",
                    "info",
                    f"{name} with {product}: the label's retreatment interval is unconfirmed; ToxPlan "
                    f"applied its default of {interval.minimum.describe()} and found no earlier course inside it.",
                    Subject("indication", indication),
                    interval.citations,
                )
        if ctx.policy is None:
            continue
        for policy_rule in ctx.policy.intervals_for(indication, category):
            in_scope = [
                h
                for h in ctx.history
                if within(h.date, ctx.on, policy_rule.minimum)
                and (
                    h.indication == indication
                    or (
                        policy_rule.across_indications
                        and h.indication in ctx.kb.indications
                        and ctx.kb.indications[h.indication].category in policy_rule.categories
                    )
                )
            ]
            if in_scope:
                last = max(in_scope, key=lambda h: h.date)
                yield Finding(
                    "RETREATMENT_TOO_SOON",
                    policy_rule.severity,
                    f"Clinic policy '{policy_rule.id}': {policy_rule.minimum.describe()} between "
                    f"treatments ({policy_rule.reason}); last in scope {last.date} "
                    f"({indication_name(ctx.kb, last.indication)}).",
                    Subject("indication", indication),
                    (f"policy:{policy_rule.id}",),
                )


@rule("OTHER_TOXIN_RECENT", "RULE_NOT_EVALUATED")
def other_toxin_recent(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.product is None or not ctx.history:
        return
    toxins = ctx.kb.find_interaction_class(OTHER_TOXIN_CLASS)
    if toxins is None or toxins.recent_within is None:
        yield Finding(
            "RULE_NOT_EVALUATED",
            "warning",
            f"The knowledge base gives no window for other botulinum toxins ({OTHER_TOXIN_CLASS}.recent_within): "
            f"earlier doses of other products were not checked.",
            Subject("history", "other toxins"),
            (),
        )
        return
    window = toxins.recent_within
    shares: list[tuple[str, Decimal]] = []
    own_product = ctx.product
    maxima: dict[str, tuple[Decimal, tuple[str, ...]] | None] = {}  # per product, for this patient
    for index, (entry, other) in enumerate(zip(ctx.history, ctx.history_products, strict=True)):
        if not within(entry.date, ctx.on, window) or other is own_product:
            continue
        name = other.brands[0] if other else f"'{entry.product}' (not a known product)"
        yield Finding(
            "OTHER_TOXIN_RECENT",
            toxins.severity,
            f"{name} was given on {entry.date} ({show_units(entry.units)} U, "
            f"{indication_name(ctx.kb, entry.indication)}), within {window.describe()}. Weakness may be "
            f"exacerbated by another botulinum toxin before the previous one's effect has resolved. "
            f"Units of different products are not comparable and are not added together.",
            Subject("history", entry.product, index),
            toxins.citations,
        )
        if other is not None and other.id not in maxima:
            maxima[other.id] = _window_maximum(ctx, other)
        maximum = maxima[other.id] if other is not None else None
        if other is not None and maximum is not None:
            shares.append((f"{other.brands[0]} {show_units(entry.units)} U on {entry.date}", entry.units / maximum[0]))
    if not shares:
        return
    own = _window_maximum(ctx, ctx.product)
    planned = ctx.plan.units_for()
    if own is None or planned == 0:
        return
    shares.append((f"{product_name(ctx.kb, ctx.product.id)} {show_units(planned)} U planned", planned / own[0]))
    total = sum((share for _, share in shares), Decimal(0))
    if total > 1:
        parts = "; ".join(f"{what} = {share:.0%} of its maximum" for what, share in shares)
        citations = (*toxins.citations, *own[1])
        yield Finding(
            "OTHER_TOXIN_RECENT",
            "critical",
            f"Toxin load within {window.describe()}: {parts}; together {total:.0%} of one full maximum. "
            f"ToxPlan's rule: each course counts as a fraction of its own product's label maximum for its "
            f"window (units are never converted); above 100% is critical.",
            Subject("history", "other toxins"),
            citations,
        )


def _window_maximum(ctx: CheckContext, product: Product) -> tuple[Decimal, tuple[str, ...]] | None:
    """The product's window maximum for this patient (age, weight), with its citations; with the
    age unknown, the smallest that may apply."""
    found: list[tuple[Decimal, tuple[str, ...]]] = []
    for maximum in product.window_maxima:
        if not ctx.age_matches(maximum.ages):
            continue
        units = maximum.max_units
        weight = ctx.patient.weight_kg
        if maximum.units_per_kg is not None and weight is not None:
            units = min(units, maximum.units_per_kg * weight)
        found.append((units, maximum.citations))
    return min(found, key=lambda m: m[0]) if found else None


def _own_window_maximum(ctx: CheckContext, product: Product) -> tuple[Decimal, WindowMaximum] | None:
    """The planned product's own maximum for a window that applies to this patient (the
    smallest where several may apply), in units for the patient's weight where it is per kg."""
    found: list[tuple[Decimal, WindowMaximum]] = []
    for maximum in product.window_maxima:
        if not ctx.age_matches(maximum.ages):
            continue
        units = maximum.max_units
        weight = ctx.patient.weight_kg
        if maximum.units_per_kg is not None and weight is not None:
            units = min(units, maximum.units_per_kg * weight)
        found.append((units, maximum))
    return min(found, key=lambda m: m[0]) if found else None


def _covered_by_limits(ctx: CheckContext, maximum: Decimal) -> tuple[bool, bool]:
    """Whether a product-wide limit already covers the window (a rolling-window maximum over
    every indication, e.g. BOTOX 400 U in 3 months), and whether one covers a single session
    (a session maximum over every indication no larger than the window's, e.g. Xeomin 400 U)."""
    product_wide = [s.limit for s in ctx.limits if not s.indications and ctx.applies_by_age(s.limit)]
    rolling = any(isinstance(lim, RollingWindowMax) for lim in product_wide)
    session = any(isinstance(lim, SessionMax) and lim.max_units <= maximum for lim in product_wide)
    return rolling, session


@rule("CUMULATIVE_DOSE_ABOVE_MAX", "SESSION_DOSE_ABOVE_MAX", "DOSE_ABOVE_LABEL")
def own_product_window(ctx: CheckContext) -> Iterator[Finding]:
    """The product's own courses against its maximum for a window (``window_maxima``), the same
    "one full maximum" the several-toxins rule weighs other products against.

    Courses of the product within the window plus the plan above the maximum: critical. The
    plan alone above it, where no regimen's own checks cover it (an indication with no dose
    held for this product, or several indications together): a warning, critical above the
    clinic's factor (ToxPlan's default 2) times the maximum.
    """
    product = ctx.product
    planned = ctx.plan.units_for()
    if product is None or planned == 0:
        return
    own = _own_window_maximum(ctx, product)
    if own is None:
        return
    maximum, source = own
    rolling, session = _covered_by_limits(ctx, maximum)
    if rolling:
        return
    name = product_name(ctx.kb, product.id)
    window = worst_window(ctx.same_product_history, ctx.on, source.window)  # later recorded courses count too
    past, earlier = window.entries, window.units
    period = f"since {window.start}" if window.end == ctx.on else f"from {window.start} to {window.end}"
    words = f"{u(maximum.quantize(Decimal('0.1')))} in {source.window.describe()}"
    if source.units_per_kg is not None and ctx.patient.weight_kg is not None:
        words = (
            f"the lesser of {show_units(source.units_per_kg)} U/kg or {u(source.max_units)} = {words} "
            f"for {show_units(ctx.patient.weight_kg)} kg"
        )
    basis = (
        f" ToxPlan default: no overall {name} maximum is confirmed in a label source. {source.note or ''}".rstrip()
        if source.toxplan_default
        else (f" ({source.note})" if source.note else "")
    )
    rule_words = (
        "ToxPlan counts a product's own courses against its maximum for a window, as it does "
        "other products' courses (units are never converted)."
    )
    if earlier > 0 and planned + earlier > maximum:
        listed = "; ".join(f"{e.date} {indication_name(ctx.kb, e.indication)} {u(e.units)}" for e in past)
        yield Finding(
            "CUMULATIVE_DOSE_ABOVE_MAX",
            "critical",
            f"{name}: {u(earlier)} given {period} ({listed}) plus {u(planned)} planned = "
            f"{u(planned + earlier)}, above {name}'s maximum of {words}.{basis} {rule_words}",
            Subject("product", product.id),
            source.citations,
        )
        return
    if earlier > 0 or planned <= maximum or session:
        return
    regimens = [ctx.regimen(i) for i in ctx.known_indications]
    unchecked = [i for i, r in zip(ctx.known_indications, regimens, strict=True) if r is None]
    if not unchecked and len(ctx.known_indications) < 2:
        return  # one indication with its own dose rules: those grade it (docs/rules.md)
    why = (
        f"no {name} dose is held for {indications_named(ctx.kb, unchecked)}"
        if unchecked
        else f"several indications are planned together ({indications_named(ctx.kb, ctx.known_indications)})"
    )
    cap = maximum * ctx.fixed_dose_factor
    factor_citations = ctx.kb.defaults.fixed_dose_factor.citations if ctx.kb.defaults is not None else ()
    if planned > cap:
        yield Finding(
            "SESSION_DOSE_ABOVE_MAX",
            "critical",
            f"{name}: {u(planned)} planned in one session, more than {show_units(ctx.fixed_dose_factor)} × "
            f"{name}'s maximum of {words} ({why}).{basis}",
            Subject("product", product.id),
            (*source.citations, *factor_citations),
        )
    else:
        yield Finding(
            "DOSE_ABOVE_LABEL",
            "warning",
            f"{name}: {u(planned)} planned in one session, above {name}'s maximum of {words} ({why}).{basis}",
            Subject("product", product.id),
            source.citations,
        )


def _elapsed_hours(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours between two moments; a time written without a zone is read in the clock's zone
    (the CLI's local time; the API refuses such times). Aware times are compared in UTC:
    Python subtracts two times of the same zone object by their wall clocks, which is an hour
    off across a daylight-saving change."""
    if start.tzinfo is None and end.tzinfo is not None:
        start = start.replace(tzinfo=end.tzinfo)
    elif end.tzinfo is None and start.tzinfo is not None:
        end = end.replace(tzinfo=start.tzinfo)
    if start.tzinfo is not None and end.tzinfo is not None:
        start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    return Decimal((end - start).total_seconds()) / 3600


def hours_words(hours: Decimal) -> str:
    """``24 h 1 min``: whole minutes, so a vial a minute over its time does not read "24.0 h"."""
    minutes = int((hours * 60).to_integral_value(rounding="ROUND_FLOOR"))
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest} min" if rest else f"{whole} h"


def _inside_in_use_time(ctx: CheckContext, hours: Decimal) -> bool:
    made, used = ctx.reconstituted_at, ctx.at
    # A reconstitution after the injection is not "inside": that mistake must be reported.
    return made is not None and used is not None and 0 <= _elapsed_hours(made, used) <= hours


@rule("RECONSTITUTED_VIAL_EXPIRED", "LABEL_VALUE_UNCONFIRMED", "INPUT_MISSING")
def vial_in_use_time(ctx: CheckContext) -> Iterator[Finding]:
    product = ctx.product
    if product is None:
        return
    hours_allowed, is_default = ctx.kb.in_use_hours(product)
    if hours_allowed is None:
        return
    if not is_default and _inside_in_use_time(ctx, hours_allowed):
        return  # inside the label's in-use time: nothing to say (the common case, kept cheap)
    name = product_name(ctx.kb, product.id)
    vial = Subject("vial", product.id)
    defaults = ctx.kb.defaults
    # A ready-to-use solution's clock starts when the vial is opened (``reconstituted_at``).
    made, making = ("opened", "opening") if product.ready_to_use else ("reconstituted", "reconstitution")
    if is_default and defaults is not None:
        citations = (*product.citations, *defaults.in_use.citations)
        rule_words = (
            f"the label's in-use time of {made} {name} is unconfirmed, so ToxPlan applies "
            f"its default of {show_units(hours_allowed)} h (the shortest confirmed for the class)"
        )
    else:
        assert product.in_use is not None
        citations = product.in_use.citations
        rule_words = f"{name} must be used within {show_units(hours_allowed)} h ({product.in_use.storage})"
    if ctx.reconstituted_at is None or ctx.at is None:
        yield Finding(
            "INPUT_MISSING",
            "info",
            f"No {making} time given: the {show_units(hours_allowed)} h in-use limit of "
            f"{name} was not checked" + (" (ToxPlan default; label value unconfirmed)." if is_default else "."),
            vial,
            citations,
        )
        return
    hours = _elapsed_hours(ctx.reconstituted_at, ctx.at)
    if hours < 0:
        yield Finding(
            "INPUT_MISSING",
            "warning",
            f"The vial's reconstitution time ({ctx.reconstituted_at}) is after the injection ({ctx.at}): the "
            f"time, its date or its time zone is wrong, so the {show_units(hours_allowed)} h in-use limit of "
            f"{name} could not be checked. Correct treatment.reconstituted_at.",
            vial,
            citations,
        )
    elif hours > hours_allowed:
        yield Finding(
            "RECONSTITUTED_VIAL_EXPIRED",
            "critical",
            f"The vial was {made} {hours_words(hours)} before injection ({ctx.reconstituted_at}); {rule_words}.",
            vial,
            citations,
        )
    elif is_default:
        yield Finding(
            "LABEL_VALUE_UNCONFIRMED",
            "info",
            f"{made.capitalize()} {hours_words(hours)} before injection: {rule_words}. Check the current label.",
            vial,
            citations,
        )
