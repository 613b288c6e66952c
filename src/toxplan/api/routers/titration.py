"""Titration advice for a returning patient (the planning chart asks for it per area)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from toxplan.auth.sessions import Current
from toxplan.http.deps import DB, KB, Allow
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.params import Key
from toxplan.outcome_views import advice_json
from toxplan.primitives.roles import TREATING
from toxplan.services import titration

router = APIRouter(tags=["outcomes"], responses=ERROR_RESPONSES)

Prescriber = Annotated[Current, Depends(Allow(*TREATING))]
"""Who may ask for advice (``TREATING``, as the service)."""


@router.get("/patients/{patient_id}/advice")
def advice(
    patient_id: Key,
    current: Prescriber,
    db: DB,
    kb: KB,
    indication: Annotated[str, Query(min_length=1, max_length=100, description="Indication (area) id")],
    product: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Product; default: the latest course's")
    ] = None,
) -> dict[str, Any]:
    """The next course's suggested dose in an area from the patient's past courses there:
    ``{"indication", "product", "courses", "suggestion": {"total_units", "injections",
    "reasons"}, "label_range": {"min", "max"}, "knowledge_version"}``."""
    found = titration.advise_patient(
        db, current.actor, patient_id=patient_id, indication=indication, kb=kb, product=product
    )
    return advice_json(found)
