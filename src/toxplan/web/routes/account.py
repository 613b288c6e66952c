"""The signed-in user's account page: change the password, set up or remove an authenticator app."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from toxplan.auth import sessions
from toxplan.auth.sessions import Current
from toxplan.credentials import totp
from toxplan.errors import Conflict, InvalidInput, ToxPlanError
from toxplan.http.deps import DB, Allow, Now
from toxplan.http.errors import RateLimited
from toxplan.http.signin import check_current_password, set_session_cookie
from toxplan.primitives.roles import ALL_ROLES
from toxplan.services import accounts
from toxplan.web.access import redirect
from toxplan.web.forms import Form, status_of, text
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Current, Depends(Allow(*ALL_ROLES, enrolment=True))]
"""Every role, also while a required second factor is not set up yet (this is where it is)."""


def _account_page(
    request: Request, db: DB, current: Current, *, error: ToxPlanError | None = None, failed: str | None = None
) -> Response:
    pending = accounts.pending_second_factor(db, current.actor)
    return page(
        request,
        "account.html",
        current,
        status_code=status_of(error) if error else 200,
        error=error,
        failed=failed,
        enabled=accounts.second_factor_enabled(db, current.actor.user_id),
        pending=pending,
        qr=totp.qr_svg(pending.uri) if pending else None,
        required=current.actor.role in request.app.state.settings.security.second_factor_roles,
    )


@router.get("/account")
def account(request: Request, current: Anyone, db: DB) -> Response:
    return _account_page(request, db, current)


@router.post("/account/password")
def change_password(request: Request, current: Anyone, db: DB, now: Now, form: Form) -> Response:
    new = text(form, "new_password") or ""
    try:
        if new != (text(form, "new_password_again") or ""):
            raise InvalidInput("the two new passwords differ", field="new_password_again")
        check_current_password(request, current, text(form, "current_password") or "", now)
        user = accounts.change_own_password(db, current.actor, new, now=now)
    except (InvalidInput, RateLimited) as exc:
        db.rollback()
        return _account_page(request, db, current, error=exc, failed="password")
    fresh = sessions.open_session(db, user, now=now, security=request.app.state.settings.security)
    response = redirect("/account?changed=1")
    set_session_cookie(request, response, fresh.token)
    return response


@router.post("/account/second-factor")
def begin_second_factor(request: Request, current: Anyone, db: DB, now: Now) -> Response:
    try:
        accounts.begin_second_factor(db, current.actor, now=now)
    except Conflict as exc:
        return _account_page(request, db, current, error=exc, failed="second_factor")
    return redirect("/account#second-factor")


@router.post("/account/second-factor/confirm")
def confirm_second_factor(request: Request, current: Anyone, db: DB, now: Now, form: Form) -> Response:
    try:
        accounts.confirm_second_factor(db, current.actor, text(form, "code") or "", now=now)
    except (InvalidInput, Conflict) as exc:
        return _account_page(request, db, current, error=exc, failed="second_factor")
    return redirect("/account?enrolled=1")


@router.post("/account/second-factor/remove")
def remove_second_factor(request: Request, current: Anyone, db: DB, now: Now, form: Form) -> Response:
    required = request.app.state.settings.security.second_factor_roles
    try:
        if current.actor.role in required:
            raise Conflict("this clinic requires a second factor for your role", field="second_factor")
        check_current_password(request, current, text(form, "current_password") or "", now)
        accounts.remove_own_second_factor(db, current.actor, required_roles=required)
    except (InvalidInput, Conflict, RateLimited) as exc:
        return _account_page(request, db, current, error=exc, failed="remove")
    return redirect("/account?removed=1")
