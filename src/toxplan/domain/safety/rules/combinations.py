"""Plan rules on which indications are planned together (combinations.yaml)."""

from __future__ import annotations

from collections.abc import Iterator

from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import Finding, Subject
from toxplan.domain.safety.registry import rule
from toxplan.domain.safety.wording import indication_name, indications_named


@rule("COMBINATION_OUTSIDE_LABEL")
def label_combinations(ctx: CheckContext) -> Iterator[Finding]:
    """An indication the label doses only together with another, planned without it."""
    planned = set(ctx.known_indications)
    # the same product given earlier the same day is the same session (docs/rules.md)
    planned |= {e.indication for e in ctx.same_product_history if e.date == ctx.on}
    for combo in ctx.kb.combinations:
        if combo.planned in planned and not planned & set(combo.requires):
            alone = indication_name(ctx.kb, combo.planned)
            yield Finding(
                "COMBINATION_OUTSIDE_LABEL",
                combo.severity,
                f"{alone[:1].upper()}{alone[1:]} planned without {indications_named(ctx.kb, combo.requires)}. "
                f"{combo.reason}",
                Subject("indication", combo.planned),
                combo.citations,
            )
