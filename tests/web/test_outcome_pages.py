"""The safety report page with its charts and CSV files, and the advice on the planning page:
what they show, who may see them, and that each read is audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from tests.web.seed_outcomes import OutcomeRecords, seed_outcomes
from tests.web.test_chart_page import chart_data
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AuditEvent
from toxplan.db.repositories import clinics as clinic_repo
from toxplan.knowledge.base import KnowledgeBase
from toxplan.outcome_views import DURATION_COLUMNS, RATE_COLUMNS
from toxplan.services import clinics, safety_report
from toxplan.services.demo import seed_demo


@pytest.fixture
def records(
    factory: sessionmaker[Session], kb: KnowledgeBase, seeded: seeding.Seeded, now: dt.datetime
) -> OutcomeRecords:
    return seed_outcomes(factory, kb, seeded, now=now)


def audit(factory: sessionmaker[Session], entity: str) -> list[tuple[str, str | None]]:
    with unit_of_work(factory) as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.at)).all()
        return [(r.action, r.detail) for r in rows]


def test_the_report_shows_rates_intervals_labels_and_the_flag(
    login: Login, records: OutcomeRecords, factory: sessionmaker[Session]
) -> None:
    page = login("medical_director").get("/reports/safety")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert f"<strong>{records.treatments}</strong> treatments from" in text
    assert (
        "Eyelid ptosis after glabellar lines with BOTOX: 33.3 % (4 of 12; 95 % interval 13.8 % to 60.9 %) "
        "against 3 % on the label." in text
    )
    assert 'src="/reports/safety/rates.svg?from=' in text and 'href="/reports/safety/rates.csv?from=' in text
    assert "Off-label use: no label reports a rate." in text  # the chin courses
    assert "How the rates are counted and what a flag means" in text
    assert audit(factory, "safety_report")[0][0] == "read"


def test_the_report_for_an_admin_and_a_chosen_period(login: Login, records: OutcomeRecords, now: dt.datetime) -> None:
    browser = login("admin")
    day = now.date()
    quiet = browser.get(f"/reports/safety?from={day - dt.timedelta(days=30)}&to={day}")
    assert quiet.status_code == 200 and "<strong>0</strong> treatments" in quiet.text
    assert "No rate is clearly above the label" in quiet.text
    wrong = browser.get(f"/reports/safety?from={day}&to={day - dt.timedelta(days=1)}")
    assert wrong.status_code in (400, 422) and "before it starts" in wrong.text
    bad = browser.get("/reports/safety?from=yesterday")
    assert bad.status_code in (400, 422) and "is not a date" in bad.text


@pytest.mark.parametrize("role", ["injector", "front_desk"])
def test_injectors_and_front_desk_are_refused_the_report(login: Login, records: OutcomeRecords, role: str) -> None:
    browser = login(role)
    for path in ("/reports/safety", "/reports/safety/rates.csv", "/reports/safety/rates.svg"):
        assert browser.get(path).status_code == 403, path
    assert 'href="/reports/safety"' not in browser.get("/patients").text
    api = browser.client.get("/api/v1/reports/safety", headers={"Accept": "application/json"})
    assert api.status_code == 403 and api.json()["error"]["field"] == "role"


def test_the_csv_files_hold_the_numbers_and_are_audited_as_exports(
    login: Login, records: OutcomeRecords, factory: sessionmaker[Session]
) -> None:
    browser = login("medical_director")
    rates = browser.get("/reports/safety/rates.csv")
    assert rates.status_code == 200 and rates.headers["content-type"].startswith("text/csv")
    assert "attachment" in rates.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(rates.text)))
    assert tuple(rows[0]) == RATE_COLUMNS
    ptosis = next(r for r in rows if r["dimension"] == "area" and r["event"] == "eyelid_ptosis")
    assert (ptosis["treatments_with_event"], ptosis["treatments"], ptosis["rate_percent"]) == ("4", "12", "33.33")
    assert (ptosis["ci95_low_percent"], ptosis["ci95_high_percent"]) == ("13.81", "60.94")
    assert (ptosis["label_rate_percent"], ptosis["clearly_above_label"]) == ("3", "True")
    durations = list(csv.DictReader(io.StringIO(browser.get("/reports/safety/durations.csv").text)))
    assert tuple(durations[0]) == DURATION_COLUMNS
    assert durations[0]["treatments"] == "12" and durations[0]["median_days"] == "95.5"
    assert [a for a, _ in audit(factory, "safety_report")] == ["export", "export"]


def test_the_charts_are_svg_drawn_by_matplotlib(login: Login, records: OutcomeRecords) -> None:
    browser = login("medical_director")
    for name in ("rates", "durations"):
        chart = browser.get(f"/reports/safety/{name}.svg")
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
        assert "<svg" in chart.text and "Matplotlib" in chart.text
        assert "<script" not in chart.text
    rates = browser.get("/reports/safety/rates.svg").text
    assert "eyelid ptosis (4/12)" in rates and "clearly above the label" in rates
    assert browser.get("/reports/safety/rates.svg").text == rates  # the same numbers, the same file


def test_the_report_json(login: Login, records: OutcomeRecords) -> None:
    client = login("medical_director").client
    data = client.get("/api/v1/reports/safety", headers={"Accept": "application/json"}).json()
    assert set(data) == {
        "from",
        "to",
        "treatments",
        "confidence",
        "rates",
        "durations",
        "label_rates_unknown",
        "knowledge_version",
    }
    flagged = [r for r in data["rates"] if r["clearly_above_label"]]
    assert {(r["dimension"], r["event"]) for r in flagged} >= {("area", "eyelid_ptosis"), ("injector", "eyelid_ptosis")}


def test_the_planning_page_offers_advice_and_the_api_gives_it(
    login: Login, records: OutcomeRecords, seeded: seeding.Seeded, factory: sessionmaker[Session]
) -> None:
    browser = login("injector")
    page = browser.get(f"/patients/{seeded.patient_id}/plan")
    assert 'id="advice-box"' in page.text and '<script src="/static/chart_advice.js"></script>' in page.text
    url = chart_data(page.text)["urls"]["advice"]
    assert url == f"/api/v1/patients/{seeded.patient_id}/advice"
    advice = browser.client.get(f"{url}?indication=chin", headers={"Accept": "application/json"}).json()
    assert advice["suggestion"]["total_units"] == 6
    assert [c["total_units"] for c in advice["courses"]] == [4, 4]
    assert advice["suggestion"]["reasons"][0]["rule"] == "residual_lines_at_review"
    assert audit(factory, "titration_advice") == [("read", "chin with onabotulinumtoxina")]
    refused = login("admin").client.get(f"{url}?indication=chin", headers={"Accept": "application/json"})
    assert refused.status_code == 403


@pytest.mark.slow
def test_the_demo_clinic_has_advice_and_a_flag_to_show(
    factory: sessionmaker[Session], kb: KnowledgeBase, login: Login, now: dt.datetime
) -> None:
    with unit_of_work(factory) as session:
        demo = seed_demo(session, kb, today=now.date(), patients=100)
    assert demo.adverse_events > 0 and demo.follow_ups > 0
    with unit_of_work(factory) as session:
        advised = session.scalars(select(AuditEvent.detail).where(AuditEvent.entity == "titration_advice")).all()
    assert advised, "returning demo patients are dosed from the advisor"
    with unit_of_work(factory) as session:  # the demo's users have no password: ask the service
        director = next(u for u in clinic_repo.users(session, demo.clinic_id) if u.role == "medical_director")
        found = safety_report.safety_report(
            session,
            clinics.actor_for(session, director.id),
            kb=kb,
            start=now.date() - dt.timedelta(days=730),
            end=now.date(),
        )
    flagged = {(r.dimension, found.group_name(r.dimension, r.group), r.event) for r in found.report.flagged}
    assert ("injector", "Lucía Ferrer", "eyelid_ptosis") in flagged
