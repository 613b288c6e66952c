"""The consent page: the form for the product and areas (boxed warning first, off-label areas
named), signed with a typed name and a drawn signature, stored with its text, hash and version;
signing a treatment needs a current consent covering its product and areas (clinic policy)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from urllib.parse import parse_qs, urlparse

from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from tests.web.test_chart_page import chart_data, plan
from toxplan.db.engine import unit_of_work
from toxplan.db.repositories import consents as consent_repo
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import consents, patients
from toxplan.services.demo import signature_png


def new_patient(factory: sessionmaker[Session], seeded: seeding.Seeded, now: dt.datetime) -> str:
    with unit_of_work(factory) as session:
        return patients.create_patient(
            session,
            seeded.actors["injector"],
            {"given_name": "Lena", "family_name": "Brandt", "birth_date": "1990-02-02", "sex": "female"},
            today=now.date(),
        ).id


def test_the_form_shows_the_boxed_warning_first_and_names_off_label_areas(
    login: Login, seeded: seeding.Seeded, kb: KnowledgeBase
) -> None:
    page = login("injector").get(
        f"/patients/{seeded.patient_id}/consent?product=onabotulinumtoxina&areas=glabellar_lines&areas=masseter"
    )
    assert page.status_code == 200
    risks = page.text.split("<h2>Risks</h2>", 1)[1]
    assert risks.index('class="boxed-warning"') < risks.index("bruising")
    assert "trouble swallowing" in risks and "trouble breathing" in risks
    off_label = page.text.split("<h2>Off-label use</h2>", 1)[1].split("</section>", 1)[0]
    assert "not approved on its US label for masseter" in off_label and "glabellar" not in off_label
    doc = consents.document(kb, "onabotulinumtoxina", "aesthetic", ["glabellar_lines", "masseter"])
    assert f'name="text_sha256" value="{doc.sha256}"' in page.text
    assert doc.sha256 == hashlib.sha256(doc.text.encode()).hexdigest()
    assert "BOTOX Cosmetic" in doc.text and "Alternatives" in doc.text


def test_signing_stores_the_text_its_hash_and_the_drawn_signature(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    patient_id = new_patient(factory, seeded, now)
    injector = login("injector")
    injector.get(f"/patients/{patient_id}/consent?areas=glabellar_lines")
    doc = consents.document(kb, "onabotulinumtoxina", "aesthetic", ["glabellar_lines", "forehead_lines"])
    fields = {
        "product": "onabotulinumtoxina",
        "purpose": "aesthetic",
        "areas": ["glabellar_lines", "forehead_lines"],
        "text_sha256": doc.sha256,
        "signed_by": "Lena Brandt",
        "signature": "data:image/png;base64," + signature_png(),
        "next": f"/patients/{patient_id}/plan",
    }
    stale = injector.post(f"/patients/{patient_id}/consent", {**fields, "text_sha256": "0" * 64})
    assert stale.status_code == 409 and "the consent text changed" in stale.text
    done = injector.post(f"/patients/{patient_id}/consent", fields, follow_redirects=False)
    assert done.status_code == 303
    target = urlparse(done.headers["location"])
    assert target.path == f"/patients/{patient_id}/plan" and parse_qs(target.query) == {"consented": ["1"]}
    with factory() as session:
        (stored,) = consent_repo.for_patient(session, patient_id)
    assert (stored.product, stored.areas, stored.text_sha256) == (
        "onabotulinumtoxina",
        "glabellar_lines forehead_lines",
        doc.sha256,
    )
    assert stored.text == doc.text and stored.form_version == "onabotulinumtoxina_aesthetic 2026.12.1"
    assert stored.signed_by == "Lena Brandt" and stored.witnessed_by == seeded.actors["injector"].user_id
    record = injector.get(f"/consents/{stored.id}")
    assert "Lena Brandt" in record.text and doc.sha256 in record.text
    image = injector.get(f"/consents/{stored.id}/signature.png")
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")


def test_a_treatment_needs_a_current_consent_covering_its_areas(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    patient_id = new_patient(factory, seeded, now)
    injector = login("injector")
    injector.get(f"/patients/{patient_id}/plan")
    body = plan(seeded)
    refused = injector.post(
        f"/patients/{patient_id}/treatments", {"plan": json.dumps(body), "password": seeding.PASSWORD}
    )
    assert refused.status_code == 409
    assert "no current consent covers BOTOX for glabellar lines" in refused.text
    assert chart_data(refused.text)["consent"]["required"] == {"aesthetic": True, "therapeutic": False}

    with unit_of_work(factory) as session:  # a consent for the forehead does not cover the glabella
        consents.sign_consent(
            session,
            seeded.actors["injector"],
            patient_id,
            _consent(kb, ["forehead_lines"]),
            kb=kb,
            now=now,
        )
    assert (
        injector.post(
            f"/patients/{patient_id}/treatments", {"plan": json.dumps(body), "password": seeding.PASSWORD}
        ).status_code
        == 409
    )
    with unit_of_work(factory) as session:
        consent = consents.sign_consent(
            session, seeded.actors["injector"], patient_id, _consent(kb, ["glabellar_lines"]), kb=kb, now=now
        )
        consent_id = consent.id
    signed = injector.post(
        f"/patients/{patient_id}/treatments", {"plan": json.dumps(body), "password": seeding.PASSWORD}
    )
    assert signed.status_code == 200 and "Treatment signed and recorded." in signed.text
    assert f'href="/consents/{consent_id}"' in signed.text


def test_the_clinic_may_turn_the_consent_requirement_off(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    patient_id = new_patient(factory, seeded, now)
    with unit_of_work(factory) as session:
        consents.update_settings(
            session,
            seeded.actors["admin"],
            {"consent_aesthetic": False, "consent_therapeutic": False, "consent_valid_months": 12},
            kb=kb,
        )
    injector = login("injector")
    injector.get(f"/patients/{patient_id}/plan")
    page = injector.post(
        f"/patients/{patient_id}/treatments", {"plan": json.dumps(plan(seeded)), "password": seeding.PASSWORD}
    )
    assert page.status_code == 200 and "none linked" in page.text


def test_a_consent_older_than_the_validity_period_is_not_current(
    seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    with unit_of_work(factory) as session:
        assert consents.current(session, seeded.patient_id, valid_months=12, at=now)
        assert consents.current(session, seeded.patient_id, valid_months=12, at=now + dt.timedelta(days=270))
        assert not consents.current(session, seeded.patient_id, valid_months=12, at=now + dt.timedelta(days=280))


def _consent(kb: KnowledgeBase, areas: list[str]) -> dict[str, object]:
    from tests.conftest import consent_data  # noqa: PLC0415

    return consent_data(kb, areas=areas)


def test_the_admin_sets_the_consent_policy_on_the_settings_page(login: Login, seeded: seeding.Seeded) -> None:
    admin = login("admin")
    page = admin.get("/clinic/settings")
    assert 'name="consent_aesthetic" value="yes" checked' in page.text
    saved = admin.post("/clinic/settings", {"consent_therapeutic": "yes", "consent_valid_months": "6"})
    assert saved.status_code == 200 and "Settings saved." in saved.text
    assert (
        'name="consent_aesthetic" value="yes" >' in saved.text
        or 'name="consent_aesthetic" value="yes"  >' in saved.text
    )
    assert 'name="consent_therapeutic" value="yes" checked' in saved.text and 'value="6"' in saved.text
    assert login("injector").get("/clinic/settings").status_code == 403
