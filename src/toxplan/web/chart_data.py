"""The data the planning chart's JavaScript starts from, embedded in the page as JSON.

The chart checks every change with POST /api/v1/check. That endpoint is stateless, so the
page hands it the patient facts and dose history the server will use when the treatment is
signed: they are built by the same function signing uses (``treatments.patient_facts``), so
the live findings and the findings stored at signing come from the same inputs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

from sqlalchemy.orm import Session

from toxplan.db.models import Patient
from toxplan.face_chart import VIEWS, zoom_boxes
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.models import Depth
from toxplan.presenters import number
from toxplan.services import consents, inventory, planning
from toxplan.services.schemas import Actor
from toxplan.services.treatments import NEVER_OVERRIDDEN, patient_facts
from toxplan.web.zone_outlines import zone_shapes


def _short(name: str) -> str:
    return name.split(" (", maxsplit=1)[0]


def products(kb: KnowledgeBase) -> list[dict[str, Any]]:
    found = []
    for product in kb.products.values():
        areas = []
        for ind in kb.indications.values():
            regimen = kb.regimen(product.id, ind.id)
            if regimen is None:
                continue
            areas.append(
                {
                    "id": ind.id,
                    "name": _short(ind.name),
                    "chart": kb.on_chart(ind),  # a button; the rest sit in a list (regions.yaml)
                    "on_label": regimen.label_status == "on_label",
                    "category": ind.category,
                    "variants": [v.id for v in regimen.variants],
                    "default_variant": regimen.default_variant,
                }
            )
        found.append(
            {
                "id": product.id,
                "brand": " / ".join(product.brands),
                "dilutions": [
                    {"vial_units": number(r.vial_units), "diluent_ml": number(r.diluent_ml)}
                    for r in product.reconstitution
                ],
                "ready_to_use": product.ready_to_use,  # a solution: no saline is asked for
                "areas": areas,
            }
        )
    return found


def stock(session: Session, actor: Actor, kb: KnowledgeBase, now: dt.datetime) -> dict[str, Any]:
    """Unexpired lots (with their unopened vials, when counted) and the open vials of every product,
    the one to use first (earliest use-by) first."""
    lots = [
        {
            "id": lot.id,
            "product": lot.product,
            "lot_number": lot.lot_number,
            "expiry_date": lot.expiry_date.isoformat(),
            "vial_units": number(lot.vial_units),
            "unopened": inventory.unopened_left(session, lot),
        }
        for lot, _ in inventory.usable_stock(session, actor, kb=kb, now=now)
    ]
    vials = [
        {
            "id": v.vial.id,
            "lot": v.lot.id,
            "product": v.lot.product,
            "lot_number": v.lot.lot_number,
            "vial_units": number(v.lot.vial_units),
            "diluent_ml": number(v.vial.diluent_ml),
            "reconstituted_at": v.vial.reconstituted_at.isoformat(),
            "units_left": number(v.units_left),
            "use_by": v.use_by.isoformat(),
            "use_by_known": v.use_by_known,
        }
        for v in inventory.open_vials(session, actor, kb=kb, now=now)
    ]
    return {"lots": lots, "vials": vials}


def starts(session: Session, actor: Actor, patient: Patient, kb: KnowledgeBase) -> dict[str, Any]:
    """One-tap starting points: the patient's last treatment and the clinic's templates."""
    last = planning.last_treatment(session, actor, patient.id, kb=kb)

    def as_json(start: planning.Start) -> dict[str, Any]:
        return {"name": start.name, "product": start.product, "injections": start.injections}

    return {
        "repeat": as_json(last) if last else None,
        "templates": [as_json(t) for t in planning.templates(session, actor, kb=kb)],
    }


def consent_state(session: Session, actor: Actor, patient: Patient, now: dt.datetime) -> dict[str, Any]:
    """What the plan page needs to say whether signing needs a consent first, and to link to it."""
    rules = consents.policy(session, actor.clinic_id)
    held = consents.current_for(session, actor, patient.id, at=now)
    return {
        "required": {"aesthetic": rules.aesthetic, "therapeutic": rules.therapeutic},
        "current": [{"product": c.product, "areas": (c.areas or "").split()} for c in held],
        "url": f"/patients/{patient.id}/consent",
        "back": f"/patients/{patient.id}/plan",
    }


def check_context(session: Session, patient: Patient, now: dt.datetime) -> dict[str, Any]:
    """The patient block and dose history of a check, exactly as signing builds them (the chart
    supplies the treatment itself). A check request holds past treatments only: a treatment
    recorded for a later day (charted ahead) is counted when this one is signed."""
    facts, history = patient_facts(session, patient, visit_at=now)
    return {
        "patient": facts.model_dump(mode="json", exclude_none=True),
        "history": [h.model_dump(mode="json", exclude_none=True) for h in history if h.date <= now.date()],
    }


def chart_data(
    session: Session, *, actor: Actor, patient: Patient, kb: KnowledgeBase, now: dt.datetime
) -> dict[str, Any]:
    return {
        "patient_id": patient.id,
        "today": now.date().isoformat(),
        "context": check_context(session, patient, now),
        "products": products(kb),
        **stock(session, actor, kb, now),
        "never_overridden": sorted(NEVER_OVERRIDDEN),
        "consent": consent_state(session, actor, patient, now),
        "defaults": {"product": planning.usual_product(session, actor, kb=kb, now=now)},
        "starts": starts(session, actor, patient, kb),
        "zone_shapes": zone_shapes(kb),
        "depths": list(get_args(Depth)),
        "views": [{"id": v.id, "label": v.label} for v in VIEWS],
        "zooms": zoom_boxes(),
        "urls": {
            "plan": "/api/v1/plan",
            "check": "/api/v1/check",
            "zones": "/api/v1/kb/danger-zones",
            "landmarks": "/api/v1/kb/landmarks",
            "sites": "/api/v1/kb/sites",
            "advice": f"/api/v1/patients/{patient.id}/advice",
        },
    }
