"""Template filters: times, units and labels written the same way on every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from markupsafe import Markup, escape

from toxplan.presenters import number


def when(value: dt.datetime | None) -> Markup:
    """A <time> in UTC; forms.js rewrites it in the browser's own time zone."""
    if value is None:
        return Markup("")
    utc = value.astimezone(dt.UTC)
    return Markup('<time datetime="{}" data-local>{}</time>').format(
        utc.isoformat(), utc.strftime("%Y-%m-%d %H:%M UTC")
    )


def units(value: Decimal | float | int | None) -> str:
    if value is None:
        return "–"
    return f"{number(Decimal(str(value)))}"


def label(value: str | None) -> str:
    """An id as words: ``glabellar_lines`` → ``glabellar lines``."""
    return "" if value is None else value.replace("_", " ")


def yes_no(value: bool | None) -> str:
    return "not asked" if value is None else "yes" if value else "no"


def severity(value: str) -> Markup:
    return Markup('<span class="badge sev-{0}">{0}</span>').format(escape(value))


FILTERS = {"when": when, "units": units, "label": label, "yes_no": yes_no, "severity": severity}
