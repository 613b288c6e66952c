"""Clinic policy: may make rules stricter, never looser than the label (on the tiny knowledge
base; moved from tests/rules so that a label edit cannot break it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.conftest import adult, coded, findings, request
from toxplan.errors import KnowledgeBaseError
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load_policy
from toxplan.knowledge.policy import Policy


def policy(tmp_path: Path, text: str, kb: KnowledgeBase) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return load_policy(path, kb)


def test_a_floor_raises_a_severity(tiny: KnowledgeBase, tmp_path: Path) -> None:
    floors = "name: Deferral\nseverity_floors:\n  - {code: DRUG_INTERACTION, severity: critical, reason: we defer}\n"
    clinic = policy(tmp_path, floors, tiny)
    arm = [{"indication": "arm_spasticity", "site": "biceps_left", "units": 50}]
    data = request(injections=arm, patient=adult(medications=["gentamicin"]))
    assert [f.severity for f in coded(findings(tiny, data), "DRUG_INTERACTION")] == ["warning"]
    assert [f.severity for f in coded(findings(tiny, data, policy=clinic), "DRUG_INTERACTION")] == ["critical"]


def test_an_interval_across_indications(tiny: KnowledgeBase, tmp_path: Path) -> None:
    text = """
name: Twelve weeks
intervals:
  - id: cosmetic_12_weeks
    categories: [aesthetic]
    minimum: {weeks: 12}
    across_indications: true
    reason: one cosmetic session per quarter
"""
    clinic = policy(tmp_path, text, tiny)
    history = [{"date": "2026-09-20", "product": "testtoxa", "indication": "brow_lines", "units": 8}]
    found = coded(findings(tiny, request(history=history), policy=clinic), "RETREATMENT_TOO_SOON")
    assert found and found[0].citations == ("policy:cosmetic_12_weeks",)
    assert not coded(findings(tiny, request(history=history)), "RETREATMENT_TOO_SOON")


def test_a_policy_may_not_lower_a_severity(tiny: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="may not lower"):
        policy(
            tmp_path,
            "name: Lax\nseverity_floors: [{code: CUMULATIVE_DOSE_ABOVE_MAX, severity: info, reason: r}]\n",
            tiny,
        )


def test_a_policy_may_not_shorten_a_label_interval(tiny: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="shorter than the label interval"):
        policy(
            tmp_path,
            "name: Quick\nintervals: [{id: q, categories: [aesthetic], minimum: {weeks: 8}, reason: r}]\n",
            tiny,
        )


def test_a_policy_may_not_raise_the_fixed_dose_factor(tiny: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="may only tighten it"):
        policy(tmp_path, "name: Loose\nfixed_dose_factor: 3\n", tiny)


def test_unknown_codes_and_keys_are_refused(tiny: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="unknown finding code"):
        policy(tmp_path, "name: X\nseverity_floors: [{code: NOPE, severity: critical, reason: r}]\n", tiny)
    with pytest.raises(KnowledgeBaseError, match="Extra inputs"):
        policy(tmp_path, "name: X\nloosen: everything\n", tiny)
