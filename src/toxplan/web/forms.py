"""Reading HTML forms for the page handlers.

Handlers are plain ``def`` functions (run in the thread pool) because the services block on
the database; the form body is read here, in an async dependency, so no handler has to be a
coroutine. Values go to the services as strings: their schemas validate them and name the
field that is wrong.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from toxplan.errors import InvalidInput, ToxPlanError
from toxplan.http.errors import STATUS


async def _form(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(_form)]


def text(form: FormData, name: str) -> str | None:
    """A text field, or None when it is missing or blank (services treat None as 'not given')."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def lines(form: FormData, name: str) -> list[str]:
    """One entry per line of a textarea (conditions, medications, allergies)."""
    return [line.strip() for line in (text(form, name) or "").splitlines() if line.strip()]


def yes_no(form: FormData, name: str) -> bool | None:
    """A yes / no / not asked radio group."""
    return {"yes": True, "no": False}.get(text(form, name) or "")


def local_time(form: FormData, name: str) -> dt.datetime | None:
    """A ``datetime-local`` field, read in the browser's time zone.

    forms.js fills ``tz_offset`` with the browser's UTC offset (minutes, as JavaScript's
    getTimezoneOffset gives it); without JavaScript the time is taken as UTC.
    """
    raw = text(form, name)
    if raw is None:
        return None
    try:
        naive = dt.datetime.fromisoformat(raw)
        offset = int(text(form, "tz_offset") or 0)
    except ValueError:
        raise InvalidInput("give a date and time", field=name) from None
    if not -900 <= offset <= 900:
        raise InvalidInput("time zone offset out of range", field="tz_offset")
    return naive.replace(tzinfo=dt.timezone(-dt.timedelta(minutes=offset)))


def status_of(exc: ToxPlanError) -> int:
    """The HTTP status the API gives this error; forms re-rendered with it keep the same meaning."""
    return next((status for cls, status in STATUS.items() if isinstance(exc, cls)), 400)


def values(form: FormData) -> dict[str, str]:
    """The submitted text values, to refill a form that was refused."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
