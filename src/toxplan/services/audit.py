"""Writing the audit log. Every read, creation and amendment of patient data goes through here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from toxplan.db.models import AuditEvent
from toxplan.db.repositories import audit as audit_repo
from toxplan.errors import Forbidden
from toxplan.primitives.roles import Role, in_order
from toxplan.services.schemas import Actor


def log(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    *,
    entity_id: str | None = None,
    patient_id: str | None = None,
    detail: str | None = None,
    clinic_id: str | None = None,
) -> None:
    audit_repo.append(
        session,
        AuditEvent(
            clinic_id=actor.clinic_id if actor else clinic_id,
            user_id=actor.user_id if actor else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            patient_id=patient_id,
            detail=detail,
        ),
    )


def require(actor: Actor, allowed: frozenset[Role]) -> None:
    """Refuse unless the actor's role is one of ``allowed`` (a named set of primitives.roles)."""
    if actor.role not in allowed:
        needs = ", ".join(in_order(allowed))
        raise Forbidden(f"a {actor.role.replace('_', ' ')} may not do this; needs: {needs}", field="role")
