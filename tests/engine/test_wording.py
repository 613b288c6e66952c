"""Findings name things as clinicians say them and cite their strongest sources, label first
(on the tiny knowledge base; the shipped messages are checked in tests/rules/test_wording.py)."""

from __future__ import annotations

from tests.engine.conftest import adult, findings, request
from toxplan.domain.safety.wording import MAX_CITATIONS, indication_name, product_name, site_name, strongest_citations
from toxplan.knowledge.base import KnowledgeBase


def test_names_read_as_people_say_them(tiny: KnowledgeBase) -> None:
    assert indication_name(tiny, "frown_lines") == "frown lines"
    assert site_name(tiny, "frown_point_left") == "left frown point"
    assert site_name(tiny, "glabella_point") == "glabella point"
    assert site_name(tiny, None) == "free position"
    assert product_name(tiny, "testtoxa") == "TESTTOX A"
    assert product_name(tiny, "testtoxinB") == "TESTTOX B"


def test_unknown_ids_are_shown_as_given(tiny: KnowledgeBase) -> None:
    assert indication_name(tiny, "no_such_thing") == "no_such_thing"
    assert site_name(tiny, "nowhere") == "nowhere"
    assert product_name(tiny, "acmetox") == "acmetox"


def test_label_sources_come_first_and_at_most_three(tiny: KnowledgeBase) -> None:
    chosen = strongest_citations(tiny, ("report_x", "consensus_x", "label_b", "label_a", "label_s", "missing"))
    assert chosen == ("label_a", "label_s", "label_b")  # label first, then by tier (T1 before T2)
    assert strongest_citations(tiny, ("report_x", "report_x")) == ("report_x",)


def test_every_finding_cites_at_most_three_sources(tiny: KnowledgeBase) -> None:
    patient = adult(conditions=["myasthenia gravis"], medications=["gentamicin"], pregnant=True)
    plan = [{"indication": "frown_lines", "site": "glabella_point", "units": 40}]
    found = findings(tiny, request(patient=patient, injections=plan))
    assert len(found) >= 3
    assert all(len(f.citations) <= MAX_CITATIONS for f in found)
