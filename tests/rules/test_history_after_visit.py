"""Treatments recorded after the checked visit (a visit charted late) count like earlier ones.

The records service passes every treatment in a window around the visit to the rules; a
caller's check request holds past treatments only, so these tests build the request directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import DAY, NOON, request, with_code
from toxplan.domain.checking import check
from toxplan.domain.requests import CheckRequest
from toxplan.domain.safety.context import start_of_window, within, worst_window
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.models import Duration

CD_300 = [
    {"indication": "cervical_dystonia", "site": site, "units": 50}
    for site in (
        "sternocleidomastoid_left",
        "splenius_capitis_left",
        "trapezius_upper_left",
        "sternocleidomastoid_right",
        "splenius_capitis_right",
        "trapezius_upper_right",
    )
]
THREE_MONTHS = Duration(months=3)


def entry(
    date: dt.date, units: float, product: str = "onabotulinumtoxina", indication: str = "cervical_dystonia"
) -> Any:
    return {"date": date.isoformat(), "product": product, "indication": indication, "units": units}


def found(kb: KnowledgeBase, history: list[dict[str, Any]], shots: list[dict[str, Any]] | None = None) -> list[Finding]:
    data = request(shots=shots or CD_300, history=history)
    return list(check(kb, CheckRequest.model_validate(data), at=NOON).result.findings)


def test_a_dose_recorded_the_next_day_counts_toward_the_rolling_maximum(kb: KnowledgeBase) -> None:
    cumulative = with_code(found(kb, [entry(DAY + dt.timedelta(days=1), 300)]), "CUMULATIVE_DOSE_ABOVE_MAX")
    assert cumulative and cumulative[0].critical
    assert "300 U given from 2026-08-27 to 2026-11-26" in cumulative[0].message


def test_doses_before_and_after_in_no_common_window_do_not_add_up(kb: KnowledgeBase) -> None:
    # 80 days before and 80 days after: 160 days apart, so no 3-month window holds both.
    history = [entry(DAY - dt.timedelta(days=80), 300), entry(DAY + dt.timedelta(days=80), 300)]
    cumulative = with_code(found(kb, history, shots=CD_300[:1]), "CUMULATIVE_DOSE_ABOVE_MAX")
    assert not cumulative


def test_a_dose_just_outside_the_window_after_the_visit_is_not_counted(kb: KnowledgeBase) -> None:
    day_after_window = dt.date(2027, 2, 25)  # 3 months after 2026-11-25: elapsed == span, outside
    assert start_of_window(day_after_window, THREE_MONTHS) == DAY + dt.timedelta(days=1)
    assert not with_code(found(kb, [entry(day_after_window, 300)]), "CUMULATIVE_DOSE_ABOVE_MAX")
    inside = dt.date(2027, 2, 24)
    assert with_code(found(kb, [entry(inside, 300)]), "CUMULATIVE_DOSE_ABOVE_MAX")


def test_retreatment_interval_looks_after_the_visit_too(kb: KnowledgeBase) -> None:
    shots = [{"indication": "glabellar_lines", "site": "procerus", "units": 4}]
    later = entry(DAY + dt.timedelta(days=10), 20, indication="glabellar_lines")
    soon = with_code(found(kb, [later], shots=shots), "RETREATMENT_TOO_SOON")
    assert soon and "10 days after this visit" in soon[0].message
    far = entry(DAY + dt.timedelta(days=120), 20, indication="glabellar_lines")
    assert not with_code(found(kb, [far], shots=shots), "RETREATMENT_TOO_SOON")


def test_another_toxin_given_after_the_visit_counts_within_its_window_only(kb: KnowledgeBase) -> None:
    shots = [{"indication": "glabellar_lines", "site": "procerus", "units": 4}]
    near = entry(DAY + dt.timedelta(days=30), 50, product="abobotulinumtoxina", indication="glabellar_lines")
    assert with_code(found(kb, [near], shots=shots), "OTHER_TOXIN_RECENT")
    far = entry(DAY + dt.timedelta(days=200), 50, product="abobotulinumtoxina", indication="glabellar_lines")
    assert not with_code(found(kb, [far], shots=shots), "OTHER_TOXIN_RECENT")


@given(a=st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)), days=st.integers(-400, 400))
def test_within_is_symmetric(a: dt.date, days: int) -> None:
    b = a + dt.timedelta(days=days)
    for span in (THREE_MONTHS, Duration(weeks=12), Duration(days=90)):
        assert within(a, b, span) == within(b, a, span)


@given(
    offsets=st.lists(st.tuples(st.integers(-200, 200), st.integers(1, 400)), max_size=12),
)
def test_the_worst_window_is_the_largest_sum_of_any_window_holding_the_visit(offsets: list[tuple[int, int]]) -> None:
    """Brute force: every 3-month window [start_of_window(E), E] that contains DAY, E by day."""
    entries = [
        CheckRequest.model_validate(request(history=[entry(DAY + dt.timedelta(days=d), u)])).history[0]
        for d, u in offsets
    ]
    worst = worst_window(entries, DAY, THREE_MONTHS)
    best = Decimal(0)
    for shift in range(0, 120):
        end = DAY + dt.timedelta(days=shift)
        start = start_of_window(end, THREE_MONTHS)
        if start > DAY:
            break
        best = max(best, sum((e.units for e in entries if start <= e.date <= end), Decimal(0)))
    assert worst.units == best
    assert worst.start <= DAY <= worst.end
