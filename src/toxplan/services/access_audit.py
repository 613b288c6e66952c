"""Audit events about access rather than records: failed sign-ins, refused requests, and the
patients a list, search or recall showed. Written through ``services.audit.log`` like every
other event.

Event kinds (action, entity): ``create failed_sign_in``; ``read|amend access_denied``;
``read patient_list`` / ``cosign_queue`` / ``follow_up_list`` / ``lot_recall`` with one event
per patient shown; ``read|export audit_log`` for reading the audit log itself.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from toxplan.services.audit import log
from toxplan.services.schemas import Actor

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")
DETAIL_LIMIT = 300


def clean(text: str, limit: int = DETAIL_LIMIT) -> str:
    """Caller-supplied text made safe to store: no control characters or NUL, bounded."""
    text = _UNPRINTABLE.sub("?", text).encode("utf-8", "replace").decode("utf-8")  # lone surrogates too
    return text if len(text) <= limit else text[: limit - 1] + "…"


def storable(text: str) -> str:
    """``text`` when a database can store it (no NUL, no lone surrogate), else ValueError
    (for pydantic validators: the field is named in the 422)."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return text


def as_id(value: str | None) -> str | None:
    """``value`` when it is a well-formed id (so it fits the id columns), else None."""
    if not value:
        return None
    try:
        return str(uuid.UUID(value)) if len(value) == 36 else None
    except ValueError:
        return None


def failed_sign_in(
    session: Session, *, email: str, accounts: Iterable[tuple[str, str]], address: str, reason: str
) -> None:
    """One event per account the e-mail names ((clinic id, user id) pairs), in that account's
    clinic; an e-mail that names none gets one installation-wide event."""
    detail = clean(f"{reason}; e-mail {email!r} from {address}")
    named = list(accounts)
    for clinic_id, user_id in named:
        log(session, None, "create", "failed_sign_in", clinic_id=clinic_id, entity_id=user_id, detail=detail)
    if not named:
        log(session, None, "create", "failed_sign_in", detail=detail)


def shown(
    session: Session,
    actor: Actor,
    entity: str,
    patient_ids: Iterable[str],
    *,
    detail: str,
    entity_id: str | None = None,
) -> None:
    """A list showed these patients: one event each (so a patient's audit trail names every
    list they appeared in), or one event when the list was empty."""
    seen: list[str] = list(dict.fromkeys(patient_ids))
    for patient_id in seen:
        log(session, actor, "read", entity, entity_id=entity_id, patient_id=patient_id, detail=clean(detail))
    if not seen:
        log(session, actor, "read", entity, entity_id=entity_id, detail=clean(detail))


def denied(
    session: Session,
    actor: Actor | None,
    *,
    method: str,
    path: str,
    status: int,
    reason: str,
    patient_id: str | None = None,
    entity_id: str | None = None,
) -> None:
    """A request for patient data was refused (403) or named something the clinic does not hold (404)."""
    action = "read" if method in ("GET", "HEAD") else "amend"
    log(
        session,
        actor,
        action,
        "access_denied",
        entity_id=as_id(entity_id),
        patient_id=as_id(patient_id),
        detail=clean(f"{status} {method} {path}: {reason}"),
    )
