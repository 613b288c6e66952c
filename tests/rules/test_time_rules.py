"""Time rules: retreatment interval, other toxins, in-use time of the reconstituted vial."""

from __future__ import annotations

import datetime as dt

from tests.conftest import findings, request, with_code
from tests.rules.test_dose_rules import cited
from toxplan.knowledge.base import KnowledgeBase


def past(
    date: str, product: str = "botox", indication: str = "glabellar_lines", units: float = 20
) -> dict[str, object]:
    return {"date": date, "product": product, "indication": indication, "units": units}


class TestRetreatmentTooSoon:
    def test_fires_inside_the_3_month_interval(self, kb: KnowledgeBase) -> None:
        found = with_code(findings(kb, request(history=[past("2026-10-01")])), "RETREATMENT_TOO_SOON")
        assert found and "55 days" in found[0].message and "3 months" in found[0].message
        cited(kb, found)

    def test_quiet_after_the_interval(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request(history=[past("2026-08-25")])), "RETREATMENT_TOO_SOON")

    def test_exactly_three_months_is_allowed(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request(history=[past("2026-08-25")])), "RETREATMENT_TOO_SOON")
        assert with_code(findings(kb, request(history=[past("2026-08-26")])), "RETREATMENT_TOO_SOON")


class TestOtherToxinRecent:
    def test_fires_for_a_different_product_within_4_months(self, kb: KnowledgeBase) -> None:
        history = [past("2026-09-01", product="Dysport", units=50)]
        found = with_code(findings(kb, request(history=history)), "OTHER_TOXIN_RECENT")
        assert found and "Dysport" in found[0].message
        cited(kb, found)

    def test_quiet_for_the_same_product_or_after_4_months(self, kb: KnowledgeBase) -> None:
        assert not with_code(findings(kb, request(history=[past("2026-09-01")])), "OTHER_TOXIN_RECENT")
        old = [past("2026-07-20", product="xeomin")]
        assert not with_code(findings(kb, request(history=old)), "OTHER_TOXIN_RECENT")


class TestReconstitutedVialExpired:
    def test_fires_after_24_hours(self, kb: KnowledgeBase) -> None:
        data = request(reconstituted_at="2026-11-24T08:00:00")
        found = with_code(findings(kb, data), "RECONSTITUTED_VIAL_EXPIRED")
        assert found and found[0].severity == "critical" and "28 h before" in found[0].message
        cited(kb, found)

    def test_quiet_within_24_hours(self, kb: KnowledgeBase) -> None:
        data = request(reconstituted_at="2026-11-24T13:00:00")
        assert not with_code(findings(kb, data, at=dt.datetime(2026, 11, 25, 12)), "RECONSTITUTED_VIAL_EXPIRED")

    def test_an_unconfirmed_in_use_time_falls_back_to_the_class_default_loudly(self, kb: KnowledgeBase) -> None:
        # Dysport's US in-use time is unconfirmed: a 5-day-old vial used to pass with a notice.
        data = request(
            product="dysport",
            vial_units=300,
            diluent_ml=2.5,
            reconstituted_at="2026-11-20T08:00:00",
            shots=[{"indication": "glabellar_lines", "site": "procerus", "units": 10}],
        )
        found = with_code(findings(kb, data), "RECONSTITUTED_VIAL_EXPIRED")
        assert [f.severity for f in found] == ["critical"]
        assert "Dysport" in found[0].message and "ToxPlan" in found[0].message and "24 h" in found[0].message
        cited(kb, found)

    def test_within_the_default_it_still_says_the_label_value_is_unconfirmed(self, kb: KnowledgeBase) -> None:
        data = request(
            product="dysport",
            vial_units=300,
            diluent_ml=2.5,
            reconstituted_at="2026-11-24T12:30:00",
            shots=[{"indication": "glabellar_lines", "site": "procerus", "units": 10}],
        )
        found = findings(kb, data)  # checked at noon the next day: 23.5 h
        assert not with_code(found, "RECONSTITUTED_VIAL_EXPIRED")
        notices = [f for f in with_code(found, "LABEL_VALUE_UNCONFIRMED") if f.subject.type == "vial"]
        assert notices and "unconfirmed" in notices[0].message


class TestTimeZones:
    def test_aware_times_are_compared_as_moments(self, kb: KnowledgeBase) -> None:
        paris = dt.timezone(dt.timedelta(hours=1))
        data = request(reconstituted_at="2026-11-24T13:30:00+01:00")  # 12:30 UTC the day before
        at = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # 23.5 h later
        assert not with_code(findings(kb, data, at=at), "RECONSTITUTED_VIAL_EXPIRED")
        late = dt.datetime(2026, 11, 25, 13, 0, tzinfo=paris)  # the same moment written in +01:00
        assert not with_code(findings(kb, data, at=late), "RECONSTITUTED_VIAL_EXPIRED")
        later = dt.datetime(2026, 11, 25, 14, 0, tzinfo=paris)  # 13:00 UTC: 24.5 h
        assert with_code(findings(kb, data, at=later), "RECONSTITUTED_VIAL_EXPIRED")

    def test_a_time_without_zone_is_read_in_the_clocks_zone(self, kb: KnowledgeBase) -> None:
        local = dt.timezone(dt.timedelta(hours=-5))
        data = request(reconstituted_at="2026-11-24T13:00:00")  # local wall time of the clock
        at = dt.datetime(2026, 11, 25, 12, 0, tzinfo=local)  # 23 h later on the same wall clock
        assert not with_code(findings(kb, data, at=at), "RECONSTITUTED_VIAL_EXPIRED")
