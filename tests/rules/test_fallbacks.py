"""Unconfirmed label values fall back to ToxPlan's cautious defaults, loudly, never a pass."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import findings, request, with_code
from toxplan.domain.safety.findings import Finding
from toxplan.knowledge.base import KnowledgeBase


def cited(kb: KnowledgeBase, found: list[Finding]) -> None:
    assert found
    for finding in found:
        assert finding.citations and all(c in kb.citations for c in finding.citations)


IN_USE = [  # product, vial, diluent, indication, site, units, label hours (None: default)
    ("onabotulinumtoxina", 100, 2.5, "glabellar_lines", "procerus", 4, 24),
    ("abobotulinumtoxina", 300, 2.5, "glabellar_lines", "procerus", 10, None),
    ("incobotulinumtoxina", 100, 2.5, "glabellar_lines", "procerus", 4, 24),
    ("prabotulinumtoxina", 100, 2.5, "glabellar_lines", "procerus", 4, 24),
    ("daxibotulinumtoxina", 100, 1.25, "glabellar_lines", "procerus", 8, 72),
    ("letibotulinumtoxina", 100, 2.5, "glabellar_lines", "procerus", 4, 24),
]


@pytest.mark.parametrize("row", IN_USE, ids=[r[0] for r in IN_USE])
class TestInUseEveryProduct:
    def shot(self, row: tuple, made: str) -> dict[str, object]:  # type: ignore[type-arg]
        product, vial, diluent, indication, site, units, _ = row
        shots = [{"indication": indication, "site": site, "units": units}]
        return request(product=product, shots=shots, vial_units=vial, diluent_ml=diluent, reconstituted_at=made)

    def hours(self, row: tuple) -> int:  # type: ignore[type-arg]
        return row[6] or 24

    def test_just_over_the_limit_is_critical(self, kb: KnowledgeBase, row: tuple) -> None:  # type: ignore[type-arg]
        at = dt.datetime(2026, 11, 25, 12)
        made = (at - dt.timedelta(hours=self.hours(row), minutes=6)).isoformat()
        found = with_code(findings(kb, self.shot(row, made), at=at), "RECONSTITUTED_VIAL_EXPIRED")
        assert [f.severity for f in found] == ["critical"]
        assert ("ToxPlan" in found[0].message) == (row[6] is None)
        cited(kb, found)

    def test_just_under_the_limit_is_not_expired(self, kb: KnowledgeBase, row: tuple) -> None:  # type: ignore[type-arg]
        at = dt.datetime(2026, 11, 25, 12)
        made = (at - dt.timedelta(hours=self.hours(row), minutes=-6)).isoformat()
        found = findings(kb, self.shot(row, made), at=at)
        assert not with_code(found, "RECONSTITUTED_VIAL_EXPIRED")
        notices = [f for f in with_code(found, "LABEL_VALUE_UNCONFIRMED") if f.subject.type == "vial"]
        assert bool(notices) == (row[6] is None)


def cd_history(days_ago: int, product: str = "xeomin") -> list[dict[str, object]]:
    day = dt.date(2026, 11, 25) - dt.timedelta(days=days_ago)
    return [{"date": day.isoformat(), "product": product, "indication": "cervical_dystonia", "units": 120}]


CD_SHOTS = [{"indication": "cervical_dystonia", "site": "trapezius_1_left", "units": 60}] * 2


class TestIntervalDefault:
    def test_xeomin_cervical_dystonia_24_days_after_the_last_course(self, kb: KnowledgeBase) -> None:
        found = with_code(
            findings(kb, request(product="xeomin", shots=CD_SHOTS, history=cd_history(24))), "RETREATMENT_TOO_SOON"
        )
        assert [f.severity for f in found] == ["warning"]
        assert "ToxPlan's default interval is 12 weeks" in found[0].message and "cervical dystonia" in found[0].message
        cited(kb, found)

    @pytest.mark.parametrize(("days", "too_soon"), [(83, True), (84, False)])
    def test_boundary_of_the_12_week_default(self, kb: KnowledgeBase, days: int, too_soon: bool) -> None:
        found = findings(kb, request(product="xeomin", shots=CD_SHOTS, history=cd_history(days)))
        assert bool(with_code(found, "RETREATMENT_TOO_SOON")) == too_soon
        if not too_soon:
            assert [f for f in with_code(found, "LABEL_VALUE_UNCONFIRMED") if f.subject.type == "indication"]

    def test_daxxify_cervical_dystonia_gets_the_default_too(self, kb: KnowledgeBase) -> None:
        shots = [{"indication": "cervical_dystonia", "site": "trapezius_1_left", "units": 50}] * 3
        data = request(
            product="daxxify", shots=shots, history=cd_history(30, "daxxify"), vial_units=100, diluent_ml=1.25
        )
        assert with_code(findings(kb, data), "RETREATMENT_TOO_SOON")

    def test_a_label_interval_is_used_as_the_label_says(self, kb: KnowledgeBase) -> None:
        history = [{"date": "2026-10-01", "product": "botox", "indication": "glabellar_lines", "units": 20}]
        found = with_code(findings(kb, request(history=history)), "RETREATMENT_TOO_SOON")
        assert found and "the label interval" in found[0].message


XEOMIN_GL = [{"indication": "glabellar_lines", "site": "procerus", "units": 4}]


class TestDilutionFallback:
    @pytest.mark.parametrize("diluent", [0.5, 2.5, 5.0])  # 20, 4, 2 U per 0.1 mL: inside the band
    def test_xeomin_inside_the_class_band_is_unverified_not_unusual(self, kb: KnowledgeBase, diluent: float) -> None:
        found = findings(kb, request(product="xeomin", shots=XEOMIN_GL, vial_units=100, diluent_ml=diluent))
        assert not with_code(found, "DILUTION_UNUSUAL")
        notices = [f for f in with_code(found, "LABEL_VALUE_UNCONFIRMED") if f.subject.type == "dilution"]
        assert notices and "unconfirmed" in notices[0].message
        cited(kb, notices)

    @pytest.mark.parametrize("diluent", [0.4, 12.0])  # 25 and 0.83 U per 0.1 mL: outside
    def test_xeomin_outside_the_class_band_is_unusual(self, kb: KnowledgeBase, diluent: float) -> None:
        found = with_code(
            findings(kb, request(product="xeomin", shots=XEOMIN_GL, vial_units=100, diluent_ml=diluent)),
            "DILUTION_UNUSUAL",
        )
        assert [f.severity for f in found] == ["warning"] and "outside" in found[0].message
        cited(kb, found)

    def test_letybo_has_only_the_label_concentration(self, kb: KnowledgeBase) -> None:
        shots = [{"indication": "glabellar_lines", "site": "procerus", "units": 4}]
        assert not with_code(
            findings(kb, request(product="letybo", shots=shots, vial_units=100, diluent_ml=2.5)), "DILUTION_UNUSUAL"
        )
        assert not with_code(
            findings(kb, request(product="letybo", shots=shots, vial_units=50, diluent_ml=1.25)), "DILUTION_UNUSUAL"
        )
        assert with_code(
            findings(kb, request(product="letybo", shots=shots, vial_units=100, diluent_ml=2)), "DILUTION_UNUSUAL"
        )

    def test_daxxify_label_concentration_passes_and_others_are_unverified(self, kb: KnowledgeBase) -> None:
        shots = [{"indication": "glabellar_lines", "site": "procerus", "units": 8}]
        quiet = findings(kb, request(product="daxxify", shots=shots, vial_units=100, diluent_ml=1.25))
        assert not with_code(quiet, "DILUTION_UNUSUAL")
        assert not [f for f in with_code(quiet, "LABEL_VALUE_UNCONFIRMED") if f.subject.type == "dilution"]
        other = findings(kb, request(product="daxxify", shots=shots, vial_units=100, diluent_ml=2))
        assert [f for f in with_code(other, "LABEL_VALUE_UNCONFIRMED") if f.subject.type == "dilution"]

    def test_botox_100_unit_table_is_complete_and_the_200_unit_one_is_not(self, kb: KnowledgeBase) -> None:
        assert with_code(findings(kb, request(vial_units=100, diluent_ml=3)), "DILUTION_UNUSUAL")
        found = findings(kb, request(vial_units=200, diluent_ml=2))
        assert not with_code(found, "DILUTION_UNUSUAL")
        assert [f for f in with_code(found, "LABEL_VALUE_UNCONFIRMED") if f.subject.type == "dilution"]
