"""The follow-up worklist: overdue and due this week with the patient's phone, the outcome
entered in place, no-shows and rebooking; the front desk sees it without clinical detail."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from toxplan.db.repositories import treatments as repo
from toxplan.knowledge.base import KnowledgeBase


@pytest.fixture
def follow_ups(
    seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> dict[str, str]:
    """One review three weeks overdue, one due in three days, one not due for two weeks."""
    found = {}
    for name, days in (("overdue", 35), ("soon", 11), ("later", 0)):
        treatment_id = seeding.record(factory, kb, seeded, now=now, visit_at=now - dt.timedelta(days=days))
        with factory() as session:
            (follow_up,) = repo.follow_ups(session, [treatment_id])
        found[name] = follow_up.id
    return found


def item(page: str, follow_up_id: str) -> str:
    found = re.search(rf'<li class="worklist-item" data-follow-up="{follow_up_id}">(.*?)</li>', page, re.S)
    assert found, follow_up_id
    return found.group(1)


def test_the_worklist_shows_overdue_and_due_with_phone(login: Login, follow_ups: dict[str, str]) -> None:
    page = login("injector").get("/follow-ups").text
    overdue = page.split('id="overdue"', 1)[1].split("</ol>", 1)[0]
    due = page.split('id="due"', 1)[1].split("</ol>", 1)[0]
    assert follow_ups["overdue"] in overdue and follow_ups["soon"] in due
    assert follow_ups["later"] not in page
    assert "21 days overdue" in item(page, follow_ups["overdue"])
    assert "Enter outcome" in item(page, follow_ups["overdue"]) and "/treatments/" in item(page, follow_ups["overdue"])


def test_outcome_entered_in_place_and_no_show_close_the_follow_up(
    login: Login, follow_ups: dict[str, str], factory: sessionmaker[Session], now: dt.datetime
) -> None:
    injector = login("injector")
    page = injector.get("/follow-ups")
    treatment_id = re.search(r'name="treatment_id" value="([^"]+)"', item(page.text, follow_ups["overdue"]))
    assert treatment_id
    saved = injector.post(
        f"/follow-ups/{follow_ups['overdue']}",
        {
            "reviewed_on": now.date().isoformat(),
            "fws_max": "1",
            "satisfaction": "5",
            "next": "/follow-ups?reviewed=1",
            "treatment_id": treatment_id.group(1),
        },
    )
    assert saved.url.path == "/follow-ups" and "Outcome saved." in saved.text
    assert follow_ups["overdue"] not in saved.text
    early = injector.post(f"/follow-ups/{follow_ups['soon']}/no-show")
    assert early.status_code == 422 and "not due until" in early.text


def test_the_front_desk_books_and_marks_no_shows_without_clinical_detail(
    login: Login, follow_ups: dict[str, str], now: dt.datetime
) -> None:
    desk = login("front_desk")
    page = desk.get("/follow-ups")
    assert page.status_code == 200
    row = item(page.text, follow_ups["overdue"])
    assert "/treatments/" not in row and "Enter outcome" not in row and " U" not in row
    assert "/details" in row
    gone = desk.post(f"/follow-ups/{follow_ups['overdue']}/no-show")
    assert "Marked as no show." in gone.text and follow_ups["overdue"] not in gone.text
    later = (now.date() + dt.timedelta(days=20)).isoformat()
    moved = desk.post(f"/follow-ups/{follow_ups['soon']}/reschedule", {"due_on": later})
    assert "Follow-up rebooked." in moved.text and follow_ups["soon"] not in moved.text  # beyond this week
    past = desk.post(f"/follow-ups/{follow_ups['soon']}/reschedule", {"due_on": "2001-01-01"})
    assert past.status_code == 422 and "give a day from today" in past.text
