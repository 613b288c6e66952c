"""Findings name things as clinicians say them and cite their strongest sources, label first."""

from __future__ import annotations

from tests.conftest import findings, healthy_adult, request
from toxplan.domain.safety.wording import (
    MAX_CITATIONS,
    indication_name,
    product_name,
    site_name,
    strongest_citations,
)
from toxplan.knowledge.base import KnowledgeBase


def test_names_read_as_people_say_them(kb: KnowledgeBase) -> None:
    assert indication_name(kb, "glabellar_lines") == "glabellar lines"
    assert indication_name(kb, "lateral_canthal_lines") == "lateral canthal lines"
    assert site_name(kb, "corrugator_lateral_left") == "left corrugator, lateral site"
    assert site_name(kb, "procerus") == "procerus"
    assert site_name(kb, None) == "free position"
    assert product_name(kb, "onabotulinumtoxina") == "BOTOX"
    assert product_name(kb, "Dysport") == "Dysport"


def test_unknown_ids_are_shown_as_given(kb: KnowledgeBase) -> None:
    assert indication_name(kb, "no_such_thing") == "no_such_thing"
    assert site_name(kb, "nowhere") == "nowhere"
    assert product_name(kb, "acmetox") == "acmetox"


def test_label_sources_come_first_and_at_most_three(kb: KnowledgeBase) -> None:
    by_level: dict[str, list[str]] = {}
    for cid, citation in kb.citations.items():
        by_level.setdefault(citation.evidence, []).append(cid)
    weak = by_level["practice_report"][:2]
    labels = by_level["label"][:3]
    chosen = strongest_citations(kb, (*weak, *labels, "manufacturer_missing"))
    assert len(chosen) == MAX_CITATIONS
    assert all(kb.citations[c].evidence == "label" for c in chosen)
    assert strongest_citations(kb, (weak[0], weak[0])) == (weak[0],)


def test_every_finding_cites_at_most_three_sources(kb: KnowledgeBase) -> None:
    patient = healthy_adult(conditions=["myasthenia gravis"], medications=["gentamicin"], pregnant=True)
    shots = [{"indication": "glabellar_lines", "site": "procerus", "units": 40}]
    found = findings(kb, request(patient=patient, shots=shots))
    assert len(found) >= 3
    assert all(len(f.citations) <= MAX_CITATIONS for f in found)


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
