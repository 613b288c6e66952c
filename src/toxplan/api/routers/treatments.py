"""Signed treatments: recording (which is signing), reading, co-signing, addenda, and the
medical director's co-sign queue.

Recording runs the same safety check as ``POST /check`` against the stored history; a
critical finding without an override is refused with 409 naming ``overrides``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from toxplan.api.schemas import (
    AddendumIn,
    AddendumRead,
    CosignatureRead,
    CosignPage,
    CosignQueueItem,
    FindingRead,
    FollowUpRead,
    InjectionRead,
    TreatmentRead,
)
from toxplan.auth.reauth import confirm_signer
from toxplan.auth.sessions import Current
from toxplan.http.deps import DB, KB, Allow, ClinicPolicy, Now, client_address
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.params import Key
from toxplan.primitives.roles import CLINICAL_RECORD_READERS, TREATING, Role
from toxplan.services import listings, records, treatments, worklists
from toxplan.services.records import TreatmentRecord
from toxplan.services.schemas import TreatmentCreate

router = APIRouter(tags=["treatments"], responses=ERROR_RESPONSES)

Prescriber = Annotated[Current, Depends(Allow(*TREATING))]
"""Who may sign and amend (``TREATING``, as the service)."""
Reader = Annotated[Current, Depends(Allow(*CLINICAL_RECORD_READERS))]
Director = Annotated[Current, Depends(Allow(Role.MEDICAL_DIRECTOR))]
Limit = Annotated[int, Query(ge=1, le=listings.MAX_LIMIT, description="Page size, 1 to 200")]
Offset = Annotated[int, Query(ge=0, le=listings.MAX_OFFSET, description="Rows to skip")]


def _read(record: TreatmentRecord) -> TreatmentRead:
    t = record.treatment
    signature = record.cosignature
    return TreatmentRead(
        id=t.id,
        patient_id=t.patient_id,
        injector_id=t.injector_id,
        injector_name=record.injector_name,
        visit_at=t.visit_at,
        signed_at=t.signed_at,
        product=t.product,
        lot_id=t.lot_id,
        lot_number=record.lot_number,
        reconstitution_id=t.reconstitution_id,
        vial_units=t.vial_units,
        diluent_ml=t.diluent_ml,
        total_units=t.total_units,
        knowledge_version=t.knowledge_version,
        screening_id=t.screening_id,
        note=t.note,
        injections=[InjectionRead.model_validate(i) for i in record.injections],
        findings=[FindingRead.model_validate(f) for f in record.findings],
        cosignature=(
            CosignatureRead.model_validate(signature).model_copy(
                update={"user_name": record.names.get(signature.user_id, "")}
            )
            if signature
            else None
        ),
        addenda=[
            AddendumRead.model_validate(a).model_copy(update={"author_name": record.names.get(a.author_id, "")})
            for a in record.addenda
        ],
        follow_up=FollowUpRead.model_validate(record.follow_up) if record.follow_up else None,
    )


class TreatmentSign(TreatmentCreate):
    password: Annotated[str, Field(min_length=1, max_length=1000)]
    """The signer's password, asked again for every signature."""


class CosignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: Annotated[str, Field(min_length=1, max_length=1000)]
    """The medical director's password, asked again for the co-signature."""


@router.post("/treatments", status_code=201)
def record_treatment(
    body: TreatmentSign, request: Request, current: Prescriber, db: DB, kb: KB, now: Now, policy: ClinicPolicy
) -> TreatmentRead:
    """Check and sign a treatment (the signer's ``password`` is asked again); the answer is the
    stored record with the findings shown."""
    confirm_signer(request.app.state.sessions, db, current.actor, body.password, address=client_address(request))
    data = body.model_dump(exclude={"password"})
    done = treatments.record_treatment(db, current.actor, data, kb=kb, now=now, policy=policy)
    return _read(records.after_signing(db, current.actor, done))


@router.get("/treatments/{treatment_id}")
def read_treatment(treatment_id: Key, current: Reader, db: DB) -> TreatmentRead:
    """Injections, findings with override reasons, the co-signature and every addendum."""
    return _read(records.treatment_record(db, current.actor, treatment_id))


@router.post("/treatments/{treatment_id}/cosign", status_code=201)
def cosign(treatment_id: Key, body: CosignIn, request: Request, current: Director, db: DB) -> CosignatureRead:
    """A medical director co-signs another user's treatment, once (their ``password`` asked again)."""
    confirm_signer(request.app.state.sessions, db, current.actor, body.password, address=client_address(request))
    signature = worklists.cosign(db, current.actor, treatment_id)
    db.flush()  # the signing time is given on insert
    return CosignatureRead.model_validate(signature).model_copy(update={"user_name": current.user_name})


@router.post("/treatments/{treatment_id}/addenda", status_code=201)
def add_addendum(treatment_id: Key, body: AddendumIn, current: Prescriber, db: DB) -> AddendumRead:
    """Correct or complete a signed treatment; the original stays as it was signed."""
    addendum = treatments.add_addendum(db, current.actor, treatment_id, body.text)
    db.flush()  # the id and time are given on insert
    return AddendumRead.model_validate(addendum).model_copy(update={"author_name": current.user_name})


@router.get("/cosign-queue")
def cosign_queue(current: Director, db: DB, limit: Limit = listings.DEFAULT_LIMIT, offset: Offset = 0) -> CosignPage:
    """Signed treatments of the clinic without a co-signature, oldest first."""
    page = listings.cosign_queue(db, current.actor, limit=limit, offset=offset)
    items = [
        CosignQueueItem(
            treatment_id=row.treatment.id,
            patient_id=row.patient.id,
            patient_name=f"{row.patient.family_name}, {row.patient.given_name}",
            visit_at=row.treatment.visit_at,
            signed_at=row.treatment.signed_at,
            product=row.treatment.product,
            total_units=row.treatment.total_units,
            lot_number=row.lot_number,
            injector_id=row.treatment.injector_id,
            injector_name=row.injector_name,
        )
        for row in page.items
    ]
    return CosignPage(items=items, limit=page.limit, offset=page.offset, total=page.total)
