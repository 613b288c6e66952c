"""Vials: made up once, shared by the day's patients, each treatment drawing its units; topped up
from a new vial of the same lot when it runs short; discarded with a reason; never more vials
opened than a counted lot received. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import NOW, ClinicSetup, treatment_data
from toxplan.db.engine import unit_of_work
from toxplan.db.repositories import inventory as vial_repo
from toxplan.errors import Conflict, InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import inventory, treatments


def sign(factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup, **changes: object) -> str:
    data = treatment_data(clinic)
    data.update(changes)
    with unit_of_work(factory) as session:
        return treatments.record_treatment(session, clinic.injector, data, kb=kb, now=NOW).treatment.id


def open_vials(factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup) -> list[inventory.VialView]:
    with unit_of_work(factory) as session:
        return inventory.open_vials(session, clinic.injector, kb=kb, now=NOW)


def test_each_treatment_draws_from_the_shared_vial(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    sign(factory, kb, clinic)  # 20 U of glabellar lines
    sign(factory, kb, clinic, injections=[{"indication": "glabellar_lines", "site": "procerus", "units": 6}])
    (vial,) = open_vials(factory, kb, clinic)
    assert vial.vial.id == clinic.reconstitution_id
    assert vial.units_left == Decimal(74)
    assert vial.use_by == vial.vial.reconstituted_at + dt.timedelta(hours=24) and vial.use_by_known


def test_a_vial_too_small_for_the_plan_is_topped_up_from_a_new_vial_of_the_lot(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    sign(
        factory,
        kb,
        clinic,
        injections=[{"indication": "cervical_dystonia", "site": "splenius_capitis_left", "units": 90}],
    )
    treatment_id = sign(
        factory,
        kb,
        clinic,
        injections=[{"indication": "cervical_dystonia", "site": "splenius_capitis_right", "units": 30}],
    )
    with factory() as session:
        draws = vial_repo.draws_of(session, treatment_id)
    assert sorted(d.units for d in draws) == [Decimal(10), Decimal(20)]
    left = {v.vial.id: v.units_left for v in open_vials(factory, kb, clinic)}
    assert clinic.reconstitution_id not in left  # emptied
    assert list(left.values()) == [Decimal(80)]  # the new vial, made up the same way


def test_a_new_vial_is_recorded_at_signing_with_its_time(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    data = treatment_data(clinic)
    data.pop("reconstitution_id")
    data["diluent_ml"] = Decimal("2.5")
    with unit_of_work(factory) as session:
        done = treatments.record_treatment(session, clinic.injector, data, kb=kb, now=NOW)
        assert done.treatment.reconstitution_id is not None
        assert not [f for f in done.findings if "reconstitution time" in f.message]
    opened = {v.vial.id: v for v in open_vials(factory, kb, clinic)}
    assert opened[done.treatment.reconstitution_id].units_left == Decimal(80)
    assert opened[done.treatment.reconstitution_id].vial.reconstituted_at == NOW


def test_a_counted_lot_never_opens_more_vials_than_it_received(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    with unit_of_work(factory) as session:
        lot = inventory.add_lot(
            session,
            clinic.injector,
            {
                "product": "botox",
                "lot_number": "TWO-1",
                "expiry_date": "2027-06-30",
                "vial_units": 100,
                "vials_received": 1,
            },
            kb=kb,
        )
        lot_id = lot.id
    made = {"lot_id": lot_id, "diluent_ml": Decimal("2.5"), "reconstituted_at": NOW - dt.timedelta(hours=1)}
    with unit_of_work(factory) as session:
        inventory.reconstitute(session, clinic.injector, made, now=NOW)
    with (
        pytest.raises(Conflict, match=r"0 unopened vial\(s\) left \(1 received, 1 opened\)"),
        unit_of_work(factory) as session,
    ):
        inventory.reconstitute(session, clinic.injector, made, now=NOW)
    data = treatment_data(clinic)
    data.update(lot_id=lot_id, diluent_ml=Decimal("2.5"))
    data.pop("reconstitution_id")
    with pytest.raises(Conflict) as refused, unit_of_work(factory) as session:
        treatments.record_treatment(session, clinic.injector, data, kb=kb, now=NOW)
    assert refused.value.field == "lot_id"


def test_a_discarded_vial_is_no_longer_offered_nor_signed_against(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    with pytest.raises(InvalidInput) as vague, unit_of_work(factory) as session:
        inventory.discard(session, clinic.injector, clinic.reconstitution_id, {"reason": "other"}, now=NOW)
    assert vague.value.field == "note"
    with unit_of_work(factory) as session:
        inventory.discard(
            session, clinic.injector, clinic.reconstitution_id, {"reason": "contaminated or dropped"}, now=NOW
        )
    assert open_vials(factory, kb, clinic) == []
    with unit_of_work(factory) as session:
        (seen,) = inventory.recent_vials(session, clinic.admin, kb=kb, now=NOW)
    assert seen.status == "discarded" and seen.vial.discard_reason == "contaminated or dropped"
    with pytest.raises(Conflict, match="discarded"):
        sign(factory, kb, clinic)


def test_a_vial_past_its_in_use_time_is_not_open(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    with unit_of_work(factory) as session:
        later = inventory.open_vials(session, clinic.injector, kb=kb, now=NOW + dt.timedelta(hours=23))
        too_late = inventory.recent_vials(session, clinic.injector, kb=kb, now=NOW + dt.timedelta(hours=23))
    assert later == [] and [v.status for v in too_late] == ["expired"]  # made up 2 h before NOW, 24 h in use


def test_a_product_without_a_known_in_use_time_gets_the_shortest_known(kb: KnowledgeBase) -> None:
    assert inventory.in_use_hours(kb, "abobotulinumtoxina") == (Decimal(24), False)
    assert inventory.in_use_hours(kb, "daxibotulinumtoxina") == (Decimal(72), True)


def test_stock_counts_vials_and_units_on_hand(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    with unit_of_work(factory) as session:
        inventory.add_lot(
            session,
            clinic.injector,
            {
                "product": "botox",
                "lot_number": "TEN-1",
                "expiry_date": "2027-01-10",
                "vial_units": 100,
                "vials_received": 10,
            },
            kb=kb,
        )
    sign(factory, kb, clinic)
    with unit_of_work(factory) as session:
        (botox,) = inventory.stock(session, clinic.admin, kb=kb, now=NOW)
    assert botox.unopened_vials == 10 and botox.uncounted_lots == 1  # the fixture's lot was not counted
    assert botox.open_vials == 1 and botox.open_units == Decimal(80)
    assert botox.unopened_units + botox.open_units == Decimal(1080)
    assert botox.used_by_month[NOW.strftime("%Y-%m")] == Decimal(20)
