"""Keys that make patients and lots findable however a name, phone or lot number is typed:
accents and case folded away, punctuation dropped. Kept up to date by ORM events, so every
write through the models (services, demo) fills them."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import event

from toxplan.db.models import Lot, Patient

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str | None) -> str:
    """Lower case, without accents, words separated by single spaces: "Müller-O'Brien" → "muller o brien"."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return _NOT_WORD.sub(" ", plain).strip()


def compact(text: str | None) -> str:
    """Letters and digits only: "BO4393-00100" → "bo439300100"."""
    return fold(text).replace(" ", "")


def digits(text: str | None) -> str:
    return "".join(c for c in text or "" if c.isdigit())


def patient_key(patient: Patient) -> str:
    return f" {fold(patient.given_name)} {fold(patient.family_name)} "


@event.listens_for(Patient, "before_insert")
@event.listens_for(Patient, "before_update")
def _patient_keys(_mapper: Any, _connection: Any, patient: Patient) -> None:
    patient.search_key = patient_key(patient)
    patient.phone_digits = digits(patient.phone) or None


@event.listens_for(Lot, "before_insert")
@event.listens_for(Lot, "before_update")
def _lot_key(_mapper: Any, _connection: Any, lot: Lot) -> None:
    lot.lot_key = compact(lot.lot_number)
