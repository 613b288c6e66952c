"""Accounts: user and role management (admins, in their own clinic), password changes and
resets, and enrolling a second factor. Every change is audited; a password change or reset,
and deactivating a user, end that user's sessions. A clinic always keeps one active admin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from toxplan.credentials import totp
from toxplan.credentials.passwords import hash_password
from toxplan.db.models import User, UserTotp
from toxplan.db.repositories import clinics as clinic_repo
from toxplan.db.repositories import security as repo
from toxplan.errors import Conflict, InvalidInput, NotFound
from toxplan.limits import NO_NUL, Name
from toxplan.primitives.roles import ADMINS, Role
from toxplan.services import clinics
from toxplan.services.access_audit import storable
from toxplan.services.audit import log, require
from toxplan.services.schemas import Actor, _In, parse

Password = Annotated[str, Field(min_length=1, max_length=256, pattern=NO_NUL)]
Storable = AfterValidator(storable)


class NewUser(_In):
    name: Annotated[Name, Storable]
    email: Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$"), Storable]
    role: Role
    password: Password


class UserChange(_In):
    name: Annotated[Name, Storable] | None = None
    role: Role | None = None
    active: bool | None = None


@dataclass(frozen=True)
class UserRow:
    user: User
    second_factor: bool


def _words(user: User | NewUser, session: Session, clinic_id: str) -> list[str]:
    clinic = clinic_repo.clinic(session, clinic_id)
    return [user.email, user.name, *([clinic.name] if clinic else []), "toxplan"]


def _user_of_clinic(session: Session, actor: Actor, user_id: str) -> User:
    user = clinic_repo.user(session, user_id)
    if user is None or user.clinic_id != actor.clinic_id:
        raise NotFound(f"no user {user_id} in this clinic", field="user_id")
    return user


def users(session: Session, actor: Actor) -> list[UserRow]:
    require(actor, ADMINS)
    found = clinic_repo.users(session, actor.clinic_id)
    enrolled = repo.confirmed_second_factors(session, [u.id for u in found])
    log(session, actor, "read", "user_list", detail=f"{len(found)} users")
    return [UserRow(u, u.id in enrolled) for u in found]


def add_user(session: Session, actor: Actor, data: object) -> User:
    require(actor, ADMINS)
    given = parse(NewUser, data)
    password_hash = hash_password(given.password, field="password", user_inputs=_words(given, session, actor.clinic_id))
    try:
        with session.begin_nested():  # two admins adding the same e-mail at once: one gets a 409
            user = clinics.create_user(
                session,
                actor.clinic_id,
                {"name": given.name, "email": given.email, "role": given.role},
                password_hash=password_hash,
            )
    except IntegrityError:
        raise Conflict(f"{given.email} already has an account in this clinic", field="email") from None
    log(session, actor, "create", "user", entity_id=user.id, detail=f"{user.email} as {user.role}")
    return user


def _keeps_an_admin(session: Session, user: User, *, role: str, active: bool) -> None:
    if user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active):
        others = [uid for uid in repo.active_admins(session, user.clinic_id) if uid != user.id]
        if not others:
            raise Conflict("the clinic needs at least one active admin; make another user admin first", field="role")


def change_user(session: Session, actor: Actor, user_id: str, data: object, *, now: dt.datetime) -> User:
    """Rename, change the role, deactivate or reactivate a user of the clinic."""
    require(actor, ADMINS)
    change = parse(UserChange, data)
    user = _user_of_clinic(session, actor, user_id)
    role = change.role or user.role
    active = user.active if change.active is None else change.active
    _keeps_an_admin(session, user, role=role, active=active)
    before = f"{user.role}, {'active' if user.active else 'inactive'}"
    user.role, user.active = role, active
    if change.name is not None:
        user.name = change.name
    ended = 0
    if not active:
        ended = repo.revoke_sessions(session, user.id, now)
        repo.forget_devices(session, user.id)
    after = f"{role}, {'active' if active else 'inactive'}"
    log(
        session,
        actor,
        "amend",
        "user",
        entity_id=user.id,
        detail=f"{user.email}: {before} -> {after}; {ended} sessions ended",
    )
    return user


def reset_password(session: Session, actor: Actor, user_id: str, new_password: str, *, now: dt.datetime) -> None:
    """An admin sets a new password for a user: all the user's sessions and trusted browsers end."""
    require(actor, ADMINS)
    user = _user_of_clinic(session, actor, user_id)
    user.password_hash = hash_password(
        new_password, field="new_password", user_inputs=_words(user, session, user.clinic_id)
    )
    ended = repo.revoke_sessions(session, user.id, now)
    repo.forget_devices(session, user.id)
    log(session, actor, "amend", "password", entity_id=user.id, detail=f"reset by an admin; {ended} sessions ended")


def change_own_password(session: Session, actor: Actor, new_password: str, *, now: dt.datetime) -> User:
    """Set the actor's new password (the caller has checked the current one): every session of
    the user ends, this one too (the caller opens a new one)."""
    user = clinic_repo.user(session, actor.user_id)
    if user is None or not user.active:
        raise NotFound("no such active user", field="user_id")
    user.password_hash = hash_password(
        new_password, field="new_password", user_inputs=_words(user, session, user.clinic_id)
    )
    ended = repo.revoke_sessions(session, user.id, now)
    log(session, actor, "amend", "password", entity_id=user.id, detail=f"changed by the user; {ended} sessions ended")
    return user


# --- second factor -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    """``otpauth://`` URI for the authenticator app (the QR code holds it)."""


def second_factor_enabled(session: Session, user_id: str) -> bool:
    return bool(repo.confirmed_second_factors(session, [user_id]))


def begin_second_factor(session: Session, actor: Actor, *, now: dt.datetime) -> Enrolment:
    """A new secret for the actor's authenticator app; not used until confirmed with a code."""
    user = clinic_repo.user(session, actor.user_id)
    assert user is not None
    factor = repo.second_factor(session, user.id, lock=True)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("a second factor is already set up; remove it first to set up another", field="second_factor")
    secret = totp.new_secret()
    if factor is None:
        session.add(UserTotp(user_id=user.id, secret=secret, created_at=now))
    else:
        factor.secret, factor.created_at, factor.last_step = secret, now, None
    log(session, actor, "create", "second_factor", entity_id=user.id, detail="enrolment started")
    return Enrolment(secret, totp.provisioning_uri(secret, user.email))


def pending_second_factor(session: Session, actor: Actor) -> Enrolment | None:
    user = clinic_repo.user(session, actor.user_id)
    factor = repo.second_factor(session, actor.user_id)
    if user is None or factor is None or factor.confirmed_at is not None:
        return None
    return Enrolment(factor.secret, totp.provisioning_uri(factor.secret, user.email))


def confirm_second_factor(session: Session, actor: Actor, code: str, *, now: dt.datetime) -> None:
    factor = repo.second_factor(session, actor.user_id, lock=True)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("start setting up a second factor first", field="second_factor")
    step = totp.accepted_step(factor.secret, code, now=now, after=factor.last_step)
    if step is None:
        raise InvalidInput("wrong code: type the 6 digits the app shows now", field="code")
    factor.confirmed_at, factor.last_step = now, step
    log(session, actor, "amend", "second_factor", entity_id=actor.user_id, detail="enrolled")


def remove_own_second_factor(session: Session, actor: Actor, *, required_roles: frozenset[Role]) -> None:
    """The actor removes their second factor (the caller has checked their password)."""
    if actor.role in required_roles:
        raise Conflict("this clinic requires a second factor for your role", field="second_factor")
    repo.forget_second_factor(session, actor.user_id)
    log(session, actor, "amend", "second_factor", entity_id=actor.user_id, detail="removed by the user")


def remove_second_factor(session: Session, actor: Actor, user_id: str, *, now: dt.datetime) -> None:
    """An admin removes a user's second factor (a lost phone): the user's sessions end; a role
    that requires one must enrol again at the next sign-in."""
    require(actor, ADMINS)
    user = _user_of_clinic(session, actor, user_id)
    repo.forget_second_factor(session, user.id)
    ended = repo.revoke_sessions(session, user.id, now)
    log(
        session,
        actor,
        "amend",
        "second_factor",
        entity_id=user.id,
        detail=f"removed by an admin; {ended} sessions ended",
    )


# --- the server's operator (command line) ---------------------------------------------------------


def find_user(session: Session, email: str, clinic_id: str | None) -> User:
    """The one user with this e-mail (in ``clinic_id`` when given)."""
    found = [u for u in repo.users_by_email(session, email.strip().lower()) if clinic_id in (None, u.clinic_id)]
    if not found:
        raise NotFound(f"no user {email}" + (f" in clinic {clinic_id}" if clinic_id else ""), field="email")
    if len(found) > 1:
        raise InvalidInput("this e-mail has an account in several clinics: give --clinic", field="clinic")
    return found[0]


def operator_set_password(session: Session, user: User, new_password: str, *, now: dt.datetime) -> int:
    """The operator sets a password (e.g. the only admin forgot theirs); the user's sessions end."""
    user.password_hash = hash_password(new_password, user_inputs=_words(user, session, user.clinic_id))
    ended = repo.revoke_sessions(session, user.id, now)
    repo.forget_devices(session, user.id)
    log(
        session,
        None,
        "amend",
        "password",
        clinic_id=user.clinic_id,
        entity_id=user.id,
        detail=f"set from the command line; {ended} sessions ended",
    )
    return ended


def operator_remove_second_factor(session: Session, user: User, *, now: dt.datetime) -> None:
    repo.forget_second_factor(session, user.id)
    ended = repo.revoke_sessions(session, user.id, now)
    log(
        session,
        None,
        "amend",
        "second_factor",
        clinic_id=user.clinic_id,
        entity_id=user.id,
        detail=f"removed from the command line; {ended} sessions ended",
    )
