"""COMBINATION_OUTSIDE_LABEL: forehead lines are dosed by the label with glabellar lines; and
forehead lines in a patient with brow or eyelid ptosis (a caution condition)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GLABELLAR, findings, healthy_adult, injections, request, with_code
from tests.rules.test_dose_rules import cited
from tests.rules.test_purpose_rules import PRODUCTS
from toxplan.knowledge.base import KnowledgeBase

FOREHEAD = [
    ("frontalis_lower_midline", 4),
    ("frontalis_lower_lateral_left", 4),
    ("frontalis_lower_lateral_right", 4),
    ("frontalis_upper_left", 4),
    ("frontalis_upper_right", 4),
]


def plan(kb: KnowledgeBase, product: str, shots: list[dict[str, Any]], **patient: Any) -> Any:
    data = request(product=product, shots=shots, patient=healthy_adult(**patient))
    if product != "onabotulinumtoxina":
        data["treatment"].pop("vial_units")
        data["treatment"].pop("diluent_ml")
    return findings(kb, data)


@pytest.mark.parametrize("product", PRODUCTS)
def test_forehead_lines_alone_give_a_warning_for_every_product(kb: KnowledgeBase, product: str) -> None:
    found = with_code(plan(kb, product, injections("forehead_lines", FOREHEAD)), "COMBINATION_OUTSIDE_LABEL")
    assert [f.severity for f in found] == ["warning"]
    assert found[0].message.startswith("Forehead lines planned without glabellar lines")
    assert "botox_cosmetic_dosage_drugs_com" in found[0].citations
    cited(kb, found)


@pytest.mark.parametrize("product", PRODUCTS)
def test_quiet_with_glabellar_lines_in_the_same_plan(kb: KnowledgeBase, product: str) -> None:
    shots = injections("glabellar_lines", GLABELLAR) + injections("forehead_lines", FOREHEAD)
    assert not with_code(plan(kb, product, shots), "COMBINATION_OUTSIDE_LABEL")


def test_quiet_for_glabellar_lines_alone_and_other_areas(kb: KnowledgeBase) -> None:
    assert not with_code(
        plan(kb, "onabotulinumtoxina", injections("glabellar_lines", GLABELLAR)), "COMBINATION_OUTSIDE_LABEL"
    )
    crow = injections("lateral_canthal_lines", [("orbicularis_oculi_lateral_middle_left", 4)])
    assert not with_code(plan(kb, "onabotulinumtoxina", crow), "COMBINATION_OUTSIDE_LABEL")


@pytest.mark.parametrize("entry", ["brow ptosis", "eyelid ptosis", "blepharoptosis", "H02.401"])
def test_forehead_lines_with_ptosis_give_a_warning_citing_the_label(kb: KnowledgeBase, entry: str) -> None:
    shots = injections("glabellar_lines", GLABELLAR) + injections("forehead_lines", FOREHEAD)
    found = with_code(plan(kb, "onabotulinumtoxina", shots, conditions=[entry]), "NEUROMUSCULAR_DISORDER")
    assert [f.severity for f in found] == ["warning"]
    assert "forehead lines" in found[0].message and "brow ptosis" in found[0].message
    assert found[0].citations[0] in {"botox_cosmetic_dosage_drugs_com", "botox_cosmetic_mpr", "jeuveau_mpr"}
    cited(kb, found)
