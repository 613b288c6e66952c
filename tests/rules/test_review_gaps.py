"""Gaps found by reviewing every rule against harmful and borderline plans.

Table-driven: each rule added by the review fires just over its boundary, stays quiet just
under it, and cites its sources.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from tests.conftest import GLABELLAR, findings, healthy_adult, injections, request, with_code
from toxplan.domain.checking import check
from toxplan.domain.requests import parse_check_request
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase

PER_SITE = {  # product: (glabellar units per site, vial, diluent)
    "onabotulinumtoxina": (4, 100, 2.5),
    "abobotulinumtoxina": (10, 300, 2.5),
    "incobotulinumtoxina": (4, 100, 2.5),
    "prabotulinumtoxina": (4, 100, 2.5),
    "daxibotulinumtoxina": (8, 100, 1.25),
    "letibotulinumtoxina": (4, 100, 2.5),
}


def at_one_point(found: list[Finding]) -> list[Finding]:
    return [f for f in found if "one point" in f.message]


def cited(kb: KnowledgeBase, finding: Finding) -> None:
    assert finding.citations and all(c in kb.citations for c in finding.citations)


@pytest.mark.parametrize("product", sorted(PER_SITE))
class TestDosesAtOnePoint:
    """Several injections into one point add up (every glabellar label)."""

    def plan(self, product: str, shots_at_one_point: int, units: float) -> dict[str, object]:
        _, vial, diluent = PER_SITE[product]
        shots = injections("glabellar_lines", [("corrugator_lateral_left", units)] * shots_at_one_point)
        return request(product=product, shots=shots, vial_units=vial, diluent_ml=diluent)

    def test_twice_the_label_dose_at_one_point_is_a_warning(self, kb: KnowledgeBase, product: str) -> None:
        per_site = PER_SITE[product][0]
        found = at_one_point(findings(kb, self.plan(product, 2, per_site)))
        assert [(f.code, f.severity) for f in found] == [("DOSE_ABOVE_LABEL", "warning")]
        assert "left corrugator" in found[0].message and "Injections 1, 2" in found[0].message
        cited(kb, found[0])

    def test_more_than_twice_at_one_point_is_critical(self, kb: KnowledgeBase, product: str) -> None:
        per_site = PER_SITE[product][0]
        found = at_one_point(findings(kb, self.plan(product, 5, per_site)))
        assert [(f.code, f.severity) for f in found] == [("SITE_DOSE_ABOVE_MAX", "critical")]
        cited(kb, found[0])

    def test_the_label_pattern_has_no_shared_point(self, kb: KnowledgeBase, product: str) -> None:
        per_site, vial, diluent = PER_SITE[product]
        shots = injections("glabellar_lines", [(s, per_site) for s, _ in GLABELLAR])
        plan = request(product=product, shots=shots, vial_units=vial, diluent_ml=diluent)
        assert not at_one_point(findings(kb, plan))


def test_a_per_site_maximum_counts_the_point_total(kb: KnowledgeBase) -> None:
    shots = injections("strabismus", [("medial_rectus_left", 12.5), ("medial_rectus_left", 12.5)])
    assert not at_one_point(findings(kb, request(shots=shots)))  # 25 U: at the maximum
    shots = injections("strabismus", [("medial_rectus_left", 12.5), ("medial_rectus_left", 12.6)])
    found = [f for f in at_one_point(findings(kb, request(shots=shots))) if f.code == "SITE_DOSE_ABOVE_MAX"]
    assert [f.severity for f in found] == ["critical"]
    assert "25 U" in found[0].message


def test_free_points_at_the_same_place_add_up_and_different_places_do_not(kb: KnowledgeBase) -> None:
    point = {"x_mm": 58, "y_mm": 6, "view": "front"}
    same = [{"indication": "lateral_canthal_lines", "position": point, "units": 5}] * 2
    assert with_code(at_one_point(findings(kb, request(shots=same))), "SITE_DOSE_ABOVE_MAX")
    apart = [same[0], {"indication": "lateral_canthal_lines", "position": {**point, "y_mm": 16}, "units": 5}]
    assert not at_one_point(findings(kb, request(shots=apart)))


@pytest.mark.parametrize(
    ("indication", "site", "count", "units"),
    [
        ("overactive_bladder", "detrusor", 20, 5),
        ("axillary_hyperhidrosis", "axilla_left", 10, 5),
        ("platysma_bands", "platysma_jawline_left", 4, 2),
        ("upper_limb_spasticity", "biceps_brachii_left", 4, 50),
    ],
)
def test_a_site_that_stands_for_several_points_is_not_one_point(
    kb: KnowledgeBase, indication: str, site: str, count: int, units: float
) -> None:
    shots = injections(indication, [(site, units)] * count)
    assert not at_one_point(findings(kb, request(shots=shots)))


OWN_WINDOW = {  # product: (glabellar units per site, window maximum, vial, diluent)
    "abobotulinumtoxina": (10, 1500, 300, 2.5),
    "incobotulinumtoxina": (4, 400, 100, 2.5),
    "prabotulinumtoxina": (4, 20, 100, 2.5),
    "daxibotulinumtoxina": (8, 250, 100, 1.25),
    "letibotulinumtoxina": (4, 20, 100, 2.5),
}


@pytest.mark.parametrize("product", sorted(OWN_WINDOW))
class TestOwnProductWindow:
    """A product's own courses count against its maximum for a window (window_maxima)."""

    def plan(self, product: str, earlier: float) -> dict[str, object]:
        per_site, _, vial, diluent = OWN_WINDOW[product]
        shots = injections("glabellar_lines", [(s, per_site) for s, _ in GLABELLAR[:4]])
        history = [{"date": "2026-11-04", "product": product, "indication": "cervical_dystonia", "units": earlier}]
        return request(product=product, shots=shots, history=history, vial_units=vial, diluent_ml=diluent)

    def test_at_the_maximum_is_quiet(self, kb: KnowledgeBase, product: str) -> None:
        per_site, maximum, _, _ = OWN_WINDOW[product]
        found = findings(kb, self.plan(product, maximum - 4 * per_site))
        assert not with_code(found, "CUMULATIVE_DOSE_ABOVE_MAX")

    def test_one_unit_over_is_critical_and_cited(self, kb: KnowledgeBase, product: str) -> None:
        per_site, maximum, _, _ = OWN_WINDOW[product]
        found = with_code(findings(kb, self.plan(product, maximum - 4 * per_site + 1)), "CUMULATIVE_DOSE_ABOVE_MAX")
        assert [f.severity for f in found] == ["critical"]
        assert f"{maximum + 1} U" in found[0].message and "never converted" in found[0].message
        cited(kb, found[0])


def test_botox_keeps_its_own_rolling_window_limit(kb: KnowledgeBase) -> None:
    history = [{"date": "2026-11-04", "product": "BOTOX", "indication": "cervical_dystonia", "units": 381}]
    found = with_code(findings(kb, request(history=history)), "CUMULATIVE_DOSE_ABOVE_MAX")
    assert len(found) == 1 and "400 U in 3 months" in found[0].message


@pytest.mark.parametrize(
    ("product", "units", "severity"),
    [
        ("letibotulinumtoxina", 20, None),  # at the maximum
        ("letibotulinumtoxina", 21, "warning"),
        ("letibotulinumtoxina", 40, "warning"),
        ("letibotulinumtoxina", 41, "critical"),  # above 2 x the maximum
        ("prabotulinumtoxina", 41, "critical"),
    ],
)
def test_an_indication_with_no_dose_held_is_checked_against_the_product_maximum(
    kb: KnowledgeBase, product: str, units: float, severity: str | None
) -> None:
    shots = [{"indication": "masseter", "site": "masseter_1_left", "units": units}]
    found = [f for f in findings(kb, request(product=product, shots=shots)) if f.subject.type == "product"]
    assert [f.severity for f in found if f.code in ("DOSE_ABOVE_LABEL", "SESSION_DOSE_ABOVE_MAX")] == (
        [severity] if severity else []
    )
    off = with_code(findings(kb, request(product=product, shots=shots)), "OFF_LABEL_USE")
    assert [f.severity for f in off] == ["warning"]


@pytest.mark.parametrize(
    ("product", "indication", "site", "severity"),
    [
        ("incobotulinumtoxina", "upper_limb_spasticity", "sternocleidomastoid_left", "warning"),
        ("onabotulinumtoxina", "glabellar_lines", "axilla_left", "warning"),
        ("onabotulinumtoxina", "lateral_canthal_lines", "pretarsal_upper_lateral_left", "warning"),
        ("abobotulinumtoxina", "lower_limb_spasticity", "biceps_brachii_left", "warning"),
        ("onabotulinumtoxina", "forehead_lines", "migraine_frontalis_medial_left", "info"),
        ("onabotulinumtoxina", "glabellar_lines", "procerus", None),
        ("onabotulinumtoxina", "chronic_migraine", "procerus", None),
        ("onabotulinumtoxina", "chronic_migraine", "trapezius_1_left", None),
        ("onabotulinumtoxina", "strabismus", "lateral_rectus_right", None),
        ("incobotulinumtoxina", "sialorrhea", "parotid_left", None),
        ("abobotulinumtoxina", "cervical_dystonia", "levator_scapulae_right", None),
    ],
)
def test_a_site_must_fit_its_indication(
    kb: KnowledgeBase, product: str, indication: str, site: str, severity: str | None
) -> None:
    shots = [{"indication": indication, "site": site, "units": 2}]
    found = [
        f
        for f in with_code(findings(kb, request(product=product, shots=shots)), "UNRECOGNISED_INPUT")
        if f.subject.type == "injection"
    ]
    assert [f.severity for f in found] == ([severity] if severity else [])
    if found:
        assert kb.sites[site].definition.name.split(",")[0].lower() in found[0].message.lower()
        assert indication.replace("_", " ") in found[0].message


@pytest.mark.parametrize(
    ("product", "indication", "warns"),
    [
        ("incobotulinumtoxina", "upper_limb_spasticity", True),
        ("onabotulinumtoxina", "lower_limb_spasticity", True),
        ("onabotulinumtoxina", "overactive_bladder", True),
        ("incobotulinumtoxina", "sialorrhea", True),
        ("onabotulinumtoxina", "cervical_dystonia", True),  # the sternocleidomastoid row has a ceiling
        ("onabotulinumtoxina", "glabellar_lines", False),
        ("onabotulinumtoxina", "platysma_bands", False),
    ],
)
def test_a_free_point_where_the_label_doses_per_muscle_says_so(
    kb: KnowledgeBase, product: str, indication: str, warns: bool
) -> None:
    shots = [{"indication": indication, "position": {"x_mm": 10, "y_mm": -120, "view": "front"}, "units": 2}]
    found = [f for f in findings(kb, request(product=product, shots=shots)) if "no muscle" in f.message]
    assert [(f.code, f.severity) for f in found] == ([("INPUT_MISSING", "warning")] if warns else [])


SAME_DAY = [  # product, indication, site, session limit, vial, diluent
    ("daxibotulinumtoxina", "glabellar_lines", "procerus", 40, 100, 1.25),  # session maximum
    ("incobotulinumtoxina", "upper_limb_spasticity", "biceps_brachii_left", 400, 100, 2),
    ("abobotulinumtoxina", "cervical_dystonia", "splenius_capitis_left", 1000, 500, 5),
    ("onabotulinumtoxina", "overactive_bladder", "detrusor", 200, 100, 10),  # 2 x the fixed 100 U
]


def earlier_today(
    kb: KnowledgeBase, row: tuple[str, str, str, int, int, float], earlier: float, now: float
) -> list[Finding]:
    """Critical findings that count a course given earlier on the plan's day (the same session)."""
    product, indication, site, _, vial, diluent = row
    history = [{"date": "2026-11-25", "product": product, "indication": indication, "units": earlier}]
    shots = [{"indication": indication, "site": site, "units": now}]
    data = request(product=product, shots=shots, history=history, vial_units=vial, diluent_ml=diluent)
    return [f for f in findings(kb, data) if "earlier today" in f.message and f.severity == "critical"]


@pytest.mark.parametrize("row", SAME_DAY, ids=lambda r: f"{r[0]}-{r[1]}")
def test_a_course_earlier_the_same_day_counts_in_the_session(
    kb: KnowledgeBase, row: tuple[str, str, str, int, int, float]
) -> None:
    limit = row[3]
    assert not earlier_today(kb, row, limit / 2, limit / 2)
    found = earlier_today(kb, row, limit / 2, limit / 2 + 1)
    assert found and found[0].code == "SESSION_DOSE_ABOVE_MAX"
    assert f"{limit + 1} U" in found[0].message
    cited(kb, found[0])


class TestInUseClock:
    """The in-use time of a vial is measured between two moments, whatever their zones."""

    def test_a_daylight_saving_change_is_counted(self, kb: KnowledgeBase) -> None:
        new_york = zoneinfo.ZoneInfo("America/New_York")
        # 12:45 EDT on 31 October to 12:30 EST on 1 November: 24 h 45 min, not 23 h 45 min
        made = dt.datetime(2026, 10, 31, 12, 45, tzinfo=new_york)
        at = dt.datetime(2026, 11, 1, 12, 30, tzinfo=new_york)
        data = request(reconstituted_at=made.isoformat())
        data["date"] = "2026-11-01"
        parsed = parse_check_request(data, today=dt.date(2026, 11, 1))
        parsed = parsed.model_copy(update={"treatment": parsed.treatment.model_copy(update={"reconstituted_at": made})})
        found = with_code(list(check(kb, parsed, at=at).result.findings), "RECONSTITUTED_VIAL_EXPIRED")
        assert found and "24 h 45 min" in found[0].message

    def test_a_reconstitution_after_the_injection_is_not_checked_silently(self, kb: KnowledgeBase) -> None:
        data = request(reconstituted_at="2026-11-25T12:30:00")
        found = [f for f in with_code(findings(kb, data), "INPUT_MISSING") if f.subject.type == "vial"]
        assert [f.severity for f in found] == ["warning"] and "after the injection" in found[0].message
        cited(kb, found[0])

    @pytest.mark.parametrize(
        ("product", "hours"),
        [
            ("onabotulinumtoxina", 24),
            ("incobotulinumtoxina", 24),
            ("prabotulinumtoxina", 24),
            ("letibotulinumtoxina", 24),
            ("daxibotulinumtoxina", 72),
            ("abobotulinumtoxina", 24),
        ],
    )
    def test_every_product_at_and_one_minute_over_its_in_use_time(
        self, kb: KnowledgeBase, product: str, hours: int
    ) -> None:
        at = dt.datetime(2026, 11, 25, 12, 0)
        exactly = (at - dt.timedelta(hours=hours)).isoformat()
        over = (at - dt.timedelta(hours=hours, minutes=1)).isoformat()
        assert not with_code(
            findings(kb, request(product=product, reconstituted_at=exactly), at=at), "RECONSTITUTED_VIAL_EXPIRED"
        )
        found = with_code(
            findings(kb, request(product=product, reconstituted_at=over), at=at), "RECONSTITUTED_VIAL_EXPIRED"
        )
        assert found and f"{hours} h 1 min" in found[0].message
        cited(kb, found[0])


@pytest.mark.parametrize(
    ("entry", "reads_as_pregnancy"),
    [
        ("Z3A.12", True),  # 12 weeks of gestation
        ("Z3A.40 40 weeks gestation", True),
        ("O26.891", True),
        ("O24.410", True),  # gestational diabetes
        ("O09.511", True),  # supervision of elderly primigravida
        ("Z32.01", True),  # positive pregnancy test
        ("Z33.1", True),
        ("Z32.02", False),  # negative pregnancy test
        ("O80", False),  # delivery: the pregnancy has ended
        ("HbA1c 6.1", False),
    ],
)
def test_pregnancy_codes(kb: KnowledgeBase, entry: str, reads_as_pregnancy: bool) -> None:
    found = with_code(findings(kb, request(patient=healthy_adult(conditions=[entry]))), "PREGNANCY_OR_LACTATION")
    assert bool(found) == reads_as_pregnancy
    if found:
        assert found[0].severity == "critical"  # glabellar lines: an elective treatment
        cited(kb, found[0])


AESTHETIC_GL = [
    "onabotulinumtoxina",
    "abobotulinumtoxina",
    "incobotulinumtoxina",
    "prabotulinumtoxina",
    "daxibotulinumtoxina",
    "letibotulinumtoxina",
]


@pytest.mark.parametrize("product", AESTHETIC_GL)
@pytest.mark.parametrize(("birth_date", "severity"), [("2008-11-26", "critical"), ("2008-11-25", None)])
def test_an_aesthetic_treatment_of_a_minor_is_critical(
    kb: KnowledgeBase, product: str, birth_date: str, severity: str | None
) -> None:
    """One day before the 18th birthday, and on it (the plan is for 2026-11-25)."""
    per_site, vial, diluent = PER_SITE[product]
    shots = injections("glabellar_lines", [(s, per_site) for s, _ in GLABELLAR])
    patient = healthy_adult(birth_date=birth_date, weight_kg=58)
    data = request(product=product, shots=shots, patient=patient, vial_units=vial, diluent_ml=diluent)
    found = with_code(findings(kb, data), "AGE_OUTSIDE_LABEL")
    assert [f.severity for f in found] == ([severity] if severity else [])
    if found:
        assert "under 18" in found[0].message
        cited(kb, found[0])


def test_a_therapeutic_use_below_the_label_age_stays_a_warning(kb: KnowledgeBase) -> None:
    shots = injections("blepharospasm", [("pretarsal_upper_medial_left", 2.5)])
    patient = healthy_adult(birth_date="2015-06-01", weight_kg=35)
    found = with_code(findings(kb, request(shots=shots, patient=patient)), "AGE_OUTSIDE_LABEL")
    assert [f.severity for f in found] == ["warning"]


@pytest.mark.parametrize(
    ("vial", "diluent", "warns"),
    [(None, None, True), (None, 1, True), (500, None, True), (500, 5, False)],
)
def test_a_volume_cap_checked_at_an_assumed_dilution_says_so(
    kb: KnowledgeBase, vial: int | None, diluent: float | None, warns: bool
) -> None:
    shots = injections("upper_limb_spasticity", [("biceps_brachii_left", 90)] * 3)
    patient = healthy_adult(birth_date="2016-06-01", weight_kg=20)
    data = request(product="dysport", shots=shots, patient=patient, vial_units=vial, diluent_ml=diluent)
    found = [f for f in with_code(findings(kb, data), "INPUT_MISSING") if "assumed dilution" in f.message]
    assert [f.severity for f in found] == (["warning"] if warns else [])
    if found:
        assert "0.5 mL" in found[0].message
        cited(kb, found[0])


@pytest.mark.parametrize("side", ["left", "right"])
def test_no_gap_between_zones_that_share_an_edge(kb: KnowledgeBase, side: str) -> None:
    """A point on a zone's outline is outside it, so two zones that share an edge must overlap:
    every point on the lid line and on the vertical below the lateral canthus is in a zone."""
    medial, lateral = kb.template[f"medial_canthus_{side}"], kb.template[f"lateral_canthus_{side}"]
    for k in range(1, 20):
        t = Decimal(k) / 20
        x = medial.x_mm + t * (lateral.x_mm - medial.x_mm)
        y = medial.y_mm + t * (lateral.y_mm - medial.y_mm)
        point = medial._replace(x_mm=x, y_mm=y)
        assert any(z.id == "upper_eyelid_levator" for z, _ in kb.zones_holding("none", point)), point
    for k in range(1, 17):
        point = lateral._replace(y_mm=lateral.y_mm - k)
        assert kb.zones_holding("none", point), point
