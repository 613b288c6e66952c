"""Several toxins in one window: each course as a fraction of its own product's maximum."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import DAY, findings, healthy_adult, request, with_code
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase

SIX_WEEKS_AGO = (DAY - dt.timedelta(weeks=6)).isoformat()
CD = "cervical_dystonia"


def course(product: str, units: float, day: str = SIX_WEEKS_AGO) -> dict[str, object]:
    return {"date": day, "product": product, "indication": CD, "units": units}


def botox_cd(units: float) -> list[dict[str, object]]:
    return [{"indication": CD, "site": "trapezius_1_left", "units": units / 8}] * 8


def load(found: list[Finding]) -> list[Finding]:
    return [f for f in with_code(found, "OTHER_TOXIN_RECENT") if f.subject.id == "other toxins"]


CASES = [  # why, history, planned BOTOX units, critical
    ("1000 U Dysport + 400 U Xeomin, then 400 U BOTOX", [course("dysport", 1000), course("xeomin", 400)], 400, True),
    ("750 U Dysport (50%), then 200 U BOTOX (50%): exactly one maximum", [course("dysport", 750)], 200, False),
    ("750 U Dysport (50%), then 204 U BOTOX (51%)", [course("dysport", 750)], 204, True),
    ("200 U Xeomin (50%), then 200 U BOTOX (50%)", [course("xeomin", 200)], 200, False),
    ("20 U Jeuveau (100%), then 4 U BOTOX", [course("jeuveau", 20)], 4, True),
    (
        "another toxin five months ago is outside the window",
        [course("dysport", 1500, (DAY - dt.timedelta(days=150)).isoformat())],
        400,
        False,
    ),
    ("only BOTOX history: the cumulative rule's job", [course("botox", 100)], 100, False),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_toxin_load(kb: KnowledgeBase, case: tuple) -> None:  # type: ignore[type-arg]
    why, history, planned, must = case
    found = load(findings(kb, request(shots=botox_cd(planned), history=history, vial_units=100, diluent_ml=2)))
    assert bool(found) == must, why
    if must:
        assert found[0].severity == "critical" and "%" in found[0].message and "never converted" in found[0].message
        assert found[0].citations and all(c in kb.citations for c in found[0].citations)


def test_the_example_names_every_course_and_its_share(kb: KnowledgeBase) -> None:
    history = [course("dysport", 1000), course("xeomin", 400)]
    found = load(findings(kb, request(shots=botox_cd(400), history=history, vial_units=100, diluent_ml=2)))
    message = found[0].message
    assert (
        "Dysport 1000 U" in message
        and "67%" in message
        and "Xeomin 400 U" in message
        and "BOTOX 400 U planned" in message
    )
    assert "267%" in message


def test_a_child_counts_against_the_pediatric_maximum(kb: KnowledgeBase) -> None:
    child = healthy_adult(birth_date="2014-01-01", weight_kg=30)  # Dysport: 30 U/kg x 30 = 900 U
    history = [course("dysport", 500)]  # 56% for this child (33% for an adult)
    shots = [{"indication": "upper_limb_spasticity", "site": "biceps_brachii_left", "units": 90}]  # 90/180 = 50%
    found = load(findings(kb, request(shots=shots, history=history, patient=child, vial_units=100, diluent_ml=2)))
    assert found and found[0].severity == "critical"


@settings(max_examples=40, deadline=None)
@given(dysport=st.integers(min_value=1, max_value=1500), botox=st.integers(min_value=1, max_value=400))
def test_fractions_add_up(kb: KnowledgeBase, dysport: int, botox: int) -> None:
    """Property: critical exactly when dysport/1500 + botox/400 > 1, for an adult."""
    found = load(
        findings(kb, request(shots=botox_cd(botox), history=[course("dysport", dysport)], vial_units=100, diluent_ml=2))
    )
    assert bool(found) == (Decimal(dysport) / 1500 + Decimal(botox) / 400 > 1)


GL_PLANS = {  # product: (units per glabellar site, diluent, its window maximum)
    "onabotulinumtoxina": (4, 2.5, 400),
    "abobotulinumtoxina": (10, 2.5, 1500),
    "incobotulinumtoxina": (4, 2.5, 400),
    "prabotulinumtoxina": (4, 2.5, 20),
    "daxibotulinumtoxina": (8, 1.25, 250),
    "letibotulinumtoxina": (4, 2.5, 20),
}
SITES = [
    "procerus",
    "corrugator_medial_left",
    "corrugator_medial_right",
    "corrugator_lateral_left",
    "corrugator_lateral_right",
]


@pytest.mark.parametrize("product", sorted(GL_PLANS))
def test_every_product_counts_as_a_fraction_of_its_own_maximum(kb: KnowledgeBase, product: str) -> None:
    per_site, diluent, maximum = GL_PLANS[product]
    vial = 300 if product == "abobotulinumtoxina" else 100
    shots = [{"indication": "glabellar_lines", "site": s, "units": per_site} for s in SITES]
    planned = Decimal(5 * per_site) / maximum
    other = "xeomin" if product != "incobotulinumtoxina" else "botox"  # both: 400 U maximum
    room = (1 - planned) * 400  # the other toxin's units that bring the total to exactly one maximum
    at_most = int(room)
    history = (
        [{"date": SIX_WEEKS_AGO, "product": other, "indication": "upper_limb_spasticity", "units": at_most}]
        if at_most
        else []
    )
    quiet = load(
        findings(kb, request(product=product, shots=shots, history=history, vial_units=vial, diluent_ml=diluent))
    )
    assert not quiet
    over = [{"date": SIX_WEEKS_AGO, "product": other, "indication": "upper_limb_spasticity", "units": at_most + 1}]
    found = load(findings(kb, request(product=product, shots=shots, history=over, vial_units=vial, diluent_ml=diluent)))
    assert [f.severity for f in found] == ["critical"]
