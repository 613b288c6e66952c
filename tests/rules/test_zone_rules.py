"""DANGER_ZONE, table by table: each zone fires just inside and stays quiet just outside, for
any indication typed; exemptions cover only their indication at their site; every finding
cites its sources and names things as clinicians say them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import findings, request, with_code
from tests.rules.test_dose_rules import cited
from toxplan.domain.geometry import Position, compile_zone
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase

# zone id, view, a point just inside, a point just outside (template millimetres, left side)
BOUNDARIES = [
    ("glabellar_central_brow_1cm", "front", (31.4, 29.5), (31.4, 30.3)),
    ("upper_eyelid_levator", "front", (31.4, 15.6), (31.4, 16.5)),
    ("medial_lower_lid", "front", (13.3, -5), (12.9, -5)),
    ("lower_eyelid", "front", (38, -16.1), (38, -16.5)),
    ("lateral_orbit_inside_rim", "front", (51.3, -3), (51.5, -3)),
    ("lateral_canthus_10mm", "front", (53.5, 0.9), (53.7, 0.9)),
    ("frontalis_brow_2cm", "front", (31.4, 39.5), (31.4, 40.5)),
    ("frontalis_brow_2cm", "front", (0, 37.6), (0, 38)),
    ("bunny_lines_lip_elevators", "front", (21, -29.4), (21, -29.2)),
    ("perioral_commissure_15mm", "front", (24.5, -56), (24.5, -55.7)),
    ("dli_medial_to_dao", "front", (22, -88), (27, -88)),
    ("chin_above_mental_crease", "front", (0, -93.8), (0, -94.2)),
    ("neck_lift_medial_limit", "front", (18, -99.3), (18, -98.9)),
    ("anterior_neck_midline", "front", (9.8, -170), (10.1, -170)),
    ("anterior_neck_midline", "front", (0, -128.2), (0, -127.5)),
    ("masseter_anterior_risorius_left", "left", (43.2, -54.3), (43.0, -54.3)),
    ("masseter_anterior_risorius_right", "right", (43.2, -54.3), (43.0, -54.3)),
]
# indications a clinician might type for a point anywhere on the face, exempt from no zone
TYPED = ["lateral_canthal_lines", "forehead_lines", "masseter", "neck_lift"]


def shot(indication: str, view: str, x: float, y: float, **extra: Any) -> dict[str, Any]:
    return {"indication": indication, "units": 2, "position": {"x_mm": x, "y_mm": y, "view": view}, **extra}


def zone_findings(kb: KnowledgeBase, zone_id: str, shots: list[dict[str, Any]]) -> list[Finding]:
    name = next(z.name for z in kb.danger_zones if z.id == zone_id)
    return [f for f in with_code(findings(kb, request(shots=shots)), "DANGER_ZONE") if f"'{name}'" in f.message]


@pytest.mark.parametrize(("zone_id", "view", "inner", "outer"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
@pytest.mark.parametrize("indication", TYPED)
def test_fires_just_inside_and_stays_quiet_just_outside(
    kb: KnowledgeBase,
    *,
    zone_id: str,
    view: str,
    inner: tuple[float, float],
    outer: tuple[float, float],
    indication: str,
) -> None:
    zone = next(z for z in kb.danger_zones if z.id == zone_id)
    found = zone_findings(kb, zone_id, [shot(indication, view, *inner)])
    assert [f.severity for f in found] == [zone.severity]
    cited(kb, found)
    assert not zone_findings(kb, zone_id, [shot(indication, view, *outer)])


@pytest.mark.parametrize(("zone_id", "view", "inner", "outer"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_the_right_side_mirrors_the_left(
    kb: KnowledgeBase, zone_id: str, view: str, inner: tuple[float, float], outer: tuple[float, float]
) -> None:
    if view != "front":
        return  # side views have one zone per side, tested above
    assert zone_findings(kb, zone_id, [shot("masseter", view, -inner[0], inner[1])])
    assert not zone_findings(kb, zone_id, [shot("masseter", view, -outer[0], outer[1])])


def test_every_edge_of_every_zone_is_sharp(kb: KnowledgeBase) -> None:
    """0.2 mm either side of the middle of each edge: one point in, the other out."""
    for zone in kb.danger_zones:
        compiled = compile_zone(zone.shape, kb.template, zone.view)
        for part in compiled.parts:
            points = getattr(part, "points", None)
            if points is None:
                continue
            for i, (ax, ay) in enumerate(points):
                bx, by = points[(i + 1) % len(points)]
                length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
                if length < 1:
                    continue
                mx, my, nx, ny = (ax + bx) / 2, (ay + by) / 2, -(by - ay) / length, (bx - ax) / length
                sides = [part.holds(mx + 0.2 * nx, my + 0.2 * ny), part.holds(mx - 0.2 * nx, my - 0.2 * ny)]
                assert sorted(sides) == [False, True], (zone.id, part.label, i)


# The examples of the issue: each must give at least a warning, whatever it is typed as.
EXAMPLES = [
    ("a point over the levator typed as crow's feet", shot("lateral_canthal_lines", "front", 31.4, 8), "critical"),
    ("a crow's-feet point inside the lateral orbital rim", shot("lateral_canthal_lines", "front", 48, -4), "warning"),
    ("a crow's-feet point on the lower lid", shot("lateral_canthal_lines", "front", 36, -8), "warning"),
    ("a mouth-corner point over the depressor labii inferioris", shot("mouth_corners", "front", 22, -88), "warning"),
    ("a forehead point 1 cm above the brow", shot("forehead_lines", "front", 44, 31), "warning"),
    ("a platysma point on the neck midline", shot("platysma_bands", "front", 0, -150), "warning"),
    ("a glabellar point on the central brow", shot("glabellar_lines", "front", 31.4, 22), "critical"),
    ("a medial lower-lid point for blepharospasm", shot("blepharospasm", "front", 22, -4), "critical"),
]


@pytest.mark.parametrize(("what", "injection", "severity"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_the_examples_of_the_issue_are_not_silent(
    kb: KnowledgeBase, what: str, injection: dict[str, Any], severity: str
) -> None:
    found = with_code(findings(kb, request(shots=[injection])), "DANGER_ZONE")
    assert found, what
    strictest = "critical" if any(f.critical for f in found) else "warning"
    assert strictest == severity, what
    cited(kb, found)


# zone, indication, site: the exemption lets exactly this through
EXEMPTIONS = [
    ("upper_eyelid_levator", "blepharospasm", "pretarsal_upper_medial_left"),
    ("upper_eyelid_levator", "blepharospasm", "pretarsal_upper_lateral_right"),
    ("lower_eyelid", "blepharospasm", "pretarsal_lower_lateral_left"),
    ("lateral_canthus_10mm", "blepharospasm", "pretarsal_upper_lateral_left"),
    ("frontalis_brow_2cm", "glabellar_lines", "corrugator_lateral_left"),
    ("frontalis_brow_2cm", "glabellar_lines", "procerus"),
    ("frontalis_brow_2cm", "chronic_migraine", "migraine_corrugator_right"),
    ("perioral_commissure_15mm", "mouth_corners", "depressor_anguli_oris_left"),
    ("chin_above_mental_crease", "perioral_lines", "orbicularis_oris_lower_right"),
    ("bunny_lines_lip_elevators", "gummy_smile", "yonsei_point_left"),
    ("bunny_lines_lip_elevators", "gummy_smile", "llsan_right"),
]


@pytest.mark.parametrize(("zone_id", "indication", "site"), EXEMPTIONS, ids=[f"{e[0]}-{e[2]}" for e in EXEMPTIONS])
def test_an_exemption_covers_its_indication_at_its_site_only(
    kb: KnowledgeBase, zone_id: str, indication: str, site: str
) -> None:
    zone = next(z for z in kb.danger_zones if z.id == zone_id)
    where = kb.sites[site].position
    assert where is not None
    assert kb.exempt(zone, indication, where) is not None
    assert not zone_findings(kb, zone_id, [{"indication": indication, "site": site, "units": 2}])
    # the same point typed as something else is held by the zone
    assert zone_findings(kb, zone_id, [{"indication": "lateral_canthal_lines", "site": site, "units": 2}])
    # and the exemption reaches within_mm of the site, no further
    reach = next(e.within_mm for e in zone.exemptions if indication in e.indications)
    near = Position(where.view, where.x_mm + reach - Decimal("0.1"), where.y_mm)
    far = Position(where.view, where.x_mm + reach, where.y_mm)
    assert kb.exempt(zone, indication, near) is not None
    assert kb.exempt(zone, indication, far) is None


def test_exemptions_cite_their_sources(kb: KnowledgeBase) -> None:
    for zone in kb.danger_zones:
        for exemption in zone.exemptions:
            assert exemption.reason and exemption.citations, zone.id
            assert all(c in kb.citations for c in exemption.citations)


def test_message_says_where_and_why_in_words(kb: KnowledgeBase) -> None:
    found = with_code(findings(kb, request(shots=[shot("lateral_canthal_lines", "front", -31.4, 8)])), "DANGER_ZONE")
    message = found[0].message
    assert "free position for lateral canthal lines" in message
    assert "Upper eyelid over the levator palpebrae superioris', right side" in message
    assert "lateral_canthal_lines" not in message
