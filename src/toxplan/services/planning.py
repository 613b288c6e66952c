"""Starting a plan in one tap: the clinic's usual product, the patient's last treatment to
repeat, and the clinic's saved templates (e.g. "Glabellar 20 + crow's feet 24").

A template or a repeated treatment is only a starting point: the chart checks it as any plan,
and signing checks it again against the patient's record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from toxplan.db.models import PlanTemplate
from toxplan.db.repositories import planning as repo
from toxplan.db.repositories import treatments as treatment_repo
from toxplan.domain.requests import InjectionIn
from toxplan.errors import Conflict, InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.roles import CLINICAL_RECORD_READERS, TREATING
from toxplan.services import consents
from toxplan.services.audit import log, require
from toxplan.services.patients import load
from toxplan.services.schemas import Actor, PlanTemplateCreate, parse

USUAL_WINDOW = dt.timedelta(days=90)


def usual_product(session: Session, actor: Actor, *, kb: KnowledgeBase, now: dt.datetime) -> str | None:
    """The clinic's chosen usual product, else the one it used most in the last 90 days."""
    chosen = consents.policy(session, actor.clinic_id).usual_product
    if chosen in kb.products:
        return chosen
    used = repo.most_used_product(session, actor.clinic_id, now - USUAL_WINDOW)
    return used if used in kb.products else None


def _point(kb: KnowledgeBase, row: dict[str, Any]) -> dict[str, Any]:
    """An injection as the chart draws it: a stored position, else its site's template position."""
    site = kb.sites.get(row.get("site") or "")
    position = row.get("position")
    if position is None and site is not None and site.position is not None:
        position = {"x_mm": float(site.position.x_mm), "y_mm": float(site.position.y_mm), "view": site.position.view}
        moved = False
    else:
        moved = position is not None
    return {
        "indication": row["indication"],
        "site": row.get("site"),
        "muscle": site.muscle if site else None,
        "units": float(row["units"]),
        "depth": row.get("depth"),
        "needle": row.get("needle"),
        "note": row.get("note"),
        "position": position,
        "moved": moved,
    }


@dataclass(frozen=True)
class Start:
    name: str
    product: str
    injections: list[dict[str, Any]]


def last_treatment(session: Session, actor: Actor, patient_id: str, *, kb: KnowledgeBase) -> Start | None:
    """The patient's last treatment, to repeat (read as part of the patient's timeline)."""
    require(actor, TREATING)
    patient = load(session, actor, patient_id)
    last = repo.last_treatment(session, patient.id)
    if last is None:
        return None
    rows: list[dict[str, Any]] = []
    for stored in treatment_repo.injections(session, last.id):
        site = kb.sites.get(stored.site or "")
        template_at = (float(site.position.x_mm), float(site.position.y_mm)) if site and site.position else None
        position = None
        if stored.x_mm is not None and (float(stored.x_mm), float(stored.y_mm or 0)) != template_at:
            # a site's injection keeps a stored position only when it was moved off the site
            position = {"x_mm": float(stored.x_mm), "y_mm": float(stored.y_mm or 0), "view": stored.view or "front"}
        rows.append(
            {
                "indication": stored.indication,
                "site": stored.site,
                "units": stored.units,
                "depth": stored.depth,
                "needle": stored.needle,
                "note": stored.note,
                "position": position,
            }
        )
    return Start(f"Repeat {last.visit_at.date().isoformat()}", last.product, [_point(kb, r) for r in rows])


def templates(session: Session, actor: Actor, *, kb: KnowledgeBase) -> list[Start]:
    require(actor, TREATING)
    return [
        Start(t.name, t.product, [_point(kb, r) for r in json.loads(t.injections)])
        for t in repo.templates(session, actor.clinic_id)
        if t.product in kb.products
    ]


def save_template(session: Session, actor: Actor, data: object, *, kb: KnowledgeBase) -> PlanTemplate:
    """Save a plan under a name for the whole clinic."""
    require(actor, TREATING)
    given = parse(PlanTemplateCreate, data)
    product = kb.find_product(given.product)
    if product is None:
        raise InvalidInput(f"unknown product {given.product!r}", field="product")
    for i, injection in enumerate(given.injections):
        if injection.indication not in kb.indications:
            raise InvalidInput(f"unknown indication {injection.indication!r}", field=f"injections.{i}.indication")
    if repo.template_named(session, actor.clinic_id, given.name) is not None:
        raise Conflict(f"a template named {given.name!r} exists already", field="name")
    template = PlanTemplate(
        clinic_id=actor.clinic_id,
        name=given.name,
        product=product.id,
        injections=json.dumps(
            [i.model_dump(mode="json", exclude_none=True, include=_STORED) for i in given.injections]
        ),
        created_by=actor.user_id,
    )
    session.add(template)
    session.flush()
    log(session, actor, "create", "plan_template", entity_id=template.id, detail=given.name)
    return template


def injections_for(session: Session, actor: Actor, patient_id: str, treatment_ids: list[str]) -> dict[str, list[Any]]:
    """The injections of the patient's treatments listed on the timeline, for their face
    diagrams (part of reading the timeline, which is audited)."""
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    mine = {t.id for t in treatment_repo.for_patient(session, patient.id)}
    return {t: treatment_repo.injections(session, t) for t in treatment_ids if t in mine}


_STORED = {"indication", "site", "position", "units", "depth", "needle"}
__all__ = ["InjectionIn", "Start", "last_treatment", "save_template", "templates", "usual_product"]
