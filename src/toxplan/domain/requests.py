"""The check request: the treatment, the patient and their history, as a caller sends them.

Shape errors (a negative dose, a date in the future, an unknown key) are refused here with
the field named. What is merely missing or unknown to the knowledge base is not an error:
the safety engine reports it as a finding.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from toxplan.errors import InvalidInput
from toxplan.knowledge.models import Depth, View

Units = Annotated[Decimal, Field(gt=0, le=10000, allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PositionIn(_In):
    x_mm: Annotated[Decimal, Field(ge=-300, le=300, allow_inf_nan=False)]
    y_mm: Annotated[Decimal, Field(ge=-400, le=300, allow_inf_nan=False)]
    view: View = "front"


class InjectionIn(_In):
    indication: Text
    site: Text | None = None
    position: PositionIn | None = None
    units: Units
    depth: Depth | None = None
    needle: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _where(self) -> InjectionIn:
        if self.site is None and self.position is None:
            raise ValueError("give a site or a position")
        return self


class CodedEntry(_In):
    """A coded problem-list entry, e.g. ``{"system": "icd10", "code": "G70.00"}``."""

    system: Literal["icd10", "icd-10", "icd-10-cm"]
    code: Text
    display: Text | None = None


class PatientIn(_In):
    birth_date: dt.date | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    weight_kg: Annotated[Decimal, Field(gt=0, le=400, allow_inf_nan=False)] | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    infection_at_site: bool | None = None
    conditions: tuple[Text | CodedEntry, ...] = ()
    medications: tuple[Text, ...] = ()
    allergies: tuple[Text, ...] = ()


class HistoryIn(_In):
    """A treatment already given: ``units`` of ``product`` for ``indication`` on ``date``."""

    date: dt.date
    product: Text
    indication: Text
    units: Units


class TreatmentIn(_In):
    product: Text
    vial_units: Units | None = None
    diluent_ml: Annotated[Decimal, Field(gt=0, le=100, allow_inf_nan=False)] | None = None
    reconstituted_at: dt.datetime | None = None
    injections: tuple[InjectionIn, ...] = Field(min_length=1)


class CheckRequest(_In):
    date: dt.date | None = None
    """Day of the planned treatment; ``complete`` fills in today when absent."""
    patient: PatientIn = PatientIn()
    history: tuple[HistoryIn, ...] = ()
    treatment: TreatmentIn


def complete(request: CheckRequest, *, today: dt.date) -> CheckRequest:
    """The request with its day filled in (today when absent) and its dates checked."""
    if request.date is None:
        request = request.model_copy(update={"date": today})
    _check_dates(request)
    return request


def _check_dates(request: CheckRequest) -> None:
    """Past events must not lie after the day being planned."""
    on = request.date
    assert on is not None
    birth = request.patient.birth_date
    if birth is not None and birth > on:
        raise InvalidInput(f"{birth} is after the treatment date {on}", field="patient.birth_date")
    for i, past in enumerate(request.history):
        if past.date > on:
            raise InvalidInput(
                f"{past.date} is after the treatment date {on}: history holds past treatments",
                field=f"history[{i}].date",
            )
    made = request.treatment.reconstituted_at
    if made is not None and made.date() > on:
        raise InvalidInput(f"{made} is after the treatment date {on}", field="treatment.reconstituted_at")


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def parse_check_request(data: object, *, today: dt.date) -> CheckRequest:
    """Validate a decoded JSON/YAML request; raise InvalidInput naming the first bad field."""
    if not isinstance(data, dict):
        raise InvalidInput("the request must be an object with a 'treatment'", field="request")
    try:
        request = CheckRequest.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = _location(tuple(error["loc"])) or "request"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise InvalidInput(message, field=field) from None
    return complete(request, today=today)
