"""The stock page: vials and units on hand per product, open vials with units left and use-by
time, discarding a vial with a reason, and units used per month."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from toxplan.knowledge.base import KnowledgeBase


def test_stock_page_shows_units_on_hand_and_open_vials(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    seeding.record(factory, kb, seeded, now=now)  # 16 U from the open vial
    page = login("admin").get("/stock")
    assert page.status_code == 200
    row = re.search(r'<tr data-product="onabotulinumtoxina">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert cells[1].startswith("9")  # ten received, one made up
    assert "984 U" in cells[2]  # 9 unopened x 100 U + 84 U left in the open vial
    assert "84 U" in cells[3]
    assert seeded.expiring_lot_number in cells[4]
    vial = re.search(rf'<tr class="vial-open" data-vial="{seeded.reconstitution_id}">(.*?)</tr>', page.text, re.S)
    assert vial and "84 U" in vial.group(1) and "Discard" in vial.group(1)
    assert "Units used per month" in page.text


def test_discarding_needs_a_reason_and_takes_the_vial_out(login: Login, seeded: seeding.Seeded) -> None:
    injector = login("injector")
    injector.get("/stock")
    url = f"/stock/vials/{seeded.reconstitution_id}/discard"
    vague = injector.post(url, {"reason": "other"})
    assert vague.status_code == 422 and "say why the vial is discarded" in vague.text
    done = injector.post(url, {"reason": "end of clinic day"})
    assert done.status_code == 200 and "Vial discarded." in done.text
    assert f'class="vial-discarded" data-vial="{seeded.reconstitution_id}"' in done.text
    chart = injector.get(f"/patients/{seeded.patient_id}/plan")
    assert seeded.reconstitution_id not in chart.text  # no longer offered on the plan page


def test_a_new_lot_records_the_vials_received(login: Login, seeded: seeding.Seeded) -> None:
    admin = login("admin")
    admin.get("/lots")
    added = admin.post(
        "/lots",
        {
            "product": "onabotulinumtoxina",
            "lot_number": "NEW-42",
            "expiry_date": "2030-01-31",
            "vial_units": "100",
            "vials_received": "12",
        },
    )
    assert added.status_code == 200 and "12 received" in added.text
