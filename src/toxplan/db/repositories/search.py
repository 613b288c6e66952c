"""How a typed search finds patients: names in any order ("Rosa Chen", "Chen, Rosa"), without
regard to accents or case, a date of birth (2026-03-14, 14.03.2026, 03/14/2026) or part of a
phone number."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import ColumnElement, and_, false, or_

from toxplan.db.models import Patient
from toxplan.db.search_keys import digits, fold

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y")
MIN_PHONE_DIGITS = 4


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def dates_in(text: str) -> set[dt.date]:
    found = set()
    for fmt in DATE_FORMATS:
        try:
            found.add(dt.datetime.strptime(text.strip(), fmt).date())
        except ValueError:
            continue
    return found


def patient_filter(text: str) -> ColumnElement[bool]:
    """The WHERE clause for a search text (the caller adds the clinic)."""
    text = text.strip()
    options: list[ColumnElement[bool]] = []
    born = dates_in(text)
    if born:
        options.append(Patient.birth_date.in_(sorted(born)))
    number = digits(text)
    if len(number) >= MIN_PHONE_DIGITS and not re.search(r"[^\W\d_]", text):
        options.append(Patient.phone_digits.like(_like(number), escape="\\"))
    words = fold(text).split()
    if words and not born:
        options.append(and_(*(Patient.search_key.like(_like(f" {w}"), escape="\\") for w in words)))
    return or_(*options) if options else false()
