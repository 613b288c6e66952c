"""Patient rules: contraindications, caution conditions, pregnancy, age, medications."""

from __future__ import annotations

from typing import Any

from tests.conftest import GLABELLAR, findings, healthy_adult, injections, request, with_code
from tests.rules.test_dose_rules import cited
from toxplan.knowledge.base import KnowledgeBase


def check_patient(kb: KnowledgeBase, product: str = "botox", shots: Any = None, **patient: Any) -> Any:
    data = request(product=product, patient=healthy_adult(**patient), shots=shots)
    if product != "botox":
        data["treatment"].pop("vial_units")
        data["treatment"].pop("diluent_ml")
    return findings(kb, data)


class TestContraindication:
    def test_infection_at_the_site(self, kb: KnowledgeBase) -> None:
        found = with_code(check_patient(kb, infection_at_site=True), "CONTRAINDICATION")
        assert found and found[0].severity == "critical"
        cited(kb, found)

    def test_hypersensitivity_to_a_component(self, kb: KnowledgeBase) -> None:
        found = with_code(check_patient(kb, allergies=["albumin"]), "CONTRAINDICATION")
        assert found and "albumin" in found[0].message.lower()

    def test_dysport_with_cows_milk_protein_allergy(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", [(s, 10) for s, _ in GLABELLAR])
        found = with_code(check_patient(kb, "dysport", shots, allergies=["cow's milk"]), "CONTRAINDICATION")
        assert found
        cited(kb, found)
        assert not with_code(check_patient(kb, allergies=["cow's milk"]), "CONTRAINDICATION")

    def test_bladder_contraindication_only_for_bladder_treatment(self, kb: KnowledgeBase) -> None:
        bladder = [{"indication": "overactive_bladder", "site": "detrusor", "units": 5}] * 20
        found = with_code(check_patient(kb, shots=bladder, conditions=["urinary tract infection"]), "CONTRAINDICATION")
        assert found
        assert not with_code(check_patient(kb, conditions=["urinary tract infection"]), "CONTRAINDICATION")

    def test_quiet_for_a_healthy_patient(self, kb: KnowledgeBase) -> None:
        assert not with_code(check_patient(kb), "CONTRAINDICATION")


class TestNeuromuscularDisorder:
    def test_fires_for_free_text_abbreviation_and_code(self, kb: KnowledgeBase) -> None:
        for entry in [
            "Myasthenia gravis",
            "MG",
            "Lambert-Eaton syndrome",
            "ALS",
            {"system": "icd10", "code": "G70.00"},
        ]:
            found = with_code(check_patient(kb, conditions=[entry]), "NEUROMUSCULAR_DISORDER")
            assert found, entry
            cited(kb, found)

    def test_quiet_when_negated_and_says_how_it_was_read(self, kb: KnowledgeBase) -> None:
        found = check_patient(kb, conditions=["denies myasthenia gravis"])
        assert not with_code(found, "NEUROMUSCULAR_DISORDER")
        assert with_code(found, "INPUT_INTERPRETED")

    def test_pre_existing_dysphagia(self, kb: KnowledgeBase) -> None:
        assert with_code(check_patient(kb, conditions=["dysphagia"]), "NEUROMUSCULAR_DISORDER")


class TestPregnancyOrLactation:
    def test_fires_when_pregnant_or_breastfeeding(self, kb: KnowledgeBase) -> None:
        # Glabellar lines are elective: the purpose-severity table makes this critical
        # (purpose_severity.yaml); therapeutic plans keep the label's warning (test_purpose_rules).
        for flags in ({"pregnant": True}, {"breastfeeding": True}):
            found = with_code(check_patient(kb, **flags), "PREGNANCY_OR_LACTATION")
            assert found and found[0].severity == "critical"
            cited(kb, found)

    def test_quiet_otherwise(self, kb: KnowledgeBase) -> None:
        assert not with_code(check_patient(kb), "PREGNANCY_OR_LACTATION")


class TestDrugInteraction:
    def test_fires_for_an_aminoglycoside_by_generic_brand_or_misspelling(self, kb: KnowledgeBase) -> None:
        # critical for an elective (glabellar) plan: purpose_severity.yaml, aminoglycoside therapy
        for entry in ["gentamicin 80 mg IV", "Gentamycin", "tobramycin sulfate"]:
            found = with_code(check_patient(kb, medications=[entry]), "DRUG_INTERACTION")
            assert found and found[0].severity == "critical", entry
            cited(kb, found)

    def test_anticholinergic_and_muscle_relaxant(self, kb: KnowledgeBase) -> None:
        assert with_code(check_patient(kb, medications=["Ditropan XL 10mg"]), "DRUG_INTERACTION")
        assert with_code(check_patient(kb, medications=["baclofen"]), "DRUG_INTERACTION")

    def test_local_forms_are_downgraded_not_dropped(self, kb: KnowledgeBase) -> None:
        found = with_code(check_patient(kb, medications=["tobramycin eye drops"]), "DRUG_INTERACTION")
        assert found and found[0].severity == "info"

    def test_quiet_for_common_medicines_outside_the_classes(self, kb: KnowledgeBase) -> None:
        found = check_patient(kb, medications=["lisinopril 10 mg", "ibuprofen"])
        assert not with_code(found, "DRUG_INTERACTION")
        assert not with_code(found, "UNRECOGNISED_INPUT")


class TestAgeOutsideLabel:
    def test_dysport_glabellar_lines_only_under_65(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", [(s, 10) for s, _ in GLABELLAR])
        found = with_code(check_patient(kb, "dysport", shots, birth_date="1950-01-01"), "AGE_OUTSIDE_LABEL")
        assert found
        cited(kb, found)
        assert not with_code(check_patient(kb, "dysport", shots), "AGE_OUTSIDE_LABEL")

    def test_minors_for_cosmetic_use(self, kb: KnowledgeBase) -> None:
        assert with_code(check_patient(kb, birth_date="2010-01-01"), "AGE_OUTSIDE_LABEL")


class TestUnrecognisedInput:
    def test_unknown_medication_condition_and_allergy_are_reported(self, kb: KnowledgeBase) -> None:
        found = with_code(
            check_patient(kb, medications=["zorblaxin"], conditions=["quuxitis"], allergies=["flurbo"]),
            "UNRECOGNISED_INPUT",
        )
        assert {f.subject.type for f in found} == {"drug", "condition", "allergy"}

    def test_quiet_for_known_entries(self, kb: KnowledgeBase) -> None:
        found = check_patient(kb, medications=["none"], conditions=["hypertension"], allergies=["penicillin"])
        assert not with_code(found, "UNRECOGNISED_INPUT")
