"""Consent on the knowledge base's forms, and the clinic policy that signing needs it.

The patient reads the form for a product and the areas to treat, types their name and signs
with a finger; the consent stores the exact text, its SHA-256 and the form version with the
drawn signature. A consent is current for the clinic's validity period (12 months unless set
otherwise). When the clinic requires consent for a treatment's purpose (aesthetic by default),
signing the treatment needs a current consent of the same product covering every area, and
the record links it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from toxplan.db.models import Clinic, Consent
from toxplan.db.repositories import consents as repo
from toxplan.domain.consent_text import ConsentDocument, form_for, render
from toxplan.errors import Conflict, InvalidInput, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.roles import ADMINS, CLINICAL_RECORD_READERS, TREATING
from toxplan.services.audit import log, require
from toxplan.services.patients import load
from toxplan.services.schemas import Actor, ClinicSettingsUpdate, ConsentSign, parse, require_past

PNG = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 400_000


def areas_of(kb: KnowledgeBase, product_id: str, purpose: str) -> list[str]:
    """The indications a product's form for ``purpose`` can cover, in the knowledge base's order."""
    return [
        ind.id
        for ind in kb.indications.values()
        if ind.category == purpose and kb.regimen(product_id, ind.id) is not None
    ]


def document(kb: KnowledgeBase, product: str, purpose: str, areas: list[str]) -> ConsentDocument:
    """The consent text for a product, purpose and areas; refuses what no form covers."""
    found = kb.find_product(product)
    if found is None:
        raise InvalidInput(f"unknown product {product!r}", field="product")
    form = form_for(kb, found.id, purpose)
    if form is None:
        raise NotFound(f"no {purpose} consent form for {found.brands[0]}", field="purpose")
    offered = areas_of(kb, found.id, purpose)
    chosen = [a for a in offered if a in set(areas)]
    unknown = sorted(set(areas) - set(offered))
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a {purpose} area of {found.brands[0]}", field="areas")
    if not chosen:
        raise InvalidInput("choose at least one area to treat", field="areas")
    return render(kb, form, tuple(chosen))


def _signature(data_url: str) -> str:
    """The PNG in base64, from what the canvas gives (``data:image/png;base64,...``)."""
    payload = data_url.removeprefix("data:image/png;base64,")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the signature is not an image", field="signature") from None
    if not raw.startswith(PNG):
        raise InvalidInput("the signature is not a PNG image", field="signature")
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise InvalidInput("the signature image is too large", field="signature")
    return base64.b64encode(raw).decode()


def sign_consent(
    session: Session, actor: Actor, patient_id: str, data: object, *, kb: KnowledgeBase, now: dt.datetime
) -> Consent:
    """Record a consent signed on the tablet, witnessed by the signed-in clinician."""
    require(actor, TREATING)
    given = parse(ConsentSign, data)
    patient = load(session, actor, patient_id)
    doc = document(kb, given.product, given.purpose, list(given.areas))
    signed_at = given.signed_at or now
    require_past(signed_at, now=now, field="signed_at")
    if given.text_sha256 != doc.sha256:
        raise Conflict(
            "the consent text changed since the page was opened: read it again and sign", field="text_sha256"
        )
    consent = Consent(
        clinic_id=actor.clinic_id,
        patient_id=patient.id,
        form_version=doc.version,
        signed_at=signed_at,
        signed_by=given.signed_by,
        witnessed_by=actor.user_id,
        form_id=doc.form.id,
        product=doc.product,
        purpose=doc.form.purpose,
        areas=" ".join(doc.areas),
        text=doc.text,
        text_sha256=doc.sha256,
        signature_png=_signature(given.signature),
    )
    session.add(consent)
    session.flush()
    log(session, actor, "create", "consent", entity_id=consent.id, patient_id=patient.id, detail=doc.version)
    return consent


@dataclass(frozen=True)
class ConsentPolicy:
    aesthetic: bool
    therapeutic: bool
    valid_months: int
    usual_product: str | None

    def required_for(self, category: str) -> bool:
        return self.aesthetic if category == "aesthetic" else self.therapeutic


def _clinic(session: Session, clinic_id: str) -> Clinic:
    found = repo.clinic(session, clinic_id)
    if found is None:
        raise NotFound(f"no clinic {clinic_id}", field="clinic_id")
    return found


def policy(session: Session, clinic_id: str) -> ConsentPolicy:
    clinic = _clinic(session, clinic_id)
    return ConsentPolicy(
        clinic.consent_aesthetic, clinic.consent_therapeutic, clinic.consent_valid_months, clinic.usual_product
    )


def update_settings(session: Session, actor: Actor, data: object, *, kb: KnowledgeBase) -> ConsentPolicy:
    """The admin's clinic settings: when consent is required, how long it lasts, the usual product."""
    require(actor, ADMINS)
    given = parse(ClinicSettingsUpdate, data)
    clinic = _clinic(session, actor.clinic_id)
    usual = None
    if given.usual_product:
        product = kb.find_product(given.usual_product)
        if product is None:
            raise InvalidInput(f"unknown product {given.usual_product!r}", field="usual_product")
        usual = product.id
    clinic.consent_aesthetic = given.consent_aesthetic
    clinic.consent_therapeutic = given.consent_therapeutic
    clinic.consent_valid_months = given.consent_valid_months
    clinic.usual_product = usual
    log(session, actor, "amend", "clinic_settings", entity_id=clinic.id)
    return policy(session, actor.clinic_id)


def _months_before(moment: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month + 1, day=day)


def current(session: Session, patient_id: str, *, valid_months: int, at: dt.datetime) -> list[Consent]:
    """The patient's form consents signed within the validity period before ``at``, newest first."""
    since = _months_before(at, valid_months)
    return [c for c in repo.for_patient(session, patient_id, since=since) if c.product and c.signed_at <= at]


def current_for(session: Session, actor: Actor, patient_id: str, *, at: dt.datetime) -> list[Consent]:
    """For the plan page: the patient's current consents (audited as a read of the consents)."""
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    found = current(session, patient.id, valid_months=policy(session, actor.clinic_id).valid_months, at=at)
    log(session, actor, "read", "consent_list", entity_id=patient.id, patient_id=patient.id)
    return found


def current_among(session: Session, actor: Actor, found: list[Consent], *, at: dt.datetime) -> set[str]:
    """Which of the consents just read are current (no further read of patient data)."""
    since = _months_before(at, policy(session, actor.clinic_id).valid_months)
    return {c.id for c in found if c.product and since <= c.signed_at <= at}


def linked(session: Session, actor: Actor, consent_id: str) -> Consent | None:
    """The consent a treatment links, for the treatment page: part of that read, already audited."""
    require(actor, CLINICAL_RECORD_READERS)
    return repo.get(session, actor.clinic_id, consent_id)


def all_for(session: Session, actor: Actor, patient_id: str) -> list[Consent]:
    """Every consent of the patient, form consents and consents recorded before forms existed."""
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    found = repo.for_patient(session, patient.id)
    log(session, actor, "read", "consent_list", entity_id=patient.id, patient_id=patient.id)
    return found


def get(session: Session, actor: Actor, consent_id: str) -> Consent:
    require(actor, CLINICAL_RECORD_READERS)
    consent = repo.get(session, actor.clinic_id, consent_id)
    if consent is None:
        raise NotFound(f"no consent {consent_id} in this clinic", field="consent_id")
    log(session, actor, "read", "consent", entity_id=consent.id, patient_id=consent.patient_id)
    return consent


def for_treatment(
    session: Session,
    *,
    clinic_id: str,
    patient_id: str,
    product: str,
    indications: list[str],
    kb: KnowledgeBase,
    at: dt.datetime,
) -> Consent | None:
    """The consent a treatment is signed under; refuses when the clinic requires one and no
    current consent of the product covers every area that needs it."""
    rules = policy(session, clinic_id)
    consents = [c for c in current(session, patient_id, valid_months=rules.valid_months, at=at) if c.product == product]
    covered = {a for c in consents for a in (c.areas or "").split()}
    needed = [i for i in indications if i in kb.indications and rules.required_for(kb.indications[i].category)]
    missing = [i for i in needed if i not in covered]
    if missing:
        names = ", ".join(kb.indications[i].name.split(" (")[0].lower() for i in missing)
        brand = kb.products[product].brands[0] if product in kb.products else product
        raise Conflict(
            f"no current consent covers {brand} for {names}: take the patient's consent first",
            field="consent",
        )
    wanted = set(indications)
    return next((c for c in consents if wanted & set((c.areas or "").split())), None)
