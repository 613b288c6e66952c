"""``toxplan advise``: the JSON shape of the issue, text for a terminal, errors naming the field."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.cli.test_db_cli import run
from tests.conftest import consent_before
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.migrate import upgrade
from toxplan.db.models import AuditEvent
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import clinics, inventory, outcomes, patients, treatments
from toxplan.services.schemas import Actor


def clinic_with_history(database: Path, kb: KnowledgeBase) -> str:
    """A patient with one reviewed chin course (residual lines) and an admin; returns the patient id."""
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(session_factory(engine)) as session:
        clinic = clinics.create_clinic(session, "CLI clinic")
        actors = {}
        for role in ("injector", "admin"):
            user = clinics.create_user(session, clinic.id, {"name": role, "email": f"{role}@cli.test", "role": role})
            actors[role] = Actor(clinic_id=clinic.id, user_id=user.id, role=role)  # type: ignore[arg-type]
        injector = actors["injector"]
        patient = patients.create_patient(
            session,
            injector,
            {"given_name": "Ana", "family_name": "Silva", "birth_date": "1980-01-01", "sex": "female"},
            today=now.date(),
        )
        lot = inventory.add_lot(
            session,
            injector,
            {
                "product": "botox",
                "lot_number": "CLI1",
                "expiry_date": now.date() + dt.timedelta(days=400),
                "vial_units": 100,
            },
            kb=kb,
        )
        visit = now - dt.timedelta(days=120)
        consent_before(session, injector, patient.id, kb, visit_at=visit, now=now, areas=["chin"])
        done = treatments.record_treatment(
            session,
            injector,
            {
                "patient_id": patient.id,
                "lot_id": lot.id,
                "diluent_ml": Decimal("2.5"),
                "visit_at": visit,
                "injections": [
                    {"indication": "chin", "site": "mentalis_left", "units": 2},
                    {"indication": "chin", "site": "mentalis_right", "units": 2},
                ],
            },
            kb=kb,
            now=now,
        )
        session.flush()
        outcomes.record_follow_up(
            session,
            injector,
            done.follow_up.id,
            {"reviewed_on": visit.date() + dt.timedelta(days=14), "fws_max": 2, "satisfaction": 3},
            today=now.date(),
        )
    engine.dispose()
    return patient.id


def test_advise_prints_the_issues_json_shape(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kb: KnowledgeBase
) -> None:
    database = tmp_path / "t.db"
    patient_id = clinic_with_history(database, kb)
    result = run(monkeypatch, database, "advise", "--patient", patient_id, "--indication", "chin", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["indication", "product", "courses", "suggestion", "label_range", "knowledge_version"]
    assert list(data["suggestion"]) == ["total_units", "injections", "reasons"]
    assert data["indication"] == "chin" and data["product"] == "onabotulinumtoxina"
    assert data["suggestion"]["total_units"] == 6
    assert data["suggestion"]["injections"] == [
        {"site": "mentalis_left", "units": 3},
        {"site": "mentalis_right", "units": 3},
    ]
    reason = data["suggestion"]["reasons"][0]
    assert reason["rule"] == "residual_lines_at_review" and reason["citations"]
    assert reason["text"].startswith("Mentalis points +1 U each")
    assert data["label_range"] == {"min": 4, "max": 10}
    assert data["knowledge_version"] == kb.version
    (course,) = data["courses"]
    assert course["used"] is True and course["total_units"] == 4 and course["review"]["fws_max"] == 2
    engine = make_engine(f"sqlite:///{database}")
    with unit_of_work(session_factory(engine)) as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.entity == "titration_advice")).one()
    engine.dispose()
    assert audit.user_id is None and audit.patient_id == patient_id and "command line" in (audit.detail or "")


def test_advise_text_and_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kb: KnowledgeBase) -> None:
    database = tmp_path / "t.db"
    patient_id = clinic_with_history(database, kb)
    text = run(
        monkeypatch, database, "advise", "--patient", patient_id, "--indication", "chin", "--user", "injector@cli.test"
    )
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("Suggestion for dimpled chin with BOTOX: 6 U")
    assert "Label range: 2-4 U per point; 4-10 U in total" in text.stdout
    switched = run(monkeypatch, database, "advise", "--patient", patient_id, "--indication", "glabellar_lines")
    assert switched.exit_code == 2 and "product:" in switched.stderr
    admin = run(
        monkeypatch, database, "advise", "--patient", patient_id, "--indication", "chin", "--user", "admin@cli.test"
    )
    assert admin.exit_code == 2 and "role:" in admin.stderr
    missing = run(monkeypatch, database, "advise", "--patient", "nobody", "--indication", "chin", "--product", "botox")
    assert missing.exit_code == 2 and "patient:" in missing.stderr and "Traceback" not in missing.output
