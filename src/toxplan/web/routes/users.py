"""User and role management for admins: add users, change roles, deactivate, reset passwords."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from toxplan.auth.sessions import Current
from toxplan.errors import Conflict, InvalidInput, NotFound, ToxPlanError
from toxplan.http.deps import DB, Allow, Now
from toxplan.primitives.roles import Role
from toxplan.services import accounts
from toxplan.web.access import redirect
from toxplan.web.forms import Form, status_of, text, values
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
Admin = Annotated[Current, Depends(Allow(Role.ADMIN))]
REFUSALS = (InvalidInput, Conflict, NotFound)


def _users_page(
    request: Request,
    db: DB,
    current: Current,
    *,
    error: ToxPlanError | None = None,
    failed: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    return page(
        request,
        "users.html",
        current,
        status_code=status_of(error) if error else 200,
        rows=accounts.users(db, current.actor),
        roles=list(Role),
        error=error,
        failed=failed,
        form=form or {},
    )


@router.get("/users")
def user_list(request: Request, current: Admin, db: DB) -> Response:
    return _users_page(request, db, current)


@router.post("/users")
def add_user(request: Request, current: Admin, db: DB, form: Form) -> Response:
    data = {k: text(form, k) for k in ("name", "email", "role", "password")}
    try:
        accounts.add_user(db, current.actor, data)
    except REFUSALS as exc:
        db.rollback()
        kept = {k: v for k, v in values(form).items() if k != "password"}
        return _users_page(request, db, current, error=exc, failed="add", form=kept)
    return redirect("/users?added=1")


@router.post("/users/{user_id}")
def change_user(request: Request, user_id: str, current: Admin, db: DB, now: Now, form: Form) -> Response:
    data: dict[str, object] = {"role": text(form, "role")} if text(form, "role") else {}
    if text(form, "active") in ("yes", "no"):
        data["active"] = text(form, "active") == "yes"
    try:
        accounts.change_user(db, current.actor, user_id, data, now=now)
    except REFUSALS as exc:
        db.rollback()
        return _users_page(request, db, current, error=exc, failed=user_id)
    return redirect("/users?changed=1")


@router.post("/users/{user_id}/password")
def reset_password(request: Request, user_id: str, current: Admin, db: DB, now: Now, form: Form) -> Response:
    try:
        accounts.reset_password(db, current.actor, user_id, text(form, "new_password") or "", now=now)
    except REFUSALS as exc:
        db.rollback()
        return _users_page(request, db, current, error=exc, failed=user_id)
    return redirect("/users?reset=1")


@router.post("/users/{user_id}/second-factor/remove")
def remove_second_factor(request: Request, user_id: str, current: Admin, db: DB, now: Now) -> Response:
    try:
        accounts.remove_second_factor(db, current.actor, user_id, now=now)
    except REFUSALS as exc:
        db.rollback()
        return _users_page(request, db, current, error=exc, failed=user_id)
    return redirect("/users?removed=1")
