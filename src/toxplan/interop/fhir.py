"""A patient's botulinum toxin record as a FHIR R4 ``Bundle`` of type ``collection``.

One Patient, the clinic as Organization, every clinician involved as Practitioner, each lot
as Medication (lot number and expiry), a MedicationAdministration per injection (dose in the
product's own units, site text and, where the knowledge base maps one, a SNOMED CT body
structure), a Procedure per treatment, Consents, an Observation per reviewed follow-up and the
AdverseEvents with their suspect lot. Each bundle is validated by the FHIR models of
``fhir.resources`` (R4B, whose resources used here are R4's) before it leaves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from toxplan.db.models import AdverseEvent, Consent, FollowUp, Lot, Patient, User
from toxplan.db.models import TreatmentInjection as Injection
from toxplan.errors import ToxPlanError
from toxplan.knowledge.base import KnowledgeBase
from toxplan.presenters import number
from toxplan.services.exports import PatientRecord, TreatmentBundle, patient_record
from toxplan.services.schemas import Actor

Resource = dict[str, Any]
SNOMED = "http://snomed.info/sct"
TOXPLAN = "urn:toxplan"
OUTCOMES = {
    "recovered": "resolved",
    "recovering": "recovering",
    "not_recovered": "ongoing",
    "recovered_with_sequelae": "resolvedWithSequelae",
    "fatal": "fatal",
    "unknown": "unknown",
}
GENDERS = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


class InvalidBundle(ToxPlanError):
    """A bundle failed FHIR validation: a defect in the export, never sent out."""

    code = "fhir_invalid"


def ref(resource_id: str, display: str | None = None) -> Resource:
    found: Resource = {"reference": f"urn:uuid:{resource_id}"}
    if display:
        found["display"] = display
    return found


def moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def concept(text: str, system: str | None = None, code: str | None = None, display: str | None = None) -> Resource:
    found: Resource = {"text": text}
    if system and code:
        found["coding"] = [{"system": system, "code": code, **({"display": display} if display else {})}]
    return found


def _patient(p: Patient, clinic_id: str) -> Resource:
    telecom = [{"system": "phone", "value": p.phone}] if p.phone else []
    telecom += [{"system": "email", "value": p.email}] if p.email else []
    found: Resource = {
        "resourceType": "Patient",
        "id": p.id,
        "identifier": [{"system": f"{TOXPLAN}:patient", "value": p.id}],
        "name": [{"family": p.family_name, "given": [p.given_name]}],
        "gender": GENDERS[p.sex],
        "birthDate": p.birth_date.isoformat(),
        "managingOrganization": ref(clinic_id),
    }
    if telecom:
        found["telecom"] = telecom
    return found


def _organization(record: PatientRecord) -> Resource:
    clinic = record.clinic
    found: Resource = {"resourceType": "Organization", "id": clinic.id, "name": clinic.name, "active": True}
    if clinic.phone:
        found["telecom"] = [{"system": "phone", "value": clinic.phone}]
    return found


def _practitioner(user: User) -> Resource:
    return {
        "resourceType": "Practitioner",
        "id": user.id,
        "identifier": [{"system": f"{TOXPLAN}:user", "value": user.id}],
        "name": [{"text": user.name}],
        "active": user.active,
    }


def _medication(lot: Lot, kb: KnowledgeBase) -> Resource:
    product = kb.products.get(lot.product)
    name = f"{product.brands[0]} ({product.inn})" if product else lot.product
    return {
        "resourceType": "Medication",
        "id": lot.id,
        "code": concept(name, f"{TOXPLAN}:product", lot.product, name),
        "manufacturer": {"display": product.manufacturer} if product else None,
        "batch": {"lotNumber": lot.lot_number, "expirationDate": f"{lot.expiry_date.isoformat()}T23:59:59Z"},
        "amount": {
            "numerator": {"value": number(lot.vial_units), "unit": f"U of {lot.product}"},
            "denominator": {"value": 1, "unit": "vial"},
        },
    }


def _site(injection: Injection, kb: KnowledgeBase) -> Resource:
    if injection.site is None:
        where = f"{injection.view} view, {injection.x_mm} mm, {injection.y_mm} mm" if injection.view else "free point"
        return {"text": f"Free point ({where})"}
    site = kb.sites.get(injection.site)
    if site is None:
        return {"text": injection.site}
    code = kb.site_codes.get(site.definition.id)
    return concept(site.name, SNOMED, code.code, code.display) if code else {"text": site.name}


def _indication(indication: str, kb: KnowledgeBase) -> Resource:
    found = kb.indications.get(indication)
    return concept(found.name if found else indication, f"{TOXPLAN}:indication", indication)


def _administrations(bundle: TreatmentBundle, kb: KnowledgeBase) -> list[Resource]:
    t = bundle.treatment
    found = []
    for i in bundle.injections:
        dose: Resource = {"value": number(Decimal(i.units)), "unit": f"U of {t.product}"}
        dosage: Resource = {
            "text": f"{number(Decimal(i.units))} U of {t.product} in {number(Decimal(i.volume_ml))} mL",
            "site": _site(i, kb),
            "dose": dose,
        }
        if i.depth:
            dosage["route"] = {"text": i.depth}
        found.append(
            {
                "resourceType": "MedicationAdministration",
                "id": i.id,
                "status": "completed",
                "medicationReference": ref(t.lot_id),
                "subject": ref(t.patient_id),
                "partOf": [ref(t.id)],
                "effectiveDateTime": moment(t.visit_at),
                "performer": [{"actor": ref(t.injector_id)}],
                "reasonCode": [_indication(i.indication, kb)],
                "dosage": dosage,
                **({"note": [{"text": i.note}]} if i.note else {}),
            }
        )
    return found


def _procedure(bundle: TreatmentBundle, kb: KnowledgeBase) -> Resource:
    t = bundle.treatment
    performers = [{"function": {"text": "performed and signed"}, "actor": ref(t.injector_id)}]
    if bundle.cosignature is not None:
        performers.append({"function": {"text": "reviewed and co-signed"}, "actor": ref(bundle.cosignature.user_id)})
    indications = list(dict.fromkeys(i.indication for i in bundle.injections))
    found: Resource = {
        "resourceType": "Procedure",
        "id": t.id,
        "identifier": [{"system": f"{TOXPLAN}:treatment", "value": t.id}],
        "status": "completed",
        "code": {"text": "Botulinum toxin type A injection"},
        "subject": ref(t.patient_id),
        "performedDateTime": moment(t.visit_at),
        "recorder": ref(t.injector_id),
        "performer": performers,
        "reasonCode": [_indication(i, kb) for i in indications],
        "bodySite": [_site(i, kb) for i in bundle.injections],
        "usedReference": [ref(t.lot_id)],
        "note": [{"text": f"{number(Decimal(t.total_units))} U of {t.product}; knowledge base {t.knowledge_version}"}],
    }
    if t.note:
        found["note"].append({"text": t.note})
    return found


def _consent(consent: Consent, record: PatientRecord) -> Resource:
    return {
        "resourceType": "Consent",
        "id": consent.id,
        "status": "active",
        "scope": concept("Treatment", "http://terminology.hl7.org/CodeSystem/consentscope", "treatment", "Treatment"),
        "category": [{"text": "Consent to botulinum toxin treatment"}],
        "patient": ref(record.patient.id),
        "dateTime": moment(consent.signed_at),
        "performer": [{"display": consent.signed_by}],
        "organization": [ref(record.clinic.id)],
        "policyRule": {"text": f"consent form {consent.form_version}"},
        "verification": [{"verified": True, "verificationDate": moment(consent.signed_at)}],
    }


def _observation(follow_up: FollowUp) -> Resource | None:
    if follow_up.reviewed_on is None:
        return None  # a follow-up still due has no outcome to report
    parts: list[Resource] = []
    for name, label in (
        ("fws_rest", "Facial wrinkle scale at rest (0-3)"),
        ("fws_max", "Facial wrinkle scale at maximum contraction (0-3)"),
        ("satisfaction", "Patient satisfaction (1-5)"),
    ):
        value = getattr(follow_up, name)
        if value is not None:
            parts.append({"code": {"text": label}, "valueInteger": value})
    if follow_up.touch_up_units is not None:
        parts.append(
            {
                "code": {"text": "Touch-up dose"},
                "valueQuantity": {"value": number(follow_up.touch_up_units), "unit": "U"},
            }
        )
    if follow_up.effect_wore_off_on is not None:
        parts.append(
            {"code": {"text": "Effect wore off on"}, "valueDateTime": follow_up.effect_wore_off_on.isoformat()}
        )
    found: Resource = {
        "resourceType": "Observation",
        "id": follow_up.id,
        "status": "final",
        "code": {"text": "Botulinum toxin treatment follow-up review"},
        "subject": ref(follow_up.patient_id),
        "partOf": [ref(follow_up.treatment_id)],
        "effectiveDateTime": follow_up.reviewed_on.isoformat(),
        "component": parts,
    }
    if follow_up.recorded_by:
        found["performer"] = [ref(follow_up.recorded_by)]
    if follow_up.note:
        found["note"] = [{"text": follow_up.note}]
    if not parts:
        found["valueString"] = follow_up.note or "reviewed"
        del found["component"]
    return found


def _adverse_event(event: AdverseEvent) -> Resource:
    what = event.type.replace("_", " ")
    return {
        "resourceType": "AdverseEvent",
        "id": event.id,
        "actuality": "actual",
        "event": {"text": f"{what}: {event.description}" if event.description else what},
        "subject": ref(event.patient_id),
        "date": event.onset_on.isoformat(),
        "recordedDate": moment(event.recorded_at),
        "recorder": ref(event.recorded_by),
        "seriousness": concept(
            "serious" if event.serious else "non-serious",
            "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
            "serious" if event.serious else "non-serious",
        ),
        "severity": concept(
            event.severity, "http://terminology.hl7.org/CodeSystem/adverse-event-severity", event.severity
        ),
        "outcome": concept(
            event.outcome.replace("_", " "),
            "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
            OUTCOMES[event.outcome],
        ),
        "suspectEntity": [{"instance": ref(event.lot_id)}],
        "referenceDocument": [ref(event.treatment_id)],
    }


def _clean(value: Any) -> Any:
    """Drop empty values: FHIR forbids empty elements."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [c for c in (_clean(v) for v in value) if c not in (None, [], {}, "")]
    return value


def bundle_of(record: PatientRecord, kb: KnowledgeBase, *, now: dt.datetime) -> Resource:
    """The record as a collection Bundle (a plain JSON-ready dict)."""
    resources: list[Resource] = [_patient(record.patient, record.clinic.id), _organization(record)]
    resources += [_practitioner(u) for u in record.users.values()]
    resources += [_medication(lot, kb) for lot in record.lots.values()]
    for treatment in record.treatments:
        resources.append(_procedure(treatment, kb))
        resources += _administrations(treatment, kb)
    resources += [_consent(c, record) for c in record.consents]
    resources += [o for o in (_observation(f) for f in record.follow_ups) if o is not None]
    resources += [_adverse_event(e) for e in record.adverse_events]
    bundle: Resource = _clean(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "meta": {"lastUpdated": moment(now)},
            "type": "collection",
            "timestamp": moment(now),
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
        }
    )
    return bundle


def validate(bundle: Resource) -> None:
    """Refuse a bundle the FHIR models reject; the message names the first broken element."""
    from fhir.resources.R4B.bundle import Bundle  # noqa: PLC0415  (a large import, only when exporting)
    from pydantic import ValidationError  # noqa: PLC0415

    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidBundle(f"the FHIR bundle is invalid at {where}: {first['msg']}", field="fhir") from None


def patient_bundle(session: Session, actor: Actor, patient_id: str, *, kb: KnowledgeBase, now: dt.datetime) -> Resource:
    """A patient's toxin record as a validated FHIR R4 collection bundle (an audited export)."""
    bundle = bundle_of(patient_record(session, actor, patient_id, format="fhir"), kb, now=now)
    validate(bundle)
    return bundle
