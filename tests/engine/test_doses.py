"""Dose limits at their boundaries: per site, fixed-dose factor, session, per side, site count."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.conftest import FROWN, coded, findings, request, shots
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load_policy


def arm(*doses: tuple[str, float]) -> list[dict[str, object]]:
    return shots("arm_spasticity", list(doses))


@pytest.mark.parametrize(("units", "fires"), [(50, False), (50.001, True)])
def test_a_per_site_maximum(tiny: KnowledgeBase, units: float, fires: bool) -> None:
    found = coded(findings(tiny, request(injections=arm(("biceps_left", units)))), "SITE_DOSE_ABOVE_MAX")
    assert bool(found) is fires
    if fires:
        assert found[0].severity == "critical" and found[0].subject.row == 0


@pytest.mark.parametrize(("units", "code"), [(8, "DOSE_ABOVE_LABEL"), (8.001, "SITE_DOSE_ABOVE_MAX")])
def test_twice_a_fixed_dose_per_site_is_the_critical_line(tiny: KnowledgeBase, units: float, code: str) -> None:
    plan = shots("frown_lines", [(s, units if s == "glabella_point" else 4) for s, _ in FROWN])
    per_site = [f for f in findings(tiny, request(injections=plan)) if f.subject.type == "injection"]
    assert [f.code for f in per_site] == [code]


def test_a_clinic_may_lower_the_factor(tiny: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("name: Strict\nfixed_dose_factor: 1.5\n")
    plan = shots("frown_lines", [(s, 6.001 if s == "glabella_point" else 4) for s, _ in FROWN])
    found = findings(tiny, request(injections=plan), policy=load_policy(path, tiny))
    assert coded(found, "SITE_DOSE_ABOVE_MAX")


@pytest.mark.parametrize(("extra", "fires"), [(None, False), (0.001, True)])
def test_a_session_maximum(tiny: KnowledgeBase, extra: float | None, fires: bool) -> None:
    plan = arm(("biceps_left", 50), ("biceps_left", 50), ("biceps_right", 50), ("biceps_right", 50))  # 200 U
    if extra is not None:
        plan += arm(("biceps_right", extra))
    found = coded(findings(tiny, request(injections=plan)), "SESSION_DOSE_ABOVE_MAX")
    assert bool(found) is fires
    if fires:
        assert found[0].severity == "critical" and "200 U" in found[0].message


def test_a_per_side_maximum_counts_each_side_alone(tiny: KnowledgeBase) -> None:
    one_side = arm(*[("biceps_left", 50)] * 3, ("biceps_left", 1))  # 151 U in the left limb
    (found,) = coded(findings(tiny, request(injections=one_side)), "SESSION_DOSE_ABOVE_MAX")
    assert "151 U in the left limb" in found.message
    spread = arm(*[("biceps_left", 50)] * 2, *[("biceps_right", 50)] * 2)  # 100 U a side
    assert not coded(findings(tiny, request(injections=spread)), "SESSION_DOSE_ABOVE_MAX")


@pytest.mark.parametrize(("count", "severity"), [(6, "warning"), (4, "info")])
def test_more_or_fewer_sites_than_the_pattern(tiny: KnowledgeBase, count: int, severity: str) -> None:
    plan = shots("frown_lines", [("glabella_point", 4)] * count)
    found = coded(findings(tiny, request(injections=plan)), "SITE_COUNT_OUTSIDE_LABEL")
    assert [f.severity for f in found] == [severity]
