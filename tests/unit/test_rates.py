"""Rates and their Wilson 95 % intervals: worked values from the literature, properties, and the
"clearly above the label" rule; and the report's counting of treatments and events."""

from __future__ import annotations

import math
from decimal import Decimal
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toxplan.domain.rates import Rate, wilson_interval
from toxplan.domain.safety_report import EventRecord, Exposure, attribute, duration_rows, rate_rows, unknown_label_rates
from toxplan.knowledge.base import KnowledgeBase

# Newcombe RG, Two-sided confidence intervals for the single proportion: comparison of seven
# methods, Stat Med 1998;17:857-872, Table I, method 3 (Wilson score, no continuity correction).
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("events", "total", "low", "high"), NEWCOMBE)
def test_wilson_interval_matches_newcombes_worked_values(events: int, total: int, low: float, high: float) -> None:
    got = wilson_interval(events, total)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_three_in_a_hundred() -> None:
    """3 % observed: the interval 1.0-8.5 % holds a 3 % label rate, so it is not flagged."""
    rate = Rate(3, 100)
    assert rate.percent == 3
    assert (round(rate.low_percent, 2), round(rate.high_percent, 2)) == (1.03, 8.45)
    assert not rate.clearly_above(Decimal(3))
    assert rate.clearly_above(Decimal("1.0"))


def test_one_or_two_events_never_flag() -> None:
    """1 in 8 has a lower bound of 2.2 %, above a 2 % label, but 15 % of clinics at exactly 2 % see it."""
    assert Rate(1, 8).low_percent > 2 and not Rate(1, 8).clearly_above(Decimal(2))
    assert 1 - 0.98**8 > 0.14
    assert Rate(2, 5).low_percent > 10 and not Rate(2, 5).clearly_above(Decimal(2))
    assert Rate(3, 10).clearly_above(Decimal(2))


@pytest.mark.parametrize(("events", "total"), [(0, 0), (-1, 10), (11, 10)])
def test_impossible_counts_are_refused(events: int, total: int) -> None:
    with pytest.raises(ValueError, match="treatment"):
        wilson_interval(events, total)


def textbook(events: int, total: int) -> tuple[float, float]:
    z = NormalDist().inv_cdf(0.975)
    p = events / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z / (1 + z * z / total) * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, centre - half), min(1.0, centre + half)


counts = st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
wilson_interval(1, 2)  # SciPy loads on the first call (seconds on a busy machine): not inside a timed example


@given(counts)
def test_the_interval_is_the_textbook_wilson_formula(pair: tuple[int, int]) -> None:
    assert wilson_interval(*pair) == pytest.approx(textbook(*pair), abs=1e-9)


@given(counts)
def test_the_interval_holds_the_observed_rate_and_stays_within_0_and_1(pair: tuple[int, int]) -> None:
    events, total = pair
    low, high = wilson_interval(events, total)
    assert 0 <= low <= events / total <= high <= 1
    assert (low > 0) == (events > 0)
    assert (high < 1) == (events < total)


@given(counts)
def test_the_interval_is_symmetric_in_events_and_non_events(pair: tuple[int, int]) -> None:
    events, total = pair
    low, high = wilson_interval(events, total)
    other_low, other_high = wilson_interval(total - events, total)
    assert (low, high) == pytest.approx((1 - other_high, 1 - other_low), abs=1e-12)


@given(counts, st.integers(2, 10))
def test_more_treatments_at_the_same_rate_narrow_the_interval(pair: tuple[int, int], times: int) -> None:
    events, total = pair
    low, high = wilson_interval(events, total)
    more_low, more_high = wilson_interval(events * times, total * times)
    assert more_high - more_low < high - low


@given(counts, st.decimals(0, 100, places=1), st.decimals(0, 100, places=1))
def test_a_flag_at_one_label_rate_holds_at_every_lower_one(pair: tuple[int, int], a: Decimal, b: Decimal) -> None:
    rate = Rate(*pair)
    lower, higher = sorted((a, b))
    if rate.clearly_above(higher):
        assert rate.clearly_above(lower)
    assert rate.clearly_above(Decimal(100)) is False


# --- counting in the report ----------------------------------------------------------------------

BOTOX = "onabotulinumtoxina"


def test_an_event_counts_for_the_areas_of_its_linked_sites_else_for_every_area() -> None:
    areas = {"glabellar_lines": {"procerus", "corrugator_lateral_left"}, "forehead_lines": {"frontalis_upper_left"}}
    assert attribute(["corrugator_lateral_left"], areas) == ("glabellar_lines",)
    assert attribute([], areas) == ("forehead_lines", "glabellar_lines")
    assert attribute(["masseter_1_left"], areas) == ("forehead_lines", "glabellar_lines")


def test_rates_count_treatments_with_an_event_per_group(kb: KnowledgeBase) -> None:
    exposures = [
        Exposure(BOTOX, "glabellar_lines", "sam", "lot1", 60),
        Exposure(BOTOX, "glabellar_lines", "lucia", "lot1", 40),
        Exposure(BOTOX, "forehead_lines", "lucia", "lot1", 10),
    ]
    events = [
        EventRecord("t1", "eyelid_ptosis", BOTOX, "lucia", "lot1", ("glabellar_lines",)),
        EventRecord("t1", "eyelid_ptosis", BOTOX, "lucia", "lot1", ("glabellar_lines",)),  # same treatment: once
        EventRecord("t2", "eyelid_ptosis", BOTOX, "lucia", "lot1", ("glabellar_lines",)),
        EventRecord("t3", "headache", BOTOX, "sam", "lot1", ("glabellar_lines",)),
    ]
    rows = {(r.dimension, r.group, r.indication, r.event): r for r in rate_rows(kb, exposures, events)}
    area = rows[("area", BOTOX, "glabellar_lines", "eyelid_ptosis")]
    assert (area.rate.events, area.rate.treatments) == (2, 100)
    assert area.label is not None and area.label.rate_percent == 3 and not area.flagged
    lucia = rows[("injector", "lucia", "glabellar_lines", "eyelid_ptosis")]
    assert (lucia.rate.events, lucia.rate.treatments) == (2, 40)
    sam = rows[("injector", "sam", "glabellar_lines", "eyelid_ptosis")]  # the label's event shows at 0
    assert (sam.rate.events, sam.rate.treatments) == (0, 60)
    assert ("injector", "sam", "glabellar_lines", "headache") in rows
    pooled = rows[("indication", "glabellar_lines", "glabellar_lines", "eyelid_ptosis")]
    assert pooled.product is None and pooled.label is None
    product = rows[("product", BOTOX, None, "eyelid_ptosis")]
    assert (product.rate.events, product.rate.treatments) == (2, 110)
    assert ("area", BOTOX, "forehead_lines", "eyelid_ptosis") not in rows  # nothing seen, no label rate


def test_a_rate_whose_interval_lies_above_the_label_is_flagged(kb: KnowledgeBase) -> None:
    exposures = [Exposure(BOTOX, "glabellar_lines", "lucia", "lot1", 200)]
    events = [EventRecord(f"t{n}", "eyelid_ptosis", BOTOX, "lucia", "lot1", ("glabellar_lines",)) for n in range(14)]
    (row,) = [r for r in rate_rows(kb, exposures, events) if r.dimension == "injector"]
    assert row.rate.percent == 7 and row.rate.low_percent > 3 and row.flagged
    fewer = [EventRecord(f"t{n}", "eyelid_ptosis", BOTOX, "lucia", "lot1", ("glabellar_lines",)) for n in range(9)]
    (row,) = [r for r in rate_rows(kb, exposures, fewer) if r.dimension == "injector"]
    assert row.rate.percent == 4.5 and not row.flagged  # above 3 %, but the interval still holds it


def test_unknown_label_rates_say_why(kb: KnowledgeBase) -> None:
    found = {
        (u.product, u.indication): u.reason
        for u in unknown_label_rates(
            kb, [(BOTOX, "glabellar_lines"), ("abobotulinumtoxina", "glabellar_lines"), (BOTOX, "masseter")]
        )
    }
    assert set(found) == {("abobotulinumtoxina", "glabellar_lines"), (BOTOX, "masseter")}
    assert "percentages were not confirmed" in found[("abobotulinumtoxina", "glabellar_lines")]
    assert found[(BOTOX, "masseter")].startswith("Off-label use")


def test_durations_give_median_and_quartiles() -> None:
    (row,) = duration_rows([(BOTOX, "glabellar_lines", d) for d in (90, 100, 110, 120, 130)])
    assert row.median == 110 and row.quartiles == (100, 120) and len(row.days) == 5
    (single,) = duration_rows([(BOTOX, "chin", 95)])
    assert single.quartiles == (95, 95)
