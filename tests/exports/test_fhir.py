"""FHIR R4 export: the bundle of every demo patient validates with the FHIR models of
``fhir.resources`` (R4B), every reference resolves inside the bundle, and the record's facts
(doses in the product's units, sites, lots, outcomes) are where a receiving system looks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select

from tests.exports.conftest import NOW, Demo
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AdverseEvent, AuditEvent, Consent, Patient, Treatment, TreatmentInjection
from toxplan.errors import Forbidden
from toxplan.interop.fhir import InvalidBundle, _site, patient_bundle, validate
from toxplan.knowledge.base import KnowledgeBase


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []


def _bundles(demo: Demo, kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    with unit_of_work(demo.factory) as session:
        ids = list(session.scalars(select(Patient.id).where(Patient.clinic_id == demo.clinic_id)))
        return {pid: patient_bundle(session, demo.actors["injector"], pid, kb=kb, now=NOW) for pid in ids}


def test_every_demo_patients_bundle_validates_and_references_resolve(demo: Demo, kb: KnowledgeBase) -> None:
    bundles = _bundles(demo, kb)
    assert len(bundles) >= 10
    with unit_of_work(demo.factory) as session:
        injections = dict(
            session.execute(
                select(Treatment.patient_id, func.count(TreatmentInjection.id))
                .join(TreatmentInjection, TreatmentInjection.treatment_id == Treatment.id)
                .where(Treatment.clinic_id == demo.clinic_id)
                .group_by(Treatment.patient_id)
            ).all()
        )
    for patient_id, data in bundles.items():
        parsed = Bundle.model_validate(data)  # the library's models, not a hand check
        assert parsed.type == "collection"
        types = Counter(e["resource"]["resourceType"] for e in data["entry"])
        assert types["Patient"] == 1 and types["Organization"] == 1
        assert types["MedicationAdministration"] == injections.get(patient_id, 0)
        urls = {e["fullUrl"] for e in data["entry"]}
        assert set(_references(data)) <= urls, patient_id


def test_doses_lots_outcomes_and_adverse_events_are_carried(demo: Demo, kb: KnowledgeBase) -> None:
    with unit_of_work(demo.factory) as session:
        event = session.scalars(select(AdverseEvent).where(AdverseEvent.clinic_id == demo.clinic_id)).first()
        assert event is not None, "the demo clinic reports adverse events"
        data = patient_bundle(session, demo.actors["medical_director"], event.patient_id, kb=kb, now=NOW)
        treatment = session.get(Treatment, event.treatment_id)
        assert treatment is not None
        held = session.scalar(select(func.count()).select_from(Consent).where(Consent.patient_id == event.patient_id))
        signer = session.scalars(select(Consent.patient_id).where(Consent.clinic_id == demo.clinic_id)).first()
        assert signer is not None, "the demo clinic's aesthetic patients signed consents"
        signed = patient_bundle(session, demo.actors["medical_director"], signer, kb=kb, now=NOW)
    resources = [e["resource"] for e in data["entry"]]
    by_id = {r["id"]: r for r in resources}
    adverse = by_id[event.id]
    assert adverse["actuality"] == "actual"
    assert adverse["suspectEntity"][0]["instance"]["reference"] == f"urn:uuid:{event.lot_id}"
    medication = by_id[event.lot_id]
    assert medication["batch"]["lotNumber"] and medication["batch"]["expirationDate"]
    doses = [r for r in resources if r["resourceType"] == "MedicationAdministration"]
    given = [d for d in doses if d["partOf"][0]["reference"] == f"urn:uuid:{treatment.id}"]
    assert sum(Decimal(str(d["dosage"]["dose"]["value"])) for d in given) == treatment.total_units
    assert all(d["dosage"]["dose"]["unit"] == f"U of {treatment.product}" for d in given)
    assert all(d["dosage"]["site"]["text"] and d["reasonCode"][0]["coding"][0]["code"] for d in given)
    procedure = by_id[treatment.id]
    assert procedure["status"] == "completed" and procedure["performer"][0]["actor"]["reference"]
    assert sum(r["resourceType"] == "Consent" for r in resources) == held  # therapeutic courses may have none
    assert any(e["resource"]["resourceType"] == "Consent" for e in signed["entry"])
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    assert all(o["status"] == "final" for o in observations)


def test_sites_carry_snomed_codes_only_where_the_knowledge_base_maps_one(kb: KnowledgeBase) -> None:
    coded = _site(TreatmentInjection(site="trapezius_1_left", units=Decimal(5), volume_ml=Decimal("0.1")), kb)
    assert coded["coding"] == [{"system": "http://snomed.info/sct", "code": "31764008", "display": "Trapezius muscle"}]
    plain = _site(TreatmentInjection(site="procerus", units=Decimal(4), volume_ml=Decimal("0.1")), kb)
    assert plain == {"text": "Procerus"}


def test_a_broken_bundle_is_refused_before_it_leaves(demo: Demo, kb: KnowledgeBase) -> None:
    data = next(iter(_bundles(demo, kb).values()))
    data["entry"][0]["resource"]["birthDate"] = "1985-13-45"
    with pytest.raises(InvalidBundle, match="birthDate"):
        validate(data)


def test_the_export_is_audited_and_the_front_desk_may_not(demo: Demo, kb: KnowledgeBase) -> None:
    with unit_of_work(demo.factory) as session:
        patient_id = session.scalars(select(Patient.id).where(Patient.clinic_id == demo.clinic_id)).first()
        assert patient_id is not None
        patient_bundle(session, demo.actors["admin"], patient_id, kb=kb, now=NOW)
        with pytest.raises(Forbidden):
            patient_bundle(session, demo.actors["front_desk"], patient_id, kb=kb, now=NOW + dt.timedelta(seconds=1))
    with unit_of_work(demo.factory) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "patient_record", AuditEvent.patient_id == patient_id)
        ).all()
    assert any(e.action == "export" and e.user_id == demo.actors["admin"].user_id for e in events)
