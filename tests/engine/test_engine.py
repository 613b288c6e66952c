"""How the engine runs: order, citations, unknown input, a clean plan."""

from __future__ import annotations

from tests.engine.conftest import FROWN, coded, findings, request, shots
from toxplan.domain.safety.findings import SEVERITY_RANK
from toxplan.knowledge.base import KnowledgeBase


def test_the_label_pattern_for_an_adult_raises_nothing(tiny: KnowledgeBase) -> None:
    assert findings(tiny, request()) == []


def test_findings_come_most_severe_first(tiny: KnowledgeBase) -> None:
    plan = shots("frown_lines", [(site, 9) for site, _ in FROWN]) + shots("brow_lines", [("brow_point_left", 5)])
    found = findings(tiny, request(injections=plan))
    ranks = [SEVERITY_RANK[f.severity] for f in found]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == 2 and ranks[-1] < 2


def test_a_finding_cites_at_most_three_sources_label_first(tiny: KnowledgeBase) -> None:
    plan = shots("frown_lines", [(site, 5 if site == "glabella_point" else 4) for site, _ in FROWN])
    above = coded(findings(tiny, request(injections=plan)), "DOSE_ABOVE_LABEL")
    # The regimen cites label_a, maker_a, consensus_x and report_x: the three strongest remain.
    assert [f.citations for f in above] == [("label_a", "maker_a", "consensus_x")] * 2


def test_what_the_knowledge_base_does_not_know_is_said_never_skipped(tiny: KnowledgeBase) -> None:
    plan = shots("frown_lines", [("nowhere", 4)]) + shots("mystery_lines", [("glabella_point", 4)])
    found = coded(findings(tiny, request(injections=plan)), "UNRECOGNISED_INPUT")
    assert {(f.subject.type, f.severity) for f in found} == {("injection", "warning"), ("indication", "critical")}
    unknown = coded(findings(tiny, request(product="acmetox")), "UNRECOGNISED_INPUT")
    assert [(f.subject.type, f.severity) for f in unknown] == [("product", "critical")]
    assert "TESTTOX A" in unknown[0].message  # the known products are listed by brand


def test_an_other_product_in_the_history_is_named_and_unknown_ones_reported(tiny: KnowledgeBase) -> None:
    history = [{"date": "2026-10-01", "product": "acmetox", "indication": "frown_lines", "units": 10}]
    found = coded(findings(tiny, request(history=history)), "UNRECOGNISED_INPUT")
    assert [(f.subject.type, f.subject.row) for f in found] == [("history", 0)]
