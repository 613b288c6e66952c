"""Patient risk by purpose, and the problem-list cross-checks.

Each risk of purpose_severity.yaml, recorded each way it can be (screening answer, problem
list, implying medicine), is critical for an aesthetic plan and a warning for a therapeutic one,
for every product; each finding cites its sources and says why. Conditions near a planned area
fire there and stay quiet elsewhere.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import findings, healthy_adult, request, with_code
from tests.rules.test_dose_rules import cited
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase

PRODUCTS = [
    "onabotulinumtoxina",
    "abobotulinumtoxina",
    "incobotulinumtoxina",
    "prabotulinumtoxina",
    "daxibotulinumtoxina",
    "letibotulinumtoxina",
]
AESTHETIC = [{"indication": "glabellar_lines", "site": "procerus", "units": 4}]
THERAPEUTIC = {
    # cervical dystonia where the product's label has it; blepharospasm (therapeutic, off-label
    # for these two) otherwise: the purpose comes from the indication, not the label status
    "onabotulinumtoxina": [{"indication": "cervical_dystonia", "site": "sternocleidomastoid_left", "units": 50}],
    "abobotulinumtoxina": [{"indication": "cervical_dystonia", "site": "sternocleidomastoid_left", "units": 100}],
    "incobotulinumtoxina": [{"indication": "cervical_dystonia", "site": "sternocleidomastoid_left", "units": 50}],
    "daxibotulinumtoxina": [{"indication": "cervical_dystonia", "site": "sternocleidomastoid_left", "units": 50}],
    "prabotulinumtoxina": [{"indication": "blepharospasm", "site": "pretarsal_upper_medial_left", "units": 2.5}],
    "letibotulinumtoxina": [{"indication": "blepharospasm", "site": "pretarsal_upper_medial_left", "units": 2.5}],
}

# risk, how the patient records it, the finding code it raises
RISKS: list[tuple[str, dict[str, Any], str]] = [
    ("pregnancy", {"pregnant": True}, "PREGNANCY_OR_LACTATION"),
    ("pregnancy", {"conditions": [{"system": "icd10", "code": "Z33.1"}]}, "PREGNANCY_OR_LACTATION"),
    ("pregnancy", {"pregnant": None, "conditions": ["currently pregnant"]}, "PREGNANCY_OR_LACTATION"),
    ("breastfeeding", {"breastfeeding": True}, "PREGNANCY_OR_LACTATION"),
    ("breastfeeding", {"conditions": [{"system": "icd10", "code": "Z39.1"}]}, "PREGNANCY_OR_LACTATION"),
    ("myasthenia", {"conditions": ["myasthenia gravis"]}, "NEUROMUSCULAR_DISORDER"),
    ("myasthenia", {"conditions": [{"system": "icd10", "code": "G70.00"}]}, "NEUROMUSCULAR_DISORDER"),
    ("lambert-eaton", {"conditions": ["LEMS"]}, "NEUROMUSCULAR_DISORDER"),
    ("als", {"conditions": ["ALS"]}, "NEUROMUSCULAR_DISORDER"),
    ("myasthenia implied", {"medications": ["pyridostigmine 60 mg"]}, "NEUROMUSCULAR_DISORDER"),
    ("myasthenia implied", {"medications": ["Mestinon"]}, "NEUROMUSCULAR_DISORDER"),
    ("myasthenia implied", {"medications": ["efgartigimod"]}, "NEUROMUSCULAR_DISORDER"),
    ("myasthenia implied", {"medications": ["eculizumab"]}, "NEUROMUSCULAR_DISORDER"),
    ("lambert-eaton implied", {"medications": ["Firdapse 10 mg"]}, "NEUROMUSCULAR_DISORDER"),
    ("als implied", {"medications": ["riluzole"]}, "NEUROMUSCULAR_DISORDER"),
    ("aminoglycoside", {"medications": ["gentamicin 80 mg IV"]}, "DRUG_INTERACTION"),
    ("aminoglycoside", {"medications": ["amikacin"]}, "DRUG_INTERACTION"),
]


def plan(kb: KnowledgeBase, product: str, shots: list[dict[str, Any]], **patient: Any) -> list[Finding]:
    data = request(product=product, shots=shots, patient=healthy_adult(**patient))
    if product != "onabotulinumtoxina":
        data["treatment"].pop("vial_units")
        data["treatment"].pop("diluent_ml")
    return findings(kb, data)


@pytest.mark.parametrize("product", PRODUCTS)
@pytest.mark.parametrize(("risk", "patient", "code"), RISKS, ids=[f"{r[0]}-{i}" for i, r in enumerate(RISKS)])
def test_critical_for_aesthetic_warning_for_therapeutic(
    kb: KnowledgeBase, product: str, risk: str, patient: dict[str, Any], code: str
) -> None:
    aesthetic = with_code(plan(kb, product, AESTHETIC, **patient), code)
    assert [f.severity for f in aesthetic] == ["critical"], risk
    assert "aesthetic (elective)" in aesthetic[0].message
    cited(kb, aesthetic)
    therapeutic = with_code(plan(kb, product, THERAPEUTIC[product], **patient), code)
    assert [f.severity for f in therapeutic] == ["warning"], risk
    assert "therapeutic" in therapeutic[0].message
    cited(kb, therapeutic)


def test_a_plan_with_both_purposes_takes_the_stricter(kb: KnowledgeBase) -> None:
    both = [*AESTHETIC, {"indication": "chronic_migraine", "site": "occipitalis_1_left", "units": 5}]
    found = with_code(plan(kb, "onabotulinumtoxina", both, conditions=["myasthenia gravis"]), "NEUROMUSCULAR_DISORDER")
    assert [f.severity for f in found] == ["critical"]


def test_aesthetic_neuromuscular_finding_cites_the_european_aesthetic_labels(kb: KnowledgeBase) -> None:
    found = with_code(plan(kb, "onabotulinumtoxina", AESTHETIC, conditions=["MG"]), "NEUROMUSCULAR_DISORDER")
    assert {"azzalure_uk_leaflet", "bocouture_de_leaflet"} & set(found[0].citations)
    assert kb.citations[found[0].citations[0]].evidence == "label"  # the US label first


def test_an_implying_medicine_says_so_and_names_other_uses(kb: KnowledgeBase) -> None:
    found = with_code(plan(kb, "onabotulinumtoxina", AESTHETIC, medications=["Soliris"]), "NEUROMUSCULAR_DISORDER")
    message = found[0].message
    assert "implied by eculizumab" in message and "does not record it" in message
    assert "neuromyelitis optica" in message  # other uses: confirm the diagnosis
    assert "nmj_medicine_labels_openfda" in found[0].citations
    # recorded and implied: one finding that says both
    both = with_code(
        plan(kb, "onabotulinumtoxina", AESTHETIC, conditions=["myasthenia gravis"], medications=["Mestinon"]),
        "NEUROMUSCULAR_DISORDER",
    )
    assert len(both) == 1 and "also implied by pyridostigmine" in both[0].message


def test_a_medicine_known_only_for_its_condition_is_not_unknown_input(kb: KnowledgeBase) -> None:
    found = plan(kb, "onabotulinumtoxina", AESTHETIC, medications=["riluzole 50 mg bid"])
    assert not with_code(found, "UNRECOGNISED_INPUT")
    assert not with_code(found, "DRUG_INTERACTION")


@pytest.mark.parametrize(
    "patient",
    [
        {"conditions": ["denies myasthenia gravis"]},
        {"conditions": ["no pregnancy"]},
        {"medications": ["tobramycin eye drops"]},
        {"conditions": ["hypertension"], "medications": ["lisinopril"]},
    ],
)
def test_quiet_without_the_risk(kb: KnowledgeBase, patient: dict[str, Any]) -> None:
    found = plan(kb, "onabotulinumtoxina", AESTHETIC, **patient)
    for code in ("PREGNANCY_OR_LACTATION", "NEUROMUSCULAR_DISORDER", "DRUG_INTERACTION"):
        assert not [f for f in with_code(found, code) if f.severity != "info"], (patient, code)


def test_problem_list_pregnancy_against_a_no_answer_asks_to_confirm(kb: KnowledgeBase) -> None:
    found = with_code(
        plan(kb, "onabotulinumtoxina", AESTHETIC, pregnant=False, conditions=["Z33.1"]), "PREGNANCY_OR_LACTATION"
    )
    assert "screening answer says no" in found[0].message and "'Z33.1'" in found[0].message


# condition, the areas it must fire for (with code and severity), the areas it must leave alone
AREAS = {
    "glabellar_lines": [{"indication": "glabellar_lines", "site": "procerus", "units": 4}],
    "forehead_lines": [{"indication": "forehead_lines", "site": "frontalis_lower_midline", "units": 4}],
    "lateral_canthal_lines": [
        {"indication": "lateral_canthal_lines", "site": "orbicularis_oculi_lateral_middle_left", "units": 4}
    ],
    "perioral_lines": [{"indication": "perioral_lines", "site": "orbicularis_oris_upper_medial_left", "units": 1}],
    "masseter": [{"indication": "masseter", "site": "masseter_1_left", "units": 10}],
    "platysma_bands": [{"indication": "platysma_bands", "site": "platysma_medial_upper_left", "units": 4}],
    "cervical_dystonia": THERAPEUTIC["onabotulinumtoxina"],
    "upper_limb_spasticity": [{"indication": "upper_limb_spasticity", "site": "biceps_brachii_left", "units": 50}],
    "lower_limb_spasticity": [
        {"indication": "lower_limb_spasticity", "site": "gastrocnemius_medial_left", "units": 50}
    ],
}
CROSS_CHECKS = [
    (
        "cellulitis of the forehead",
        "CONTRAINDICATION",
        "critical",
        ["glabellar_lines", "forehead_lines"],
        ["masseter", "perioral_lines"],
    ),
    (
        "L03.211",
        "CONTRAINDICATION",
        "critical",
        ["glabellar_lines", "perioral_lines", "masseter"],
        ["upper_limb_spasticity"],
    ),
    ("cold sore", "CONTRAINDICATION", "critical", ["perioral_lines"], ["glabellar_lines", "forehead_lines"]),
    ("herpes zoster ophthalmicus", "CONTRAINDICATION", "critical", ["lateral_canthal_lines"], ["perioral_lines"]),
    (
        "cellulitis of neck",
        "CONTRAINDICATION",
        "critical",
        ["platysma_bands", "cervical_dystonia"],
        ["glabellar_lines"],
    ),
    ("cellulitis of arm", "CONTRAINDICATION", "critical", ["upper_limb_spasticity"], ["lower_limb_spasticity"]),
    ("cellulitis", "CONTRAINDICATION", "warning", ["glabellar_lines", "lower_limb_spasticity"], []),
    ("herpes simplex", "CONTRAINDICATION", "warning", ["perioral_lines"], []),
    (
        "Bell's palsy",
        "NEUROMUSCULAR_DISORDER",
        "warning",
        ["glabellar_lines", "perioral_lines", "masseter"],
        ["cervical_dystonia", "upper_limb_spasticity"],
    ),
    (
        "facelift",
        "NEUROMUSCULAR_DISORDER",
        "warning",
        ["lateral_canthal_lines", "masseter"],
        ["platysma_bands", "lower_limb_spasticity"],
    ),
    ("lower blepharoplasty", "NEUROMUSCULAR_DISORDER", "warning", ["forehead_lines"], ["upper_limb_spasticity"]),
    (
        "brow ptosis",
        "NEUROMUSCULAR_DISORDER",
        "warning",
        ["forehead_lines", "glabellar_lines"],
        ["masseter", "lateral_canthal_lines"],
    ),
    ("eyelid ptosis", "NEUROMUSCULAR_DISORDER", "warning", ["forehead_lines"], ["perioral_lines"]),
]


@pytest.mark.parametrize(("entry", "code", "severity", "near", "far"), CROSS_CHECKS, ids=[c[0] for c in CROSS_CHECKS])
def test_problem_list_cross_check(
    kb: KnowledgeBase, *, entry: str, code: str, severity: str, near: list[str], far: list[str]
) -> None:
    for area in near:
        found = with_code(plan(kb, "onabotulinumtoxina", AREAS[area], conditions=[entry]), code)
        assert [f.severity for f in found] == [severity], (entry, area)
        assert f"'{entry}'" in found[0].message
        cited(kb, found)
    for area in far:
        assert not with_code(plan(kb, "onabotulinumtoxina", AREAS[area], conditions=[entry]), code), (entry, area)


def test_a_past_infection_is_not_a_current_one(kb: KnowledgeBase) -> None:
    for entry in ("history of facial cellulitis", "recurrent cold sores"):
        found = plan(kb, "onabotulinumtoxina", AREAS["perioral_lines"], conditions=[entry])
        assert not with_code(found, "CONTRAINDICATION"), entry
        assert "past infection" in with_code(found, "INPUT_INTERPRETED")[0].message
