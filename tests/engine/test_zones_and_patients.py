"""Danger zones hold every injection in their view unless an exemption covers it; patient risk
takes its severity from the purpose of the plan; contraindications and combinations."""

from __future__ import annotations

import pytest

from tests.engine.conftest import FROWN, adult, coded, findings, request, shots
from toxplan.knowledge.base import KnowledgeBase

BROWS = [("brow_point_left", 4), ("brow_point_right", 4)]
ARM = [("biceps_left", 50)]


def test_a_zone_holds_an_injection_whatever_its_indication(tiny: KnowledgeBase) -> None:
    plan = shots("frown_lines", FROWN) + shots("brow_lines", [("near_eye_left", 4)])
    zone = coded(findings(tiny, request(injections=plan)), "DANGER_ZONE")
    assert [(f.severity, f.subject.row) for f in zone] == [("critical", 5)]
    assert "left side" in zone[0].message


def test_an_exemption_covers_its_own_site_only_within_its_distance(tiny: KnowledgeBase) -> None:
    # near_eye_left is at x 30, y 8; the exemption reaches 2 mm from it.
    moved = {"indication": "frown_lines", "position": {"x_mm": 30, "y_mm": 5.9, "view": "front"}, "units": 4}
    close = {"indication": "frown_lines", "position": {"x_mm": 30, "y_mm": 6.1, "view": "front"}, "units": 4}
    assert not coded(findings(tiny, request(injections=[close])), "DANGER_ZONE")
    assert coded(findings(tiny, request(injections=[moved])), "DANGER_ZONE")


@pytest.mark.parametrize(
    ("plan", "severity"),
    [
        (shots("frown_lines", FROWN), "critical"),
        (shots("arm_spasticity", ARM), "warning"),
        (shots("frown_lines", FROWN) + shots("arm_spasticity", ARM), "critical"),
    ],
    ids=["aesthetic", "therapeutic", "both"],
)
def test_pregnancy_is_rated_by_the_purpose(tiny: KnowledgeBase, plan: list[dict[str, object]], severity: str) -> None:
    found = coded(findings(tiny, request(injections=plan, patient=adult(pregnant=True))), "PREGNANCY_OR_LACTATION")
    assert [f.severity for f in found] == [severity]


def test_an_interacting_medicine_is_rated_by_the_purpose(tiny: KnowledgeBase) -> None:
    elective = findings(tiny, request(patient=adult(medications=["gentamicin 80 mg"])))
    assert [f.severity for f in coded(elective, "DRUG_INTERACTION")] == ["critical"]
    needed = findings(tiny, request(injections=shots("arm_spasticity", ARM), patient=adult(medications=["gentamicin"])))
    assert [f.severity for f in coded(needed, "DRUG_INTERACTION")] == ["warning"]


def test_a_component_allergy_and_an_infection_at_the_site_contraindicate(tiny: KnowledgeBase) -> None:
    allergic = coded(findings(tiny, request(patient=adult(allergies=["albumin"]))), "CONTRAINDICATION")
    assert allergic and "Human albumin" in allergic[0].message
    infected = coded(findings(tiny, request(patient=adult(infection_at_site=True))), "CONTRAINDICATION")
    assert [f.severity for f in infected] == ["critical"]


def test_a_skin_infection_matters_only_in_its_region(tiny: KnowledgeBase) -> None:
    patient = adult(conditions=["facial cellulitis"])
    assert coded(findings(tiny, request(patient=patient)), "CONTRAINDICATION")
    assert not coded(
        findings(tiny, request(injections=shots("arm_spasticity", ARM), patient=patient)), "CONTRAINDICATION"
    )


def test_an_area_dosed_only_with_another_needs_it(tiny: KnowledgeBase) -> None:
    alone = coded(findings(tiny, request(injections=shots("brow_lines", BROWS))), "COMBINATION_OUTSIDE_LABEL")
    assert alone and "frown lines" in alone[0].message
    together = shots("brow_lines", BROWS) + shots("frown_lines", FROWN)
    assert not coded(findings(tiny, request(injections=together)), "COMBINATION_OUTSIDE_LABEL")


def test_a_ready_to_use_solution_takes_no_diluent(tiny: KnowledgeBase) -> None:
    plan = shots("frown_lines", FROWN)
    quiet = findings(tiny, request(product="testtoxs", injections=plan, vial_units=50, diluent_ml=None))
    assert not coded(quiet, "DILUTION_UNUSUAL")
    diluted = findings(tiny, request(product="testtoxs", injections=plan, vial_units=50, diluent_ml=1))
    assert [f.severity for f in coded(diluted, "DILUTION_UNUSUAL")] == ["warning"]
