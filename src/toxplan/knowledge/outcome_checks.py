"""Cross-file checks of the outcome knowledge (titration rules, label adverse-reaction rates).

Citations are checked with every other file (``checks.py`` walks these files too); this
module checks what only the outcome files refer to: products, indications, sites and
regimens, and the order of the rules.
"""

from __future__ import annotations

from collections.abc import Iterator

from toxplan.errors import Problem
from toxplan.knowledge.outcome_models import LabelReactionFile, TitrationFile
from toxplan.knowledge.raw import RawKnowledge

TITRATION = "outcomes/titration.yaml"
REACTIONS = "outcomes/label_reactions.yaml"


def check_outcomes(raw: RawKnowledge, sites: set[str]) -> list[Problem]:
    indications = {i.id for i in raw.indication_file.indications} if raw.indication_file else set()
    products = {p.id for _, p in raw.products}
    regimens = {(r.product, r.indication): r for _, r in raw.regimens}
    problems: list[Problem] = []
    if raw.titration is not None:
        problems += _titration(raw.titration, indications, sites, products)
    if raw.label_reactions is not None:
        problems += _reactions(raw.label_reactions, products, indications, set(regimens))
        on_label = {key for key, r in regimens.items() if r.label_status == "on_label"}
        for i, reaction in enumerate(raw.label_reactions.reactions):
            if (reaction.product, reaction.indication) not in on_label:
                problems.append(
                    Problem(
                        REACTIONS,
                        f"reactions[{i}]",
                        f"{reaction.product} has no on-label regimen for {reaction.indication}: "
                        "a label rate needs a label use",
                    )
                )
    return problems


def _titration(data: TitrationFile, indications: set[str], sites: set[str], products: set[str]) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, rule in enumerate(data.rules):
        field = f"rules[{i}]"
        if rule.id in seen:
            yield Problem(TITRATION, f"{field}.id", f"rule id {rule.id!r} is repeated")
        seen.add(rule.id)
        if rule.when.empty and i != len(data.rules) - 1:
            yield Problem(TITRATION, f"{field}.when", "a rule without conditions always applies: it must come last")
        for name in ("indications", "except_indications"):
            for j, ind in enumerate(getattr(rule, name)):
                if ind not in indications:
                    yield Problem(TITRATION, f"{field}.{name}[{j}]", f"unknown indication {ind!r}")
        for j, product in enumerate(rule.products):
            if product not in products:
                yield Problem(TITRATION, f"{field}.products[{j}]", f"unknown product {product!r}")
    if not data.rules[-1].when.empty:
        yield Problem(TITRATION, "rules", "the last rule must have no conditions, so that some rule always applies")
    yield from _areas(data, indications, sites)


def _areas(data: TitrationFile, indications: set[str], sites: set[str]) -> Iterator[Problem]:
    areas: set[str] = set()
    for i, area in enumerate(data.areas):
        field = f"areas[{i}]"
        if area.indication not in indications:
            yield Problem(TITRATION, f"{field}.indication", f"unknown indication {area.indication!r}")
        if area.indication in areas:
            yield Problem(TITRATION, f"{field}.indication", f"area {area.indication!r} is repeated")
        areas.add(area.indication)
        for name in ("increase_sites", "event_sites"):
            for j, site in enumerate(getattr(area, name)):
                if site not in sites:
                    yield Problem(TITRATION, f"{field}.{name}[{j}]", f"unknown site {site!r}")


def _reactions(
    data: LabelReactionFile, products: set[str], indications: set[str], regimens: set[tuple[str, str]]
) -> Iterator[Problem]:
    seen: set[tuple[str, str, str]] = set()
    for i, reaction in enumerate(data.reactions):
        field = f"reactions[{i}]"
        if reaction.product not in products:
            yield Problem(REACTIONS, f"{field}.product", f"unknown product {reaction.product!r}")
        if reaction.indication not in indications:
            yield Problem(REACTIONS, f"{field}.indication", f"unknown indication {reaction.indication!r}")
        key = (reaction.product, reaction.indication, reaction.event)
        if key in seen:
            yield Problem(REACTIONS, field, f"{'/'.join(key)} is given twice")
        seen.add(key)
    for i, unknown in enumerate(data.unknown):
        field = f"unknown[{i}]"
        if unknown.product not in products:
            yield Problem(REACTIONS, f"{field}.product", f"unknown product {unknown.product!r}")
        for j, ind in enumerate(unknown.indications):
            if (unknown.product, ind) not in regimens:
                yield Problem(REACTIONS, f"{field}.indications[{j}]", f"{unknown.product} has no regimen for {ind!r}")
            elif any(r.product == unknown.product and r.indication == ind for r in data.reactions):
                yield Problem(REACTIONS, f"{field}.indications[{j}]", f"{ind} has label rates above: not unknown")
