"""Time windows: retreatment intervals, rolling-window sums of one product, other toxins."""

from __future__ import annotations

import pytest

from tests.engine.conftest import coded, findings, past, request
from toxplan.knowledge.base import KnowledgeBase


@pytest.mark.parametrize(("last", "fires"), [("2026-08-25", False), ("2026-08-26", True)])
def test_three_calendar_months_is_the_boundary(tiny: KnowledgeBase, last: str, fires: bool) -> None:
    found = coded(findings(tiny, request(history=[past(last)])), "RETREATMENT_TOO_SOON")
    assert bool(found) is fires
    if fires:
        assert "the label interval is 3 months" in found[0].message and found[0].citations == ("label_a",)


def test_only_the_same_indication_counts_for_its_interval(tiny: KnowledgeBase) -> None:
    other_area = [past("2026-11-01", indication="brow_lines", units=8)]
    assert not coded(findings(tiny, request(history=other_area)), "RETREATMENT_TOO_SOON")


@pytest.mark.parametrize(("given", "fires"), [(380, False), (381, True)])
def test_the_rolling_window_adds_past_doses_of_the_same_product(tiny: KnowledgeBase, given: int, fires: bool) -> None:
    # 400 U in 3 months: the plan's 20 U plus the past dose.
    history = [past("2026-10-01", indication="arm_spasticity", units=given)]
    found = coded(findings(tiny, request(history=history)), "CUMULATIVE_DOSE_ABOVE_MAX")
    assert bool(found) is fires
    if fires:
        assert found[0].severity == "critical" and "401 U" in found[0].message


def test_other_products_never_add_units_to_the_window(tiny: KnowledgeBase) -> None:
    history = [past("2026-10-01", product="testtoxb", units=390)]
    found = findings(tiny, request(history=history))
    assert not coded(found, "CUMULATIVE_DOSE_ABOVE_MAX")
    recent = [f for f in coded(found, "OTHER_TOXIN_RECENT") if f.subject.row == 0]
    assert recent and "TESTTOX B" in recent[0].message and "not added together" in recent[0].message


def test_another_toxin_counts_only_inside_its_window(tiny: KnowledgeBase) -> None:
    assert coded(findings(tiny, request(history=[past("2026-07-26", product="testtoxb")])), "OTHER_TOXIN_RECENT")
    assert not coded(findings(tiny, request(history=[past("2026-07-25", product="testtoxb")])), "OTHER_TOXIN_RECENT")


@pytest.mark.parametrize(("units", "critical"), [(285, False), (286, True)])
def test_toxin_load_adds_fractions_of_each_products_own_maximum(
    tiny: KnowledgeBase, units: int, critical: bool
) -> None:
    # TESTTOX B: 300 U per 3 months; the plan is 20 of TESTTOX A's 400 U (5 %): 95 % + 5 % = 100 %.
    history = [past("2026-10-01", product="testtoxb", units=units)]
    load = [f for f in coded(findings(tiny, request(history=history)), "OTHER_TOXIN_RECENT") if f.critical]
    assert bool(load) is critical
    if critical:
        assert "TESTTOX B 286 U" in load[0].message and "5% of its maximum" in load[0].message
