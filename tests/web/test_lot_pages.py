"""Lots with expiry warnings, adding lots, reconstituting vials and lot recall."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from toxplan.db.models import Reconstitution
from toxplan.knowledge.base import KnowledgeBase


def row(page: str, lot_number: str) -> str:
    found = re.search(rf'<tr class="lot-(\w+)">(?:(?!</tr>).)*{lot_number}(?:(?!</tr>).)*</tr>', page, re.S)
    assert found, lot_number
    return found.group(0)


def test_lots_page_marks_expired_and_soon_expiring_lots(login: Login, seeded: seeding.Seeded) -> None:
    page = login("admin").get("/lots").text
    assert 'class="lot-expired"' in row(page, seeded.expired_lot_number) and ">expired<" in page
    assert "expires in 12 days" in row(page, seeded.expiring_lot_number)
    good = row(page, seeded.lot_number)
    assert 'class="lot-ok"' in good and "badge" not in good and "2.5 mL" in good
    assert "BOTOX" in good
    # expired lots cannot be reconstituted
    options = re.search(r'<select name="lot_id".*?</select>', page, re.S)
    assert options and seeded.expired_lot_number not in options.group(0) and seeded.lot_number in options.group(0)


def test_add_lot_and_its_refusals(login: Login) -> None:
    injector = login("injector")
    injector.get("/lots")
    lot = {"product": "incobotulinumtoxina", "lot_number": "X-1", "expiry_date": "2031-01-31", "vial_units": "100"}
    page = injector.post("/lots", lot)
    assert page.url.path == "/lots" and "Lot added." in page.text and "X-1" in page.text
    duplicate = injector.post("/lots", lot)
    assert duplicate.status_code == 409 and "already recorded" in duplicate.text
    odd = injector.post("/lots", {**lot, "lot_number": "X-2", "vial_units": "75"})
    assert odd.status_code == 422 and "comes in 50, 100, 200 U vials" in odd.text
    assert 'value="X-2"' in odd.text  # kept for correction


def test_reconstitution_is_read_in_the_browsers_time_zone(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], now: dt.datetime
) -> None:
    injector = login("injector")
    injector.get("/lots")
    local = (now + dt.timedelta(hours=2) - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")  # UTC+2
    page = injector.post(
        "/lots/reconstitutions",
        {"lot_id": seeded.lot_id, "diluent_ml": "1", "reconstituted_at": local, "tz_offset": "-120"},
    )
    assert "Reconstitution recorded." in page.text
    with factory() as session:
        made = session.scalars(select(Reconstitution).where(Reconstitution.diluent_ml == 1)).one()
    assert abs(made.reconstituted_at - (now - dt.timedelta(minutes=30))) < dt.timedelta(minutes=1)
    later = (now + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    refused = injector.post(
        "/lots/reconstitutions", {"lot_id": seeded.lot_id, "diluent_ml": "1", "reconstituted_at": later}
    )
    assert refused.status_code == 422 and "is in the future" in refused.text


def test_recall_lists_the_patients_who_received_a_lot(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    treatment_id = seeding.record(factory, kb, seeded, now=now)
    director = login("medical_director")
    page = director.get(f"/lots/recall?lot_number={seeded.lot_number}")
    assert "1</strong> treatment used lot" in page.text
    assert f'href="/patients/{seeded.patient_id}">Silva, Ana</a>' in page.text
    assert f'href="/treatments/{treatment_id}"' in page.text
    assert "No treatment used a lot matching “NOPE”" in director.get("/lots/recall?lot_number=NOPE").text
    assert login("front_desk").get("/lots/recall?lot_number=NOPE").status_code == 403
