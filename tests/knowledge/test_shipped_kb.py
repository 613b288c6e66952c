"""The shipped knowledge base: complete, consistent, and true to the label tables."""

from __future__ import annotations

from decimal import Decimal

import pytest

from toxplan.domain.geometry import inside
from toxplan.domain.plans import IndicationChoice, build_plan
from toxplan.knowledge.base import KnowledgeBase

ON_LABEL = [
    "glabellar_lines",
    "lateral_canthal_lines",
    "forehead_lines",
    "platysma_bands",
    "chronic_migraine",
    "cervical_dystonia",
    "axillary_hyperhidrosis",
    "blepharospasm",
    "strabismus",
    "upper_limb_spasticity",
    "lower_limb_spasticity",
    "overactive_bladder",
    "neurogenic_detrusor_overactivity",
    "sialorrhea",
]
OFF_LABEL = [
    "perioral_lines",
    "mouth_corners",
    "chin",
    "masseter",
    "bunny_lines",
    "gummy_smile",
    "brow_lift",
    "neck_lift",
]
PRODUCTS = {
    "onabotulinumtoxina": ["BOTOX", "botox cosmetic", "OnabotulinumtoxinA"],
    "abobotulinumtoxina": ["Dysport", "DYSPORT"],
    "incobotulinumtoxina": ["Xeomin", "xeomin"],
    "prabotulinumtoxina": ["Jeuveau", "JEUVEAU"],
    "daxibotulinumtoxina": ["Daxxify", "daxxify"],
    "letibotulinumtoxina": ["Letybo", "LETYBO"],
}
LANDMARKS = [
    "nasion",
    "glabella",
    "pupil_left",
    "pupil_right",
    "brow_left",
    "brow_right",
    "orbital_rim_superior_left",
    "orbital_rim_superior_right",
    "lateral_canthus_left",
    "lateral_canthus_right",
    "temporal_fusion_line_left",
    "temporal_fusion_line_right",
    "hairline",
    "oral_commissure_left",
    "oral_commissure_right",
    "menton",
    "tragus_left",
    "tragus_right",
    "mandible_angle_left",
    "mandible_angle_right",
]


def test_every_required_indication_is_there(kb: KnowledgeBase) -> None:
    assert set(ON_LABEL + OFF_LABEL) <= set(kb.indications)


def test_off_label_indications_are_on_no_label(kb: KnowledgeBase) -> None:
    for (product, indication), regimen in kb.regimens.items():
        if indication in OFF_LABEL:
            assert regimen.label_status == "off_label", (product, indication)


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_products_are_found_by_id_and_brand_in_any_case(kb: KnowledgeBase, product: str) -> None:
    for name in [product, *PRODUCTS[product]]:
        assert kb.product(name).id == product


def test_every_on_label_indication_has_a_product(kb: KnowledgeBase) -> None:
    labelled = {i for (_, i), r in kb.regimens.items() if r.label_status == "on_label"}
    assert set(ON_LABEL) <= labelled


def test_template_face_has_the_required_landmarks(kb: KnowledgeBase) -> None:
    assert set(LANDMARKS) <= set(kb.landmarks)
    front = {k: v for k, v in kb.template.items() if v.view == "front"}
    assert front["pupil_left"].x_mm > 0 > front["pupil_right"].x_mm  # x toward the patient's left
    assert front["hairline"].y_mm > front["brow_left"].y_mm > front["pupil_left"].y_mm > front["menton"].y_mm


def total(kb: KnowledgeBase, product: str, *indications: str) -> tuple[Decimal, int]:
    plan = build_plan(kb, product=product, indications=[IndicationChoice.parse(i) for i in indications])
    return plan.units_for(), len(plan.injections)


@pytest.mark.parametrize(
    ("product", "indications", "units", "sites"),
    [
        ("botox", ["glabellar_lines"], 20, 5),
        ("botox", ["lateral_canthal_lines"], 24, 6),
        ("botox", ["forehead_lines", "glabellar_lines"], 40, 10),
        ("botox", ["glabellar_lines", "lateral_canthal_lines", "forehead_lines"], 64, 16),
        ("botox", ["glabellar_lines", "lateral_canthal_lines"], 44, 11),
        ("botox", ["platysma_bands:1+1"], 26, None),
        ("botox", ["platysma_bands:1+2"], 31, None),
        ("botox", ["platysma_bands:2+2"], 36, None),
        ("botox", ["chronic_migraine"], 155, 31),
        ("botox", ["overactive_bladder"], 100, 20),
        ("botox", ["axillary_hyperhidrosis"], 100, None),
        ("dysport", ["glabellar_lines"], 50, 5),
        ("xeomin", ["glabellar_lines"], 20, 5),
        ("xeomin", ["sialorrhea"], 100, 4),
        ("jeuveau", ["glabellar_lines"], 20, 5),
        ("daxxify", ["glabellar_lines"], 40, 5),
        ("letybo", ["glabellar_lines"], 20, 5),
    ],
)
def test_label_standard_plans_add_up_to_the_label_totals(
    kb: KnowledgeBase, product: str, indications: list[str], units: int, sites: int | None
) -> None:
    got_units, got_sites = total(kb, product, *indications)
    assert got_units == units
    if sites is not None:
        assert got_sites == sites


def test_botox_adult_cumulative_maximum_is_400_units_in_3_months(kb: KnowledgeBase) -> None:
    limits = [lim for lim in kb.products["onabotulinumtoxina"].limits if lim.kind == "rolling_window_max"]
    assert any(lim.max_units == 400 and lim.window.months == 3 for lim in limits)
    assert all(lim.max_units != 300 for lim in limits)  # the seed article's wrong maximum


def test_no_label_interval_is_shorter_than_12_weeks(kb: KnowledgeBase) -> None:
    for (product, indication), regimen in kb.regimens.items():
        if regimen.label_status == "on_label" and regimen.min_interval is not None:
            assert regimen.min_interval.minimum.approx_days() >= 84, (product, indication)


def test_seed_article_numbers_are_not_encoded(kb: KnowledgeBase) -> None:
    # "a typical dose of 565 units", "a 300-unit maximum", "re-inject in under a month"
    for product in kb.products.values():
        for limit in product.limits:
            assert getattr(limit, "max_units", None) not in (300, 565), limit.id
    for regimen in kb.regimens.values():
        dose = regimen.recommended_total_units
        assert dose is None or dose.max != 565
        interval = regimen.min_interval
        assert interval is None or interval.minimum.approx_days() >= 28


def test_interaction_classes_name_at_least_60_drugs(kb: KnowledgeBase) -> None:
    names = {d.name.lower() for c in kb.interactions.classes for d in c.drugs}
    assert len(names) >= 60
    assert {"gentamicin", "oxybutynin", "baclofen", "cyclobenzaprine"} <= names


def test_conditions_carry_icd10_codes(kb: KnowledgeBase) -> None:
    for condition_id in ["myasthenia_gravis", "lambert_eaton_syndrome", "motor_neuron_disease", "dysphagia"]:
        assert kb.conditions[condition_id].icd10, condition_id


def test_head_and_neck_sites_have_positions_and_body_sites_do_not(kb: KnowledgeBase) -> None:
    assert kb.sites["procerus"].position is not None
    assert kb.sites["temporalis_1_left"].position is not None
    assert kb.sites["temporalis_1_left"].position.view == "left"
    assert kb.sites["occipitalis_1_right"].position.view == "back"  # type: ignore[union-attr]
    assert kb.sites["detrusor"].position is None
    assert kb.sites["biceps_brachii_left"].position is None


@pytest.mark.parametrize("product", sorted(PRODUCTS))
def test_every_label_standard_pattern_is_outside_the_danger_zones(kb: KnowledgeBase, product: str) -> None:
    """Zones hold every indication; a standard site inside one must be a cited exemption."""
    checked = 0
    for (p, indication), regimen in kb.regimens.items():
        if p != product:
            continue
        for variant in regimen.variants:
            for step in variant.pattern:
                site = kb.sites[step.site]
                if site.position is None:
                    continue
                checked += 1
                for zone in kb.danger_zones:
                    if zone.view != site.position.view or inside(zone.shape, site.position, kb.template) is None:
                        continue
                    exemption = kb.exempt(zone, indication, site.position)
                    assert exemption is not None, (indication, variant.id, step.site, zone.id)
                    assert exemption.citations and exemption.reason
                assert kb.zones_holding(indication, site.position) == ()
    assert checked, f"{product}: no charted label-standard site was checked"


def test_every_fact_cites_a_known_source(kb: KnowledgeBase) -> None:
    # Loading already refuses unknown citations; this pins that sources are real records.
    for citation in kb.citations.values():
        assert citation.title and citation.publisher
        assert citation.url or citation.tier == "peer_reviewed" or citation.note, citation.id
