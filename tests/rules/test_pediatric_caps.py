"""Pediatric caps of every product apply by age, with no gap between pediatric and adult rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import DAY, findings, request, with_code
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase


def patient(years: int, weight: float | None, days: int = 0) -> dict[str, object]:
    birth = DAY.replace(year=DAY.year - years) + dt.timedelta(days=days)
    found: dict[str, object] = {"birth_date": birth.isoformat(), "sex": "male", "infection_at_site": False}
    if weight is not None:
        found["weight_kg"] = weight
    return found


def limb(indication: str, sites: list[str], units: float) -> list[dict[str, object]]:
    return [{"indication": indication, "site": s, "units": units} for s in sites]


LEFT_LEG = ["gastrocnemius_medial_left", "gastrocnemius_lateral_left", "soleus_left", "tibialis_posterior_left"]
RIGHT_LEG = [s.replace("_left", "_right") for s in LEFT_LEG]
LEFT_ARM = ["biceps_brachii_left", "brachialis_left", "flexor_carpi_radialis_left", "flexor_digitorum_profundus_left"]
RIGHT_ARM = [s.replace("_left", "_right") for s in LEFT_ARM]


def critical(found: list[Finding], *codes: str) -> list[Finding]:
    return [f for f in found if f.code in codes and f.severity == "critical"]


def cited(kb: KnowledgeBase, found: list[Finding]) -> None:
    assert found
    assert all(f.citations and all(c in kb.citations for c in f.citations) for f in found)


CASES = [  # why, product, shots, age, weight, must be critical
    (
        "10-year-old of 15 kg, 300 U BOTOX lower limb",
        "botox",
        limb("lower_limb_spasticity", LEFT_LEG, 75),
        10,
        15,
        True,
    ),
    (
        "17-year-old, 600 U BOTOX lower limb",
        "botox",
        limb("lower_limb_spasticity", LEFT_LEG + RIGHT_LEG, 75),
        17,
        60,
        True,
    ),
    (
        "17-year-old, 80 U BOTOX lower limb (within 6 U/kg)",
        "botox",
        limb("lower_limb_spasticity", LEFT_LEG, 20),
        17,
        60,
        False,
    ),
    (
        "18-year-old, 400 U BOTOX lower limb (adult label)",
        "botox",
        limb("lower_limb_spasticity", LEFT_LEG + RIGHT_LEG, 50),
        18,
        60,
        False,
    ),
    (
        "18-year-old, 480 U BOTOX lower limb",
        "botox",
        limb("lower_limb_spasticity", LEFT_LEG + RIGHT_LEG, 60),
        18,
        60,
        True,
    ),
    (
        "8-year-old of 20 kg, 120 U BOTOX upper limb (6 U/kg)",
        "botox",
        limb("upper_limb_spasticity", LEFT_ARM, 30),
        8,
        20,
        False,
    ),
    ("8-year-old of 20 kg, 124 U BOTOX upper limb", "botox", limb("upper_limb_spasticity", LEFT_ARM, 31), 8, 20, True),
    (
        "1-year-old of 10 kg, 80 U BOTOX upper limb (below the label age, still capped)",
        "botox",
        limb("upper_limb_spasticity", LEFT_ARM, 20),
        1,
        10,
        True,
    ),
    (
        "6-year-old of 20 kg, Dysport 320 U in one arm (16 U/kg)",
        "dysport",
        limb("upper_limb_spasticity", LEFT_ARM, 80),
        6,
        20,
        False,
    ),
    (
        "6-year-old of 20 kg, Dysport 340 U in one arm",
        "dysport",
        limb("upper_limb_spasticity", LEFT_ARM, 85),
        6,
        20,
        True,
    ),
    (
        "6-year-old of 20 kg, Dysport 300 U in one leg (15 U/kg)",
        "dysport",
        limb("lower_limb_spasticity", LEFT_LEG, 75),
        6,
        20,
        False,
    ),
    (
        "6-year-old of 20 kg, Dysport 320 U in one leg",
        "dysport",
        limb("lower_limb_spasticity", LEFT_LEG, 80),
        6,
        20,
        True,
    ),
    (
        "6-year-old of 20 kg, Dysport 2 x 300 U legs (30 U/kg)",
        "dysport",
        limb("lower_limb_spasticity", LEFT_LEG + RIGHT_LEG, 75),
        6,
        20,
        False,
    ),
    (
        "17-year-old of 60 kg, Dysport 1100 U both legs",
        "dysport",
        limb("lower_limb_spasticity", LEFT_LEG + RIGHT_LEG, 137.5),
        17,
        60,
        True,
    ),
    (
        "18-year-old, Dysport 1100 U both legs (adult label)",
        "dysport",
        limb("lower_limb_spasticity", LEFT_LEG + RIGHT_LEG, 137.5),
        18,
        60,
        False,
    ),
    (
        "10-year-old of 20 kg, Xeomin 160 U in one arm (8 U/kg)",
        "xeomin",
        limb("upper_limb_spasticity", LEFT_ARM, 40),
        10,
        20,
        False,
    ),
    (
        "10-year-old of 20 kg, Xeomin 180 U in one arm",
        "xeomin",
        limb("upper_limb_spasticity", LEFT_ARM, 45),
        10,
        20,
        True,
    ),
    (
        "14-year-old of 40 kg, Xeomin 2 x 160 U arms (one-limb figure per session, default)",
        "xeomin",
        limb("upper_limb_spasticity", LEFT_ARM + RIGHT_ARM, 40),
        14,
        40,
        True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_pediatric_and_adult_caps(kb: KnowledgeBase, case: tuple) -> None:  # type: ignore[type-arg]
    why, product, shots, age, weight, must = case
    data = request(product=product, shots=shots, patient=patient(age, weight), vial_units=100, diluent_ml=1)
    if product == "dysport":
        data = request(product=product, shots=shots, patient=patient(age, weight), vial_units=500, diluent_ml=2.5)
    found = critical(findings(kb, data), "SESSION_DOSE_ABOVE_MAX", "CUMULATIVE_DOSE_ABOVE_MAX")
    assert bool(found) == must, why
    if must:
        cited(kb, found)


def test_the_botox_pediatric_default_says_it_is_a_default(kb: KnowledgeBase) -> None:
    data = request(
        shots=limb("lower_limb_spasticity", LEFT_LEG, 75), patient=patient(10, 15), vial_units=100, diluent_ml=1
    )
    found = critical(findings(kb, data), "SESSION_DOSE_ABOVE_MAX", "CUMULATIVE_DOSE_ABOVE_MAX")
    assert any("ToxPlan default" in f.message for f in found)
    assert all("lower_limb_spasticity" not in f.message for f in found)


@pytest.mark.parametrize(("days", "adult"), [(1, False), (0, True)])
def test_the_eighteenth_birthday_is_the_boundary(kb: KnowledgeBase, days: int, adult: bool) -> None:
    """One day before 18 the pediatric default applies; on the birthday the adult 400 U does."""
    shots = limb("lower_limb_spasticity", LEFT_LEG + RIGHT_LEG, 40)  # 320 U
    data = request(shots=shots, patient=patient(18, 70, days), vial_units=100, diluent_ml=1)
    found = critical(findings(kb, data), "SESSION_DOSE_ABOVE_MAX", "CUMULATIVE_DOSE_ABOVE_MAX")
    assert bool(found) != adult


def test_pediatric_cumulative_default_counts_history(kb: KnowledgeBase) -> None:
    history = [{"date": "2026-10-01", "product": "botox", "indication": "upper_limb_spasticity", "units": 100}]
    data = request(
        shots=limb("lower_limb_spasticity", LEFT_LEG, 10),
        patient=patient(12, 40),
        history=history,
        vial_units=100,
        diluent_ml=1,
    )  # lesser of 6 U/kg x 40 kg = 240 and 200: 100 + 40 = 140 is quiet, 180 + 40 = 220 is not
    assert not with_code(findings(kb, data), "CUMULATIVE_DOSE_ABOVE_MAX")
    more = [{**history[0], "units": 180}]
    data = request(
        shots=limb("lower_limb_spasticity", LEFT_LEG, 10),
        patient=patient(12, 40),
        history=more,
        vial_units=100,
        diluent_ml=1,
    )
    found = with_code(findings(kb, data), "CUMULATIVE_DOSE_ABOVE_MAX")
    assert [f.severity for f in found] == ["critical"] and "ToxPlan default" in found[0].message


def test_a_child_without_weight_is_told_the_weight_is_needed(kb: KnowledgeBase) -> None:
    data = request(
        shots=limb("lower_limb_spasticity", LEFT_LEG, 10), patient=patient(9, None), vial_units=100, diluent_ml=1
    )
    assert critical(findings(kb, data), "WEIGHT_REQUIRED")


def test_dysport_pediatric_upper_limb_interval_is_16_weeks(kb: KnowledgeBase) -> None:
    shots = limb("upper_limb_spasticity", LEFT_ARM, 40)
    history = [
        {
            "date": (DAY - dt.timedelta(weeks=14)).isoformat(),
            "product": "dysport",
            "indication": "upper_limb_spasticity",
            "units": 160,
        }
    ]
    child = request(
        product="dysport", shots=shots, patient=patient(8, 25), history=history, vial_units=500, diluent_ml=2.5
    )
    found = with_code(findings(kb, child), "RETREATMENT_TOO_SOON")
    assert found and "16 weeks" in found[0].message
    adult = request(
        product="dysport", shots=shots, patient=patient(30, 70), history=history, vial_units=500, diluent_ml=2.5
    )
    assert not with_code(findings(kb, adult), "RETREATMENT_TOO_SOON")


@settings(max_examples=30, deadline=None)
@given(
    age=st.integers(min_value=0, max_value=90),
    weight=st.decimals(min_value=Decimal(10), max_value=Decimal(120), places=1),
    units=st.integers(min_value=1, max_value=150),
)
def test_every_age_has_a_botox_maximum(kb: KnowledgeBase, age: int, weight: Decimal, units: int) -> None:
    """Property: 4 x units BOTOX in the legs is critical exactly when above the age's maximum."""
    shots = limb("lower_limb_spasticity", LEFT_LEG, units)
    data = request(shots=shots, patient=patient(age, float(weight)), vial_units=100, diluent_ml=1)
    total = Decimal(4 * units)
    maximum = Decimal(400) if age >= 18 else min(Decimal(200), Decimal(6) * weight)
    found = critical(findings(kb, data), "SESSION_DOSE_ABOVE_MAX", "CUMULATIVE_DOSE_ABOVE_MAX")
    assert bool(found) == (total > maximum)
