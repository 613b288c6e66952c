"""Clinics and users."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from toxplan import limits
from toxplan.db.models import Clinic, User
from toxplan.db.repositories import clinics as repo
from toxplan.errors import Conflict, Forbidden, InvalidInput, NotFound
from toxplan.limits import Name
from toxplan.primitives.roles import OVERSIGHT
from toxplan.services.audit import log
from toxplan.services.schemas import Actor, UserCreate, parse


class ClinicCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name


def create_clinic(session: Session, name: str, *, phone: str | None = None) -> Clinic:
    if not name.strip():
        raise InvalidInput("must not be empty", field="name")
    clinic = Clinic(name=parse(ClinicCreate, {"name": name}).name, phone=_phone(phone))
    session.add(clinic)
    session.flush()
    return clinic


def create_user(session: Session, clinic_id: str, data: object, *, password_hash: str | None = None) -> User:
    given = parse(UserCreate, data)
    if repo.clinic(session, clinic_id) is None:
        raise NotFound(f"no clinic {clinic_id}", field="clinic_id")
    taken = repo.user_by_email(session, clinic_id, given.email.lower())
    if taken is not None:
        raise Conflict(f"{given.email} already has an account in this clinic", field="email")
    user = User(
        clinic_id=clinic_id,
        name=given.name,
        email=given.email.lower(),
        role=given.role,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    # In the clinic's audit chain, so a restore can tell a user the clinic created from one
    # added to its backup afterwards (``services.integrity``).
    log(session, None, "create", "user", entity_id=user.id, clinic_id=clinic_id, detail=f"role {user.role}")
    return user


def actor_for(session: Session, user_id: str) -> Actor:
    user = repo.user(session, user_id)
    if user is None or not user.active:
        raise NotFound(f"no active user {user_id}", field="user_id")
    return Actor(clinic_id=user.clinic_id, user_id=user.id, role=user.role)


def _phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    if len(phone.strip()) > limits.PHONE or "\x00" in phone:
        raise InvalidInput(f"give a phone number of at most {limits.PHONE} characters", field="phone")
    return phone.strip()


def set_phone(session: Session, actor: Actor, phone: str | None) -> Clinic:
    """The clinic's phone number, printed on aftercare sheets; admins and medical directors set it."""
    if actor.role not in OVERSIGHT:
        raise Forbidden("only an admin or a medical director may change the clinic's details", field="role")
    clinic = repo.clinic(session, actor.clinic_id)
    if clinic is None:
        raise NotFound(f"no clinic {actor.clinic_id}", field="clinic_id")
    clinic.phone = _phone(phone)
    return clinic
