"""Dilution and syringe arithmetic: worked label examples and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toxplan.domain.dilution import (
    Dilution,
    show_marks,
    show_units,
    show_volume,
    syringe_marks,
    vials_needed,
)

D = Decimal

vial_units = st.sampled_from([D(50), D(100), D(200), D(300), D(500)])
diluent = st.decimals(min_value=D("0.5"), max_value=D(10), places=2)
units = st.decimals(min_value=D("0.25"), max_value=D(400), places=2)


@pytest.mark.parametrize(
    ("vial", "saline", "per_tenth"),
    [
        # BOTOX 100 U reconstitution table (label via PDR): 1, 2, 2.5, 4, 8, 10 mL
        (100, "1", "10"),
        (100, "2", "5"),
        (100, "2.5", "4"),
        (100, "4", "2.5"),
        (100, "8", "1.25"),
        (100, "10", "1"),
        (50, "1.25", "4"),  # BOTOX Cosmetic 50 U vial
        (300, "1.5", "20"),  # Dysport 300 U with 1.5 mL: 10 U per 0.05 mL
        (300, "2.5", "12"),  # Dysport 300 U with 2.5 mL: 10 U per 0.08 mL (12 U/0.1 mL)
    ],
)
def test_label_reconstitution_rows(vial: int, saline: str, per_tenth: str) -> None:
    assert Dilution(D(vial), D(saline)).units_per_0_1_ml == D(per_tenth)


def test_botox_glabellar_dose_is_a_tenth_of_a_ml_and_ten_marks() -> None:
    solution = Dilution(D(100), D("2.5"))
    volume = solution.volume_ml(D(4))
    assert volume == D("0.1")
    assert show_marks(syringe_marks(volume)) == D("10.0")
    assert solution.volume_ml(D(20)) == D("0.5")  # label: 20 U in 0.5 mL


def test_dysport_ten_units_at_2_5_ml_is_0_08_ml() -> None:
    assert show_volume(Dilution(D(300), D("2.5")).volume_ml(D(10))) == D("0.083")


def test_rounding_is_half_up_to_half_marks() -> None:
    assert show_marks(D("6.25")) == D("6.5")
    assert show_marks(D("6.24")) == D("6.0")
    assert show_volume(D("0.0665")) == D("0.067")


def test_units_are_shown_without_trailing_zeros() -> None:
    assert str(show_units(D("4.00"))) == "4"
    assert str(show_units(D("2.50"))) == "2.5"


@pytest.mark.parametrize(("vial", "saline"), [(0, 1), (100, 0), (-100, 1)])
def test_nonsense_dilution_is_refused(vial: int, saline: int) -> None:
    with pytest.raises(ValueError):
        Dilution(D(vial), D(saline))


def test_negative_units_are_refused() -> None:
    with pytest.raises(ValueError):
        Dilution(D(100), D(1)).volume_ml(D(-1))


@given(vial_units, diluent, units)
def test_units_to_volume_round_trip_is_exact(vial: Decimal, saline: Decimal, dose: Decimal) -> None:
    solution = Dilution(vial, saline)
    back = solution.units_in(solution.volume_ml(dose))
    assert abs(back - dose) < D("1e-20")


@given(vial_units, diluent, units, units)
def test_more_units_never_take_less_volume(vial: Decimal, saline: Decimal, a: Decimal, b: Decimal) -> None:
    solution = Dilution(vial, saline)
    low, high = sorted((a, b))
    assert solution.volume_ml(low) <= solution.volume_ml(high)
    assert show_volume(solution.volume_ml(low)) <= show_volume(solution.volume_ml(high))


@given(vial_units, diluent, diluent, units)
def test_more_diluent_means_weaker_solution_and_more_volume(
    vial: Decimal, a: Decimal, b: Decimal, dose: Decimal
) -> None:
    thin, thick = Dilution(vial, max(a, b)), Dilution(vial, min(a, b))
    assert thin.units_per_0_1_ml <= thick.units_per_0_1_ml
    assert thin.volume_ml(dose) >= thick.volume_ml(dose)


@given(vial_units, diluent, st.lists(units, min_size=1, max_size=40))
def test_volumes_add_up_like_units(vial: Decimal, saline: Decimal, doses: list[Decimal]) -> None:
    solution = Dilution(vial, saline)
    per_site = sum((solution.volume_ml(d) for d in doses), D(0))
    assert abs(per_site - solution.volume_ml(sum(doses, D(0)))) < D("1e-20")


@given(st.decimals(min_value=D(0), max_value=D(5000), places=2), vial_units)
def test_vials_conserve_units(total: Decimal, vial: Decimal) -> None:
    use = vials_needed(total, vial)
    assert use.units_opened == use.vials * vial
    assert use.units_drawn + use.units_left == use.vials * vial
    assert D(0) <= use.units_left < vial
    assert use.vials == 0 or (use.vials - 1) * vial < total


@given(st.decimals(min_value=D(0), max_value=D(100), places=3))
def test_shown_marks_are_within_a_quarter_mark(volume: Decimal) -> None:
    exact = syringe_marks(volume)
    assert abs(show_marks(exact) - exact) <= D("0.25")
