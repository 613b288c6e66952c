"""The titration advisor: each rule fires (and stays quiet when it should), suggestions stay
within the label's range at its boundaries, thin or missing history falls back to the label's
starting dose, and one product's units are never used for another's dose."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toxplan.domain.titration import Advice, Course, PastEvent, PastInjection, Review, advise, label_range
from toxplan.knowledge.base import KnowledgeBase

BOTOX, DYSPORT = "onabotulinumtoxina", "abobotulinumtoxina"
DAY = dt.date(2026, 3, 2)
GL_SITES = (
    "procerus",
    "corrugator_medial_left",
    "corrugator_medial_right",
    "corrugator_lateral_left",
    "corrugator_lateral_right",
)
CHIN = ("mentalis_left", "mentalis_right")


def shots(sites: tuple[str, ...], units: float) -> tuple[PastInjection, ...]:
    return tuple(PastInjection(s, Decimal(str(units))) for s in sites)


def course(
    *,
    sites: tuple[str, ...] = CHIN,
    units: float = 2,
    product: str = BOTOX,
    days_ago: int = 120,
    fws_max: int | None = None,
    satisfaction: int | None = None,
    touch_up: float | None = None,
    effect_days: int | None = None,
    returned_days: int | None = None,
    events: tuple[PastEvent, ...] = (),
    injections: tuple[PastInjection, ...] | None = None,
) -> Course:
    treated = DAY - dt.timedelta(days=days_ago)
    review = None
    if fws_max is not None or satisfaction is not None or touch_up is not None:
        review = Review(
            treated + dt.timedelta(days=14),
            fws_max=fws_max,
            satisfaction=satisfaction,
            touch_up_units=None if touch_up is None else Decimal(str(touch_up)),
        )
    return Course(
        treated,
        product,
        injections if injections is not None else shots(sites, units),
        review,
        effect_days,
        returned_days,
        events,
    )


def event(kind: str, *sites: str, days_ago: int = 115) -> PastEvent:
    return PastEvent(kind, DAY - dt.timedelta(days=days_ago), tuple(sites))


def units_of(advice: Advice) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for i in advice.suggestion.injections:
        assert i.site is not None
        found[i.site] = found.get(i.site, Decimal(0)) + i.units
    return found


def rules_of(advice: Advice) -> list[str]:
    return [r.rule for r in advice.suggestion.reasons]


# --- each rule fires --------------------------------------------------------------------------


def test_residual_lines_add_a_unit_at_the_areas_points(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="botox", indication="chin", courses=[course(fws_max=2, satisfaction=3)])
    assert units_of(advice) == {"mentalis_left": 3, "mentalis_right": 3}
    assert advice.suggestion.total_units == 6 and advice.suggestion.basis == "history"
    reason = advice.suggestion.reasons[0]
    assert reason.rule == "residual_lines_at_review" and reason.citations
    assert reason.text.startswith("Mentalis points +1 U each (4 U to 6 U): residual lines at review")
    assert "no eyelid ptosis, brow ptosis, asymmetry or diplopia after the last 2 courses" in reason.text


def test_residual_lines_go_to_the_lateral_corrugator_points_and_are_clamped_to_the_label(kb: KnowledgeBase) -> None:
    advice = advise(
        kb, product="botox", indication="glabellar_lines", courses=[course(sites=GL_SITES, units=4, fws_max=3)]
    )
    assert rules_of(advice) == ["residual_lines_at_review", "label_range"]
    assert advice.suggestion.reasons[0].text.startswith("Lateral corrugator points +1 U each (20 U to 22 U)")
    assert (
        "Kept within the label range for BOTOX in glabellar lines (4 U per point; 20 U in total): 22 U became 20 U"
        in (advice.suggestion.reasons[1].text)
    )
    assert set(units_of(advice).values()) == {4} and advice.suggestion.total_units == 20


def test_residual_lines_do_not_raise_the_dose_after_a_ptosis_in_the_last_two_courses(kb: KnowledgeBase) -> None:
    older = course(days_ago=250, fws_max=1, events=(event("brow_ptosis", days_ago=245),))
    advice = advise(kb, product="botox", indication="chin", courses=[older, course(fws_max=2)])
    assert rules_of(advice)[0] == "no_change_indicated"
    assert units_of(advice) == {"mentalis_left": 2, "mentalis_right": 2}


def test_a_touch_up_at_review_adds_a_unit(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="botox", indication="chin", courses=[course(fws_max=1, satisfaction=3, touch_up=2)])
    assert rules_of(advice)[0] == "touch_up_needed"
    assert "a touch-up of 2 U was needed" in advice.suggestion.reasons[0].text
    assert advice.suggestion.total_units == 6


def test_a_side_effect_lowers_the_dose_at_the_linked_site(kb: KnowledgeBase) -> None:
    last = course(units=3, fws_max=0, events=(event("asymmetry", "mentalis_left"),))
    advice = advise(kb, product="botox", indication="chin", courses=[last])
    assert rules_of(advice)[:2] == ["weakness_after_last_course", "weakness_after_last_course"]
    assert units_of(advice) == {"mentalis_left": 2, "mentalis_right": 3}
    assert advice.suggestion.reasons[0].text.startswith(
        "Left mentalis -1 U each (6 U to 5 U): asymmetry after the course of"
    )


def test_a_side_effect_without_a_site_lowers_the_areas_usual_points(kb: KnowledgeBase) -> None:
    fhl = ("frontalis_lower_midline", "frontalis_lower_lateral_left", "frontalis_lower_lateral_right")
    sites = (*fhl, "frontalis_upper_left", "frontalis_upper_right")
    advice = advise(
        kb,
        product="botox",
        indication="forehead_lines",
        courses=[course(sites=sites, units=4, events=(event("brow_ptosis"),))],
    )
    assert advice.suggestion.reasons[0].text.startswith("Lower frontalis points -1 U each (20 U to 17 U): brow ptosis")
    # BOTOX forehead lines is 4 U at each of 5 points: the label keeps it there, and says so.
    assert advice.suggestion.total_units == 20 and rules_of(advice)[-1] == "label_range"


def test_a_serious_reaction_after_any_product_withholds_the_suggestion(kb: KnowledgeBase) -> None:
    dysport = course(product=DYSPORT, sites=GL_SITES, units=10, events=(event("hypersensitivity"),))
    advice = advise(kb, product="botox", indication="glabellar_lines", courses=[dysport])
    assert advice.suggestion.basis == "withheld" and advice.suggestion.injections == ()
    assert advice.suggestion.total_units is None
    assert "serious_reaction_withhold" in rules_of(advice)
    assert "medical director" in " ".join(r.text for r in advice.suggestion.reasons)


def test_lip_doses_are_not_escalated(kb: KnowledgeBase) -> None:
    lips = tuple(f"orbicularis_oris_{row}_{side}" for row in ("upper_medial", "lower") for side in ("left", "right"))
    advice = advise(
        kb, product="botox", indication="perioral_lines", courses=[course(sites=lips, units=1.5, fws_max=3)]
    )
    assert rules_of(advice) == ["lips_not_escalated"]
    assert advice.suggestion.total_units == 6


@pytest.mark.parametrize(
    ("wore_off", "returned", "shown"), [(45, None, "wore off after 45 days"), (None, 50, "returned after 50 days")]
)
def test_a_short_effect_adds_a_unit_at_every_point(
    kb: KnowledgeBase, wore_off: int | None, returned: int | None, shown: str
) -> None:
    advice = advise(
        kb, product="botox", indication="chin", courses=[course(effect_days=wore_off, returned_days=returned)]
    )
    assert rules_of(advice)[0] == "short_effect" and shown in advice.suggestion.reasons[0].text
    assert advice.suggestion.total_units == 6


def test_a_short_effect_in_blepharospasm_follows_the_botox_label(kb: KnowledgeBase) -> None:
    lids = ("pretarsal_upper_medial_left", "pretarsal_upper_lateral_left", "pretarsal_lower_lateral_left")
    advice = advise(
        kb, product="botox", indication="blepharospasm", courses=[course(sites=lids, units=1.25, effect_days=40)]
    )
    assert rules_of(advice)[0] == "blepharospasm_short_effect"
    assert advice.suggestion.reasons[0].citations == ("onabotulinumtoxina_dosage_drugs_com",)
    assert set(units_of(advice).values()) == {Decimal("2.5")}


def test_a_good_response_keeps_the_dose(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="botox", indication="chin", courses=[course(units=3, fws_max=1, satisfaction=5)])
    assert rules_of(advice) == ["good_response"]
    assert advice.suggestion.reasons[0].text.startswith("Same dose as the course of")
    assert advice.suggestion.total_units == 6


def test_nothing_calling_for_a_change_keeps_the_dose(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="botox", indication="chin", courses=[course(units=3, fws_max=1, satisfaction=2)])
    assert rules_of(advice) == ["no_change_indicated"]


# --- label bounds at the boundary --------------------------------------------------------------


def test_an_increase_at_the_per_point_maximum_stays_there(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="botox", indication="chin", courses=[course(units=4, fws_max=2)])
    assert units_of(advice) == {"mentalis_left": 4, "mentalis_right": 4}
    assert "2-4 U per point; 4-10 U in total" in advice.suggestion.reasons[-1].text


def test_an_increase_just_under_the_per_point_maximum_is_capped(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="botox", indication="chin", courses=[course(units=3.5, fws_max=2)])
    assert units_of(advice) == {"mentalis_left": 4, "mentalis_right": 4}
    assert rules_of(advice)[-1] == "label_range"


def test_a_total_exactly_at_the_maximum_is_not_reported_as_clamped(kb: KnowledgeBase) -> None:
    masseter = tuple(f"masseter_{n}_{side}" for side in ("left", "right") for n in (1, 2, 3))
    fine = advise(
        kb, product="botox", indication="masseter", courses=[course(sites=masseter, units=8, fws_max=0, satisfaction=5)]
    )
    assert fine.suggestion.total_units == 48 and "label_range" not in rules_of(fine)
    above = advise(kb, product="botox", indication="masseter", courses=[course(sites=masseter, units=8, fws_max=2)])
    assert above.suggestion.total_units == 48 and rules_of(above)[-1] == "label_range"


def test_a_decrease_below_the_per_point_minimum_stays_at_the_minimum(kb: KnowledgeBase) -> None:
    last = course(units=2, events=(event("asymmetry", "mentalis_left"),))
    advice = advise(kb, product="botox", indication="chin", courses=[last])
    assert units_of(advice) == {"mentalis_left": 2, "mentalis_right": 2}


def test_a_past_course_above_the_label_is_brought_back_into_range(kb: KnowledgeBase) -> None:
    advice = advise(
        kb,
        product="botox",
        indication="glabellar_lines",
        courses=[course(sites=GL_SITES, units=6, fws_max=0, satisfaction=5)],
    )
    assert advice.suggestion.total_units == 20
    assert "30 U became 20 U" in advice.suggestion.reasons[-1].text


def test_points_that_cannot_reach_the_label_total_fall_back_to_the_starting_dose(kb: KnowledgeBase) -> None:
    """Four glabellar points at the fixed 4 U cannot make the label's 20 U."""
    advice = advise(
        kb, product="botox", indication="glabellar_lines", courses=[course(sites=GL_SITES[:4], units=4, fws_max=0)]
    )
    assert advice.suggestion.basis == "label_start" and advice.suggestion.total_units == 20
    assert rules_of(advice)[-2:] == ["label_range", "label_start"]


# --- thin or no history, and never mixing products ----------------------------------------------


def test_no_history_says_so_and_suggests_the_labels_starting_dose(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="dysport", indication="glabellar_lines", courses=[])
    assert advice.suggestion.basis == "label_start"
    assert rules_of(advice) == ["thin_history", "label_start"]
    assert advice.suggestion.reasons[0].text.startswith("0 earlier course(s) of this product in this area")
    assert units_of(advice) == dict.fromkeys(GL_SITES, Decimal(10))
    assert advice.label_range is not None and (advice.label_range.min, advice.label_range.max) == (50, 50)


def test_a_course_without_any_outcome_is_thin_history(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="botox", indication="chin", courses=[course(units=3)])
    assert rules_of(advice)[0] == "thin_history" and advice.suggestion.total_units == 4


def test_another_products_history_is_shown_but_never_used(kb: KnowledgeBase) -> None:
    dysport = course(product=DYSPORT, sites=GL_SITES, units=10, fws_max=3, days_ago=60)
    botox = course(sites=GL_SITES, units=4, fws_max=0, satisfaction=5, days_ago=300)
    advice = advise(kb, product="botox", indication="glabellar_lines", courses=[botox, dysport])
    assert [(v.course.product, v.used) for v in advice.courses] == [(DYSPORT, False), (BOTOX, True)]
    assert rules_of(advice) == ["units_not_interchangeable", "good_response"]
    assert "1 course(s) of Dysport shown but not used" in advice.suggestion.reasons[0].text
    assert advice.suggestion.total_units == 20


def test_switching_products_starts_from_the_new_products_label_dose(kb: KnowledgeBase) -> None:
    botox = course(sites=GL_SITES, units=4, fws_max=3)
    advice = advise(kb, product="dysport", indication="glabellar_lines", courses=[botox])
    assert rules_of(advice) == ["units_not_interchangeable", "thin_history", "label_start"]
    assert advice.suggestion.total_units == 50  # Dysport's own label dose, not 20 BOTOX units converted


def test_an_area_without_a_label_pattern_suggests_no_dose_and_says_so(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="xeomin", indication="forehead_lines", courses=[])
    assert advice.suggestion.basis == "none" and advice.suggestion.injections == ()
    assert rules_of(advice) == ["thin_history", "no_label_pattern"]


def test_a_product_without_a_regimen_for_the_area_suggests_no_dose(kb: KnowledgeBase) -> None:
    advice = advise(kb, product="jeuveau", indication="masseter", courses=[])
    assert advice.label_range is None and rules_of(advice) == ["no_regimen"]


def test_points_placed_by_position_are_not_carried_over(kb: KnowledgeBase) -> None:
    mixed = (
        PastInjection("mentalis_left", Decimal(3)),
        PastInjection(None, Decimal(2)),
        PastInjection("mentalis_right", Decimal(3)),
    )
    advice = advise(
        kb, product="botox", indication="chin", courses=[course(injections=mixed, fws_max=1, satisfaction=5)]
    )
    assert "points_by_position" in rules_of(advice) and advice.suggestion.total_units == 6


def aesthetic_regimens(kb: KnowledgeBase) -> list[tuple[str, str]]:
    return sorted(key for key in kb.regimens if kb.indications[key[1]].category == "aesthetic")


def test_every_product_has_an_aesthetic_regimen(kb: KnowledgeBase) -> None:
    assert {p for p, _ in aesthetic_regimens(kb)} == set(kb.products)


@pytest.mark.parametrize(
    "area",
    [
        "glabellar_lines",
        "lateral_canthal_lines",
        "forehead_lines",
        "platysma_bands",
        "masseter",
        "chin",
        "mouth_corners",
        "perioral_lines",
        "bunny_lines",
        "gummy_smile",
        "brow_lift",
        "neck_lift",
    ],
)
def test_every_product_with_an_aesthetic_regimen_starts_from_its_label_and_then_repeats_a_good_course(
    kb: KnowledgeBase, area: str
) -> None:
    for product, indication in aesthetic_regimens(kb):
        if indication != area:
            continue
        regimen = kb.regimens[(product, indication)]
        first = advise(kb, product=product, indication=indication, courses=[])
        if not regimen.variants:
            assert first.suggestion.basis == "none"
            continue
        default = next(v for v in regimen.variants if v.id == regimen.default_variant)
        assert first.suggestion.total_units == default.total_units, product
        again = advise(
            kb,
            product=product,
            indication=indication,
            courses=[course(product=product, injections=first.suggestion.injections, fws_max=0, satisfaction=5)],
        )
        assert again.suggestion.basis == "history"
        assert again.suggestion.injections == first.suggestion.injections, (product, rules_of(again))


# --- properties -------------------------------------------------------------------------------

EVENTS = ("eyelid_ptosis", "brow_ptosis", "asymmetry", "bruising", "headache", "muscle_weakness")


@st.composite
def histories(draw: st.DrawFn, kb: KnowledgeBase) -> tuple[str, str, list[Course]]:
    product, indication = draw(st.sampled_from([k for k in aesthetic_regimens(kb) if kb.regimens[k].variants]))
    regimen = kb.regimens[(product, indication)]
    sites = sorted({s.site for v in regimen.variants for s in v.pattern})
    courses = []
    for n in range(draw(st.integers(0, 4))):
        chosen = draw(st.lists(st.sampled_from(sites), min_size=1, max_size=8))
        injections = tuple(PastInjection(s, Decimal(draw(st.integers(1, 24))) / 2) for s in chosen)
        events = tuple(
            PastEvent(kind, DAY, tuple(draw(st.lists(st.sampled_from(chosen), max_size=1))))
            for kind in draw(st.lists(st.sampled_from(EVENTS), max_size=2))
        )
        courses.append(
            course(
                product=draw(st.sampled_from([product, product, DYSPORT, BOTOX])),
                days_ago=100 * (n + 1),
                injections=injections,
                fws_max=draw(st.none() | st.integers(0, 3)),
                satisfaction=draw(st.none() | st.integers(1, 5)),
                touch_up=draw(st.none() | st.sampled_from([2, 4])),
                effect_days=draw(st.none() | st.integers(20, 200)),
                events=events,
            )
        )
    return product, indication, courses


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_suggestion_stays_within_the_label_range(kb: KnowledgeBase, data: st.DataObject) -> None:
    product, indication, courses = data.draw(histories(kb))
    advice = advise(kb, product=product, indication=indication, courses=courses)
    limits = label_range(kb.products[product], kb.regimens[(product, indication)])
    total = advice.suggestion.total_units
    assert total is not None and advice.suggestion.reasons
    if limits.known:
        assert limits.min is not None and limits.max is not None
        assert limits.min <= total <= limits.max
    for injection in advice.suggestion.injections:
        assert injection.units >= limits.site_min or advice.suggestion.basis == "label_start"
        assert limits.site_max is None or injection.units <= limits.site_max
    assert all(r.text and r.rule for r in advice.suggestion.reasons)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_only_the_planned_products_courses_shape_the_dose(kb: KnowledgeBase, data: st.DataObject) -> None:
    """Removing every other product's course changes nothing but the note that they were shown."""
    product, indication, courses = data.draw(histories(kb))
    mixed = advise(kb, product=product, indication=indication, courses=courses)
    alone = advise(kb, product=product, indication=indication, courses=[c for c in courses if c.product == product])
    assert mixed.suggestion.injections == alone.suggestion.injections
    others = [r for r in mixed.suggestion.reasons if r.rule != "units_not_interchangeable"]
    # The serious-reaction rule looks at every product's courses on purpose (hypersensitivity to any toxin).
    if "serious_reaction_withhold" not in rules_of(mixed):
        assert others == list(alone.suggestion.reasons)
    assert all(v.used == (v.course.product == product) for v in mixed.courses)
