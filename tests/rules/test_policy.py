"""Clinic policy: may make rules stricter, never looser than the label."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import findings, healthy_adult, request, with_code
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load_policy


def policy(tmp_path: Path, text: str, kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return load_policy(path, kb)


def test_policy_can_make_pregnancy_critical(kb: KnowledgeBase, tmp_path: Path) -> None:
    clinic = policy(
        tmp_path,
        """
name: Deferral clinic
severity_floors:
  - {code: PREGNANCY_OR_LACTATION, severity: critical, reason: we never treat in pregnancy}
""",
        kb,
    )
    found = with_code(
        findings(kb, request(patient=healthy_adult(pregnant=True)), policy=clinic), "PREGNANCY_OR_LACTATION"
    )
    assert found[0].severity == "critical"


def test_policy_can_require_12_weeks_between_cosmetic_sessions(kb: KnowledgeBase, tmp_path: Path) -> None:
    clinic = policy(
        tmp_path,
        """
name: Twelve weeks
intervals:
  - id: cosmetic_12_weeks
    categories: [aesthetic]
    minimum: {weeks: 12}
    across_indications: true
    reason: one cosmetic session per quarter
""",
        kb,
    )
    history = [{"date": "2026-09-20", "product": "botox", "indication": "lateral_canthal_lines", "units": 24}]
    found = with_code(findings(kb, request(history=history), policy=clinic), "RETREATMENT_TOO_SOON")
    assert found and found[0].citations == ("policy:cosmetic_12_weeks",)
    assert not with_code(findings(kb, request(history=history)), "RETREATMENT_TOO_SOON")


def test_policy_may_not_lower_a_severity(kb: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="may not lower"):
        policy(
            tmp_path,
            """
name: Lax
severity_floors:
  - {code: CUMULATIVE_DOSE_ABOVE_MAX, severity: info, reason: too strict}
""",
            kb,
        )


def test_policy_may_not_shorten_a_label_interval(kb: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="shorter than the label interval"):
        policy(
            tmp_path,
            """
name: Quick
intervals:
  - {id: quick, categories: [aesthetic], minimum: {weeks: 8}, reason: touch-ups}
""",
            kb,
        )


def test_policy_with_an_unknown_code_or_key_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="unknown finding code"):
        policy(tmp_path, "name: X\nseverity_floors: [{code: NOPE, severity: critical, reason: r}]\n", kb)
    with pytest.raises(KnowledgeBaseError, match="Extra inputs"):
        policy(tmp_path, "name: X\nloosen: everything\n", kb)
