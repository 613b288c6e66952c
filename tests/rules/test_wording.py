"""Findings of the shipped knowledge base name things as clinicians say them. How names are
made and sources chosen is tested on the tiny knowledge base (tests/engine/test_wording.py)."""

from __future__ import annotations

from tests.conftest import findings, healthy_adult, request
from toxplan.knowledge.base import KnowledgeBase

NAMED_BY_WORDS = {
    "AGE_OUTSIDE_LABEL",
    "OFF_LABEL_USE",
    "DANGER_ZONE",
    "UNRECOGNISED_INPUT",
    "CONTRAINDICATION",
    "NEUROMUSCULAR_DISORDER",
    "PREGNANCY_OR_LACTATION",
    "DRUG_INTERACTION",
    "COMBINATION_OUTSIDE_LABEL",
    "INPUT_MISSING",
    "INPUT_INTERPRETED",
}


def test_patient_zone_and_label_messages_carry_no_ids(kb: KnowledgeBase) -> None:
    """Messages of the patient, zone, off-label, age, unknown-input and combination rules name
    indications, sites and products in words: no knowledge-base id appears in them."""
    shots = [
        {"indication": "forehead_lines", "site": "frontalis_lower_midline", "units": 4},
        {"indication": "masseter", "site": "masseter_1_left", "units": 10},
        {"indication": "lateral_canthal_lines", "units": 2, "position": {"x_mm": 31.4, "y_mm": 8, "view": "front"}},
        {"indication": "perioral_lines", "site": "orbicularis_oris_upper_medial_left", "units": 1},
    ]
    patient = healthy_adult(
        birth_date="2012-01-01",
        pregnant=True,
        conditions=["myasthenia gravis", "cellulitis of the forehead", "Bell's palsy", "brow ptosis", "cold sore"],
        medications=["gentamicin", "Mestinon", "unknownazole"],
        allergies=["albumin"],
    )
    found = findings(kb, request(product="botox", shots=shots, patient=patient))
    checked = [f for f in found if f.code in NAMED_BY_WORDS]
    assert {f.code for f in checked} >= NAMED_BY_WORDS - {"INPUT_MISSING", "INPUT_INTERPRETED"}
    ids = [i for i in kb.indications if "_" in i] + [s for s in kb.sites if "_" in s] + list(kb.products)
    for finding in checked:
        leaked = [i for i in ids if i in finding.message]
        assert not leaked, (finding.code, leaked, finding.message)
