"""Audit refused requests for patient data: a signed-in user who gets 403 (role, CSRF) or 404
(another clinic's id, or none at all) on a patient-data path leaves an ``access_denied`` event
in their clinic's audit log, written before the answer leaves.

Requests with no valid session (401) are not audited here: they reached no data, and anyone
could fill the log with them. Failed sign-ins are audited by the sign-in itself.
"""

from __future__ import annotations

from http import HTTPStatus

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from toxplan.auth.sessions import Current
from toxplan.db.engine import unit_of_work
from toxplan.services import access_audit

PATIENT_DATA = (
    "/api/v1/patients",
    "/api/v1/treatments",
    "/api/v1/follow-ups",
    "/api/v1/adverse-events",
    "/api/v1/recall",
    "/api/v1/cosign-queue",
    "/api/v1/audit",
    "/patients",
    "/treatments",
    "/follow-ups",
    "/cosign",
    "/lots/recall",
    "/audit",
)
AUDITED = frozenset({403, 404})


def concerns_patient_data(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PATIENT_DATA)


def _ids(path: str) -> tuple[str | None, str | None]:
    """(patient id, other record id) named by the path, if any."""
    parts = path.split("/")
    patient = parts[parts.index("patients") + 1] if "patients" in parts[:-1] else None
    other = None
    for name in ("treatments", "follow-ups"):
        if name in parts[:-1]:
            other = parts[parts.index(name) + 1]
    return patient, other


def _record(factory: sessionmaker[Session], current: Current, method: str, path: str, status: int) -> None:
    patient_id, entity_id = _ids(path)
    reason = f"{HTTPStatus(status).phrase.lower()} for a {current.actor.role.replace('_', ' ')}"
    with unit_of_work(factory) as session:
        access_audit.denied(
            session,
            current.actor,
            method=method,
            path=path,
            status=status,
            reason=reason,
            patient_id=patient_id,
            entity_id=entity_id,
        )


class AuditDenials:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not concerns_patient_data(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def audit_then_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in AUDITED:
                current = scope.get("state", {}).get("current")
                if isinstance(current, Current):
                    factory = scope["app"].state.sessions
                    await run_in_threadpool(
                        _record, factory, current, scope["method"], scope["path"], message["status"]
                    )
            await send(message)

        await self.app(scope, receive, audit_then_send)
