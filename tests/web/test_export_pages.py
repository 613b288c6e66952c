"""The treatment page links its printed record and aftercare sheet; the exports page downloads
CSV; the front desk gets neither."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from toxplan.db.models import AuditEvent
from toxplan.knowledge.base import KnowledgeBase


def test_the_treatment_page_links_both_documents_and_they_are_pdfs(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    treatment_id = seeding.record(factory, kb, seeded, now=now)
    browser = login("injector")
    page = browser.get(f"/treatments/{treatment_id}")
    for link, name in (("record.pdf", "Print record"), ("aftercare.pdf", "Aftercare sheet")):
        assert f'href="/treatments/{treatment_id}/{link}"' in page.text and name in page.text
        response = browser.get(f"/treatments/{treatment_id}/{link}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    desk = login("front_desk")
    assert desk.get(f"/treatments/{treatment_id}/record.pdf").status_code == 403


def test_the_exports_page_downloads_csv_and_audits_it(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    seeding.record(factory, kb, seeded, now=now)
    browser = login("admin")
    form = browser.get("/exports")
    assert form.status_code == 200 and 'name="kind"' in form.text and "Follow-up outcomes" in form.text
    day = now.date().isoformat()
    response = browser.get(f"/exports?kind=treatments&from={day}&to={day}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 4 and {r["site"] for r in rows} == set(seeding.GLABELLAR)
    bad = browser.get(f"/exports?kind=treatments&from=yesterday&to={day}")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    with factory() as session:
        logged = session.scalars(select(AuditEvent).where(AuditEvent.entity == "csv_treatments")).all()
    assert logged and logged[-1].action == "export"
    assert login("front_desk").get(f"/exports?kind=treatments&from={day}&to={day}").status_code == 403
