"""The label-standard plan for a product, a dilution and indications (as `toxplan plan`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from toxplan import limits
from toxplan.domain.plans import IndicationChoice, build_plan
from toxplan.http.deps import KB, Allow
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.presenters import plan_json
from toxplan.primitives.roles import ALL_ROLES

router = APIRouter(tags=["check"], responses=ERROR_RESPONSES)


class PlanRequest(BaseModel):
    product: limits.Name
    indications: Annotated[list[limits.Name], Field(min_length=1, max_length=limits.PLAN_INDICATIONS)]
    """Indication ids; choose a variant as ``id:variant`` (e.g. ``platysma_bands:2+2``)."""
    vial_units: Annotated[Decimal, Field(gt=0, le=1000, allow_inf_nan=False)] | None = None
    diluent_ml: Annotated[Decimal, Field(gt=0, le=20, allow_inf_nan=False)] | None = None


@router.post("/plan", dependencies=[Depends(Allow(*ALL_ROLES))])
def label_plan(body: PlanRequest, kb: KB) -> dict[str, Any]:
    """Each injection with site, units, volume, syringe marks, depth and template position."""
    plan = build_plan(
        kb,
        product=body.product,
        indications=[IndicationChoice.parse(i) for i in body.indications],
        vial_units=body.vial_units,
        diluent_ml=body.diluent_ml,
    )
    return plan_json(plan, kb)
