"""Unconfirmed label values: ToxPlan's defaults apply, visibly, never a silent pass."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.engine.conftest import NOON, coded, findings, past, request
from tests.fixtures.knowledge import tiny_variant
from toxplan.knowledge.base import KnowledgeBase


def made(hours: float) -> str:
    return (NOON - dt.timedelta(hours=hours)).isoformat()


@pytest.mark.parametrize(("product", "default"), [("testtoxa", False), ("testtoxb", True)])
def test_the_in_use_time_is_the_labels_or_the_default_24_hours(
    tiny: KnowledgeBase, product: str, default: bool
) -> None:
    late = coded(findings(tiny, request(product=product, reconstituted_at=made(24.1))), "RECONSTITUTED_VIAL_EXPIRED")
    assert [f.severity for f in late] == ["critical"]
    assert ("ToxPlan applies its default of 24 h" in late[0].message) is default
    fresh = findings(tiny, request(product=product, reconstituted_at=made(23.9)))
    assert not coded(fresh, "RECONSTITUTED_VIAL_EXPIRED")
    notices = [f for f in coded(fresh, "LABEL_VALUE_UNCONFIRMED") if f.subject.type == "vial"]
    assert bool(notices) is default


def test_a_missing_reconstitution_time_is_said(tiny: KnowledgeBase) -> None:
    (missing,) = [f for f in coded(findings(tiny, request(reconstituted_at=None)), "INPUT_MISSING")]
    assert missing.subject.type == "vial" and "24 h in-use limit" in missing.message


@pytest.mark.parametrize(("diluent", "code"), [(2.5, None), (3, "DILUTION_UNUSUAL")])
def test_a_confirmed_table_holds_the_dilution(tiny: KnowledgeBase, diluent: float, code: str | None) -> None:
    found = [f for f in findings(tiny, request(diluent_ml=diluent)) if f.subject.type == "dilution"]
    assert [f.code for f in found] == ([code] if code else [])


@pytest.mark.parametrize(("diluent", "code"), [(2.5, "LABEL_VALUE_UNCONFIRMED"), (0.4, "DILUTION_UNUSUAL")])
def test_without_a_table_the_class_band_holds_the_dilution(tiny: KnowledgeBase, diluent: float, code: str) -> None:
    # 100 U in 2.5 mL is 4 U per 0.1 mL, inside the band of 1-20; in 0.4 mL it is 25.
    found = [f for f in findings(tiny, request(product="testtoxb", diluent_ml=diluent)) if f.subject.type == "dilution"]
    assert [f.code for f in found] == [code]
    assert "ToxPlan's default accepts 1-20 U per 0.1 mL" in found[0].message


def test_without_a_label_interval_the_default_applies_and_says_so(tiny: KnowledgeBase) -> None:
    soon = coded(
        findings(tiny, request(product="testtoxb", history=[past("2026-10-01", "testtoxb")])), "RETREATMENT_TOO_SOON"
    )
    assert soon and "ToxPlan's default interval is 3 months" in soon[0].message
    later = findings(tiny, request(product="testtoxb", history=[past("2026-06-01", "testtoxb")]))
    assert [f for f in coded(later, "LABEL_VALUE_UNCONFIRMED") if f.subject.type == "indication"]


def test_removing_a_label_value_turns_on_the_default(tmp_path: Path) -> None:
    """The same product once its in-use time is taken out of the (copied) knowledge base."""
    edited = tiny_variant(tmp_path / "kb", {"products/testtoxa.yaml": lambda d: d.pop("in_use")})
    late = coded(findings(edited, request(reconstituted_at=made(24.1))), "RECONSTITUTED_VIAL_EXPIRED")
    assert late and "ToxPlan applies its default of 24 h" in late[0].message
