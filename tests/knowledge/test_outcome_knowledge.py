"""The outcome knowledge (titration rules, label adverse-reaction rates): what ships, and files
broken on purpose that must be refused naming the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, get_args

import pytest

from tests.conftest import KNOWLEDGE
from tests.knowledge.test_broken_kb import Mutation, edit
from toxplan.db.models.outcome import EVENT_TYPES
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load
from toxplan.knowledge.outcome_models import EventType

TITRATION = "outcomes/titration.yaml"
REACTIONS = "outcomes/label_reactions.yaml"


def test_event_types_are_the_records_event_types() -> None:
    assert get_args(EventType) == EVENT_TYPES


def test_every_label_rate_is_for_an_on_label_use_and_cited_from_the_label_sources(kb: KnowledgeBase) -> None:
    assert kb.outcomes is not None
    reactions = kb.outcomes.label_reactions.reactions
    assert len(reactions) >= 10
    for reaction in reactions:
        regimen = kb.regimen(reaction.product, reaction.indication)
        assert regimen is not None and regimen.label_status == "on_label", reaction
        assert 0 < reaction.rate_percent < 100
        assert all(c in kb.citations for c in reaction.citations)


def test_the_glabellar_eyelid_ptosis_rates_are_the_labels(kb: KnowledgeBase) -> None:
    """label-facts.md: BOTOX Cosmetic 3%, Jeuveau 2%, Daxxify 2%, Letybo below 1%."""
    assert kb.outcomes is not None
    rates = {
        r.product: (float(r.rate_percent), r.bound)
        for r in kb.outcomes.label_reactions.reactions
        if r.indication == "glabellar_lines" and r.event == "eyelid_ptosis"
    }
    assert rates == {
        "onabotulinumtoxina": (3.0, "equal"),
        "prabotulinumtoxina": (2.0, "equal"),
        "daxibotulinumtoxina": (2.0, "equal"),
        "letibotulinumtoxina": (1.0, "below"),
    }


def test_unknown_label_rates_are_listed_for_the_aesthetic_label_uses_without_rates(kb: KnowledgeBase) -> None:
    assert kb.outcomes is not None
    known = {(r.product, r.indication) for r in kb.outcomes.label_reactions.reactions}
    unknown = {(u.product, i) for u in kb.outcomes.label_reactions.unknown for i in u.indications}
    for (product, indication), regimen in kb.regimens.items():
        aesthetic = kb.indications[indication].category == "aesthetic"
        if aesthetic and regimen.label_status == "on_label":
            assert ((product, indication) in known) != ((product, indication) in unknown), (product, indication)


def test_the_rules_end_with_one_that_always_applies(kb: KnowledgeBase) -> None:
    assert kb.outcomes is not None
    rules = kb.outcomes.titration.rules
    assert rules[-1].when.empty and not any(r.when.empty for r in rules[:-1])
    assert len({r.id for r in rules}) == len(rules)


def _rules(change: Any) -> Mutation:
    return edit(TITRATION, change)


CASES: list[tuple[str, Mutation, str, str]] = [
    ("unknown key in a rule", _rules(lambda d: d["rules"][0].__setitem__("colour", "blue")), TITRATION, "colour"),
    (
        "unknown citation",
        _rules(lambda d: d["rules"][1].__setitem__("citations", ["no_such_source"])),
        TITRATION,
        "unknown citation 'no_such_source'",
    ),
    (
        "an increase without a step",
        _rules(lambda d: d["rules"][3]["change"].pop("units_per_site")),
        TITRATION,
        "needs units_per_site",
    ),
    (
        "a condition that can never hold",
        _rules(lambda d: d["rules"][3]["when"].__setitem__("fws_max_at_most", 1)),
        TITRATION,
        "can never hold",
    ),
    (
        "an unknown event type",
        _rules(lambda d: d["rules"][1]["when"].__setitem__("adverse_events", ["hiccups"])),
        TITRATION,
        "adverse_events",
    ),
    (
        "the catch-all rule not last",
        _rules(lambda d: d["rules"].insert(0, d["rules"][-1])),
        TITRATION,
        "must come last",
    ),
    (
        "no catch-all rule",
        _rules(lambda d: d["rules"].pop()),
        TITRATION,
        "last rule must have no conditions",
    ),
    (
        "unknown site in an area",
        _rules(lambda d: d["areas"][0]["increase_sites"].append("corrugator_middle")),
        TITRATION,
        "unknown site 'corrugator_middle'",
    ),
    (
        "unknown indication in a rule",
        _rules(lambda d: d["rules"][4].__setitem__("indications", ["lip_lines"])),
        TITRATION,
        "unknown indication 'lip_lines'",
    ),
    (
        "label rate for an off-label use",
        edit(REACTIONS, lambda d: d["reactions"][0].__setitem__("indication", "masseter")),
        REACTIONS,
        "no on-label regimen for masseter",
    ),
    (
        "a rate above 100 %",
        edit(REACTIONS, lambda d: d["reactions"][0].__setitem__("rate_percent", 130)),
        REACTIONS,
        "rate_percent",
    ),
    (
        "a rate given twice",
        edit(REACTIONS, lambda d: d["reactions"].append(d["reactions"][0])),
        REACTIONS,
        "is given twice",
    ),
    (
        "an area both known and unknown",
        edit(REACTIONS, lambda d: d["unknown"][0]["indications"].append("glabellar_lines")),
        REACTIONS,
        "has label rates above",
    ),
    ("missing titration file", lambda root: (root / TITRATION).unlink(), TITRATION, "missing"),
]


@pytest.mark.parametrize(("mutation", "file", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_outcome_knowledge_is_refused(tmp_path: Path, mutation: Mutation, file: str, expected: str) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    mutation(root)
    with pytest.raises(KnowledgeBaseError) as caught:
        load(root)
    matching = [p for p in caught.value.problems if p.file == file and expected in f"{p.field}: {p.message}"]
    assert matching, "\n".join(str(p) for p in caught.value.problems)
