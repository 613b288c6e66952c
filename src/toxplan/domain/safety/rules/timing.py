"""Time rules: retreatment intervals, other toxins given recently, in-use time of the vial."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from toxplan.domain.safety.context import CheckContext, within
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.registry import rule

OTHER_TOXIN_CLASS = "other_botulinum_toxins"
"""The interaction class whose ``recent_within`` says how long another toxin still counts."""


@rule("RETREATMENT_TOO_SOON")
def retreatment_interval(ctx: CheckContext) -> Iterator[Finding]:
    for indication in ctx.known_indications:
        category = ctx.kb.indications[indication].category
        regimen = ctx.regimen(indication)
        if regimen is not None and regimen.min_interval is not None:
            interval = regimen.min_interval
            last = ctx.nearest(indication, interval.minimum)  # a later recorded visit counts too
            if last is not None:
                days = (ctx.on - last.date).days
                when = f"{days} days ago" if days >= 0 else f"{-days} days after this visit"
                yield Finding(
                    "RETREATMENT_TOO_SOON",
                    interval.severity,
                    f"{indication} was treated {when} ({last.date}, {last.product} "
                    f"{last.units} U); the label interval is {interval.minimum.describe()}: "
                    f'"{interval.wording}"',
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
                    f"({last.indication}).",
                    Subject("indication", indication),
                    (f"policy:{policy_rule.id}",),
                )


@rule("OTHER_TOXIN_RECENT", "RULE_NOT_EVALUATED")
def other_toxin_recent(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.product is None or not ctx.history:
        return
    toxins = next((c for c in ctx.kb.interactions.classes if c.id == OTHER_TOXIN_CLASS), None)
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
    for index, (entry, other) in enumerate(zip(ctx.history, ctx.history_products, strict=True)):
        if not within(entry.date, ctx.on, window) or (other is not None and other.id == ctx.product.id):
            continue
        name = other.brands[0] if other else f"'{entry.product}' (not a known product)"
        yield Finding(
            "OTHER_TOXIN_RECENT",
            toxins.severity,
            f"{name} was given on {entry.date} ({entry.units} U, {entry.indication}), within "
            f"{window.describe()}. Weakness may be exacerbated by another botulinum toxin before the "
            f"previous one's effect has resolved. Units of different products are not "
            f"comparable and are not added together.",
            Subject("history", entry.product, index),
            toxins.citations,
        )


def _elapsed_hours(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours between two moments; a time written without a zone is read in the clock's zone
    (the CLI's local time; the API refuses such times)."""
    if start.tzinfo is None and end.tzinfo is not None:
        start = start.replace(tzinfo=end.tzinfo)
    elif end.tzinfo is None and start.tzinfo is not None:
        end = end.replace(tzinfo=start.tzinfo)
    return Decimal((end - start).total_seconds()) / 3600


@rule("RECONSTITUTED_VIAL_EXPIRED", "RULE_NOT_EVALUATED", "INPUT_MISSING")
def vial_in_use_time(ctx: CheckContext) -> Iterator[Finding]:
    product = ctx.product
    if product is None:
        return
    in_use = product.in_use
    vial = Subject("vial", product.id)
    if in_use is None:
        if ctx.reconstituted_at is not None:
            yield Finding(
                "RULE_NOT_EVALUATED",
                "warning",
                f"The in-use time of reconstituted {product.brands[0]} is not confirmed in the "
                f"label sources of the knowledge base: check the current label.",
                vial,
                product.citations,
            )
        return
    if ctx.reconstituted_at is None or ctx.at is None:
        yield Finding(
            "INPUT_MISSING",
            "info",
            f"No reconstitution time given: the {in_use.hours} h in-use limit of {product.brands[0]} was not checked.",
            vial,
            in_use.citations,
        )
        return
    hours = _elapsed_hours(ctx.reconstituted_at, ctx.at)
    if hours > in_use.hours:
        yield Finding(
            "RECONSTITUTED_VIAL_EXPIRED",
            "critical",
            f"The vial was reconstituted {hours:.1f} h before injection ({ctx.reconstituted_at}); "
            f"{product.brands[0]} must be used within {in_use.hours} h ({in_use.storage}).",
            vial,
            in_use.citations,
        )
