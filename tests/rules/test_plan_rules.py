"""Plan rules: off-label use, danger zones, dilution, unknown products, indications and sites."""

from __future__ import annotations

from tests.conftest import GLABELLAR, findings, injections, request, with_code
from tests.rules.test_dose_rules import cited
from toxplan.knowledge.base import KnowledgeBase


class TestOffLabelUse:
    def test_fires_for_an_indication_not_on_the_label(self, kb: KnowledgeBase) -> None:
        shots = [
            {
                "indication": "lateral_canthal_lines",
                "site": "orbicularis_oculi_lateral_middle_left",
                "units": 4,
            }
        ]
        found = with_code(findings(kb, request(product="jeuveau", shots=shots)), "OFF_LABEL_USE")
        # no Jeuveau dose is held for it: the dose check cannot run, so it is a warning
        assert found and found[0].severity == "warning"
        assert "no dose" in found[0].message
        cited(kb, found)

    def test_fires_for_off_label_areas_with_a_consensus_dose(self, kb: KnowledgeBase) -> None:
        shots = [{"indication": "masseter", "site": "masseter_1_left", "units": 10}]
        found = with_code(findings(kb, request(shots=shots)), "OFF_LABEL_USE")
        assert found and found[0].severity == "info"
        cited(kb, found)

    def test_quiet_on_label(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request()), "OFF_LABEL_USE")


class TestDangerZone:
    def test_fires_for_a_frontalis_point_less_than_2_cm_above_the_brow(self, kb: KnowledgeBase) -> None:
        brow = kb.template["brow_left"]
        shots = [
            {
                "indication": "forehead_lines",
                "units": 4,
                "position": {"x_mm": float(brow.x_mm), "y_mm": float(brow.y_mm) + 12, "view": "front"},
            }
        ]
        found = with_code(findings(kb, request(shots=shots)), "DANGER_ZONE")
        assert found and found[0].subject.row == 0
        cited(kb, found)

    def test_quiet_for_the_label_standard_points(self, kb: KnowledgeBase) -> None:
        shots = injections("glabellar_lines", GLABELLAR)
        assert not with_code(findings(kb, request(shots=shots)), "DANGER_ZONE")

    def test_fires_for_a_glabellar_point_dragged_onto_the_brow(self, kb: KnowledgeBase) -> None:
        brow = kb.template["brow_right"]
        shots = [
            {
                "indication": "glabellar_lines",
                "site": "corrugator_lateral_right",
                "units": 4,
                "position": {"x_mm": float(brow.x_mm), "y_mm": float(brow.y_mm) + 3, "view": "front"},
            }
        ]
        assert with_code(findings(kb, request(shots=shots)), "DANGER_ZONE")

    def test_a_zone_holds_every_indication_typed(self, kb: KnowledgeBase) -> None:
        """A point over the levator is dangerous whatever it is typed as."""
        pupil = kb.template["pupil_left"]
        where = {"x_mm": float(pupil.x_mm), "y_mm": 8, "view": "front"}
        for indication in ("lateral_canthal_lines", "glabellar_lines", "forehead_lines", "brow_lift"):
            shots = [{"indication": indication, "units": 2, "position": where}]
            found = with_code(findings(kb, request(shots=shots)), "DANGER_ZONE")
            assert [f.severity for f in found if "eyelid over the levator" in f.message] == ["critical"], indication
            cited(kb, found)

    def test_a_cited_exemption_covers_only_its_indication_at_its_site(self, kb: KnowledgeBase) -> None:
        shots = [{"indication": "blepharospasm", "site": "pretarsal_upper_lateral_left", "units": 2.5}]
        assert not with_code(findings(kb, request(shots=shots)), "DANGER_ZONE")
        typed_otherwise = [{**shots[0], "indication": "lateral_canthal_lines"}]
        assert with_code(findings(kb, request(shots=typed_otherwise)), "DANGER_ZONE")
        site = kb.sites["pretarsal_upper_lateral_left"].position
        assert site is not None
        moved = [{**shots[0], "position": {"x_mm": float(site.x_mm) - 8, "y_mm": float(site.y_mm), "view": "front"}}]
        assert with_code(findings(kb, request(shots=moved)), "DANGER_ZONE")

    def test_message_names_the_site_and_indication_as_clinicians_say_them(self, kb: KnowledgeBase) -> None:
        brow = kb.template["brow_right"]
        shots = [
            {
                "indication": "glabellar_lines",
                "site": "corrugator_lateral_right",
                "units": 4,
                "position": {"x_mm": float(brow.x_mm), "y_mm": float(brow.y_mm) + 3, "view": "front"},
            }
        ]
        message = with_code(findings(kb, request(shots=shots)), "DANGER_ZONE")[0].message
        assert "right corrugator, lateral site for glabellar lines" in message
        assert "corrugator_lateral_right" not in message and "glabellar_lines" not in message


class TestDilutionUnusual:
    def test_fires_for_a_concentration_outside_the_label_table(self, kb: KnowledgeBase) -> None:
        found = with_code(findings(kb, request(diluent_ml=3)), "DILUTION_UNUSUAL")
        assert found and "3" in found[0].message
        cited(kb, found)

    def test_fires_for_a_vial_size_that_does_not_exist(self, kb: KnowledgeBase) -> None:
        assert with_code(findings(kb, request(vial_units=150, diluent_ml=2.5)), "DILUTION_UNUSUAL")

    def test_quiet_for_a_label_row(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request(vial_units=100, diluent_ml=2.5)), "DILUTION_UNUSUAL")


class TestUnrecognisedPlanInput:
    def test_unknown_product_is_critical_and_other_checks_still_run(self, kb: KnowledgeBase) -> None:
        data = request(product="superbotox")
        data["patient"]["medications"] = ["gentamicin"]
        found = findings(kb, data)
        unknown = with_code(found, "UNRECOGNISED_INPUT")
        assert unknown and unknown[0].severity == "critical"
        assert with_code(found, "DRUG_INTERACTION")

    def test_unknown_site_and_indication(self, kb: KnowledgeBase) -> None:
        shots = [
            {"indication": "glabellar_lines", "site": "third_eye", "units": 4},
            {"indication": "nose_job", "site": "procerus", "units": 4},
        ]
        found = with_code(findings(kb, request(shots=shots)), "UNRECOGNISED_INPUT")
        assert {f.subject.id for f in found} == {"third_eye", "nose_job"}

    def test_quiet_for_a_known_plan(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request()), "UNRECOGNISED_INPUT")


def test_clean_label_plan_has_no_warning_or_critical(kb: KnowledgeBase) -> None:
    found = findings(kb, request())
    assert [f for f in found if f.severity != "info"] == []
