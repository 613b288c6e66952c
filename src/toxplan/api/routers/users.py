"""User and role management: admins only, in their own clinic."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from toxplan.auth.sessions import Current
from toxplan.http.deps import DB, Allow, Now
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.params import Key
from toxplan.primitives.roles import Role
from toxplan.services import accounts
from toxplan.services.accounts import NewUser, UserChange

router = APIRouter(prefix="/users", tags=["users"], responses=ERROR_RESPONSES)

Admin = Annotated[Current, Depends(Allow(Role.ADMIN))]


class UserRead(BaseModel):
    id: str
    name: str
    email: str
    role: str
    active: bool
    second_factor: bool
    created_at: dt.datetime


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_password: Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[^\x00]*$")]


def _read(row: accounts.UserRow) -> UserRead:
    u = row.user
    return UserRead(
        id=u.id,
        name=u.name,
        email=u.email,
        role=u.role,
        active=u.active,
        second_factor=row.second_factor,
        created_at=u.created_at,
    )


@router.get("")
def list_users(current: Admin, db: DB) -> list[UserRead]:
    """The clinic's users by role, then e-mail."""
    return [_read(row) for row in accounts.users(db, current.actor)]


@router.post("", status_code=201)
def add_user(body: NewUser, current: Admin, db: DB) -> UserRead:
    """A new user with a first password (at least 12 characters, not easy to guess)."""
    user = accounts.add_user(db, current.actor, body)
    return _read(accounts.UserRow(user, False))


@router.patch("/{user_id}")
def change_user(user_id: Key, body: UserChange, current: Admin, db: DB, now: Now) -> UserRead:
    """Rename, change the role, deactivate (``active: false``: their sessions end) or reactivate.
    409 when the change would leave the clinic without an active admin."""
    user = accounts.change_user(db, current.actor, user_id, body, now=now)
    return _read(accounts.UserRow(user, accounts.second_factor_enabled(db, user.id)))


@router.post("/{user_id}/password", status_code=204)
def reset_password(user_id: Key, body: PasswordReset, current: Admin, db: DB, now: Now) -> None:
    """Set a new password for the user: every session and trusted browser of theirs ends."""
    accounts.reset_password(db, current.actor, user_id, body.new_password, now=now)


@router.delete("/{user_id}/second-factor", status_code=204)
def remove_second_factor(user_id: Key, current: Admin, request: Request, db: DB, now: Now) -> None:
    """Remove a user's authenticator app (a lost phone); their sessions end."""
    accounts.remove_second_factor(db, current.actor, user_id, now=now)
