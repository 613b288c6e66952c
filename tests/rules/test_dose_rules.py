"""Dose rules: each fires, stays quiet, and cites its label source."""

from __future__ import annotations

from tests.conftest import GLABELLAR, findings, injections, request, with_code
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase


def cited(kb: KnowledgeBase, found: list[Finding]) -> None:
    assert found
    for finding in found:
        assert finding.citations, finding
        assert all(c in kb.citations for c in finding.citations), finding.citations


def child(weight: float | None) -> dict[str, object]:
    patient: dict[str, object] = {"birth_date": "2016-06-01", "sex": "male", "infection_at_site": False}
    if weight is not None:
        patient["weight_kg"] = weight
    return patient


def biceps(units: float, indication: str = "upper_limb_spasticity") -> list[dict[str, object]]:
    return [{"indication": indication, "site": "biceps_brachii_left", "units": units}]


class TestSiteDoseAboveMax:
    def test_fires_above_50_units_per_site_for_spasticity(self, kb: KnowledgeBase) -> None:
        found = with_code(findings(kb, request(shots=biceps(60))), "SITE_DOSE_ABOVE_MAX")
        assert len(found) == 1 and found[0].subject.row == 0
        cited(kb, found)

    def test_quiet_at_50_units(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request(shots=biceps(50))), "SITE_DOSE_ABOVE_MAX")

    def test_dysport_volume_cap_of_1_ml_per_site_in_adults(self, kb: KnowledgeBase) -> None:
        # 500 U in 2.5 mL is 20 U per 0.1 mL: 250 U is 1.25 mL at one site.
        data = request(product="dysport", shots=biceps(250), vial_units=500, diluent_ml=2.5)
        found = with_code(findings(kb, data), "SITE_DOSE_ABOVE_MAX")
        assert found and "mL" in found[0].message
        cited(kb, found)
        quiet = request(product="dysport", shots=biceps(200), vial_units=500, diluent_ml=2.5)
        assert not with_code(findings(kb, quiet), "SITE_DOSE_ABOVE_MAX")


class TestSessionDoseAboveMax:
    def test_fires_above_daxxify_40_units_per_session(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", [(s, 9) for s, _ in GLABELLAR])
        found = with_code(findings(kb, request(product="daxxify", shots=shots)), "SESSION_DOSE_ABOVE_MAX")
        assert found and found[0].severity == "critical"
        cited(kb, found)

    def test_quiet_at_the_daxxify_label_dose(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", [(s, 8) for s, _ in GLABELLAR])
        data = request(product="daxxify", shots=shots, vial_units=100, diluent_ml=1.25)
        assert not with_code(findings(kb, data), "SESSION_DOSE_ABOVE_MAX")

    def test_weight_based_pediatric_maximum_fires(self, kb: KnowledgeBase) -> None:
        # BOTOX pediatric upper limb: the lesser of 6 U/kg or 200 U; 20 kg -> 120 U.
        found = with_code(findings(kb, request(shots=biceps(130), patient=child(20))), "SESSION_DOSE_ABOVE_MAX")
        assert found and "kg" in found[0].message
        cited(kb, found)

    def test_weight_based_maximum_quiet_under_the_limit(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request(shots=biceps(40), patient=child(20))), "SESSION_DOSE_ABOVE_MAX")


class TestWeightRequired:
    def test_fires_for_a_child_without_weight(self, kb: KnowledgeBase) -> None:
        found = with_code(findings(kb, request(shots=biceps(40), patient=child(None))), "WEIGHT_REQUIRED")
        assert found and found[0].severity == "critical"
        cited(kb, found)

    def test_quiet_for_an_adult_or_with_a_weight(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request(shots=biceps(40))), "WEIGHT_REQUIRED")
        assert not with_code(findings(kb, request(shots=biceps(40), patient=child(25))), "WEIGHT_REQUIRED")


class TestCumulativeDoseAboveMax:
    def test_fires_when_history_and_plan_pass_400_units_in_3_months(self, kb: KnowledgeBase) -> None:
        history = [{"date": "2026-10-01", "product": "BOTOX", "indication": "cervical_dystonia", "units": 390}]
        found = with_code(findings(kb, request(history=history)), "CUMULATIVE_DOSE_ABOVE_MAX")
        assert found and "410 U" in found[0].message
        cited(kb, found)

    def test_quiet_under_the_maximum_or_outside_the_window(self, kb: KnowledgeBase) -> None:
        under = [{"date": "2026-10-01", "product": "botox", "indication": "cervical_dystonia", "units": 380}]
        assert not with_code(findings(kb, request(history=under)), "CUMULATIVE_DOSE_ABOVE_MAX")
        old = [{"date": "2026-08-25", "product": "botox", "indication": "cervical_dystonia", "units": 390}]
        assert not with_code(findings(kb, request(history=old)), "CUMULATIVE_DOSE_ABOVE_MAX")

    def test_other_products_units_are_never_added(self, kb: KnowledgeBase) -> None:
        history = [{"date": "2026-10-01", "product": "dysport", "indication": "cervical_dystonia", "units": 1000}]
        found = findings(kb, request(history=history))
        assert not with_code(found, "CUMULATIVE_DOSE_ABOVE_MAX")
        assert with_code(found, "OTHER_TOXIN_RECENT")

    def test_blepharospasm_200_units_in_30_days(self, kb: KnowledgeBase) -> None:
        shots = [{"indication": "blepharospasm", "site": "pretarsal_upper_medial_left", "units": 2.5}]
        history = [{"date": "2026-11-10", "product": "botox", "indication": "blepharospasm", "units": 199}]
        patient = {
            "birth_date": "1960-01-01",
            "sex": "female",
            "pregnant": False,
            "breastfeeding": False,
            "infection_at_site": False,
        }
        found = with_code(
            findings(kb, request(shots=shots, history=history, patient=patient)), "CUMULATIVE_DOSE_ABOVE_MAX"
        )
        assert found and "30 days" in found[0].message


class TestDoseAboveLabel:
    def test_fires_above_the_recommended_glabellar_dose(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", [(s, 5) for s, _ in GLABELLAR])
        found = [
            f
            for f in with_code(findings(kb, request(shots=shots)), "DOSE_ABOVE_LABEL")
            if f.subject.type == "indication"
        ]
        assert found and found[0].severity == "warning" and "25 U" in found[0].message
        cited(kb, found)

    def test_quiet_at_the_label_dose(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request()), "DOSE_ABOVE_LABEL")
