"""The check request: the treatment, the patient and their history, as a caller sends them.

Shape errors (a negative dose, a date in the future, an unknown key) are refused here with
the field named. What is merely missing or unknown to the knowledge base is not an error:
the safety engine reports it as a finding.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from toxplan import limits
from toxplan.errors import InvalidInput
from toxplan.knowledge.models import Depth, View
from toxplan.limits import Key
from toxplan.primitives.fields import field_path
from toxplan.primitives.numbers import UNITS_STEP


def _units_step(value: Decimal) -> Decimal:
    # The same rule as Field(decimal_places=3), without the digit tuple pydantic builds for it
    # (a request carries dozens of doses: this check ran longer than the safety rules).
    if value != value.quantize(UNITS_STEP):
        raise ValueError("Decimal input should have no more than 3 decimal places")
    return value


Units = Annotated[Decimal, Field(gt=0, le=10000, allow_inf_nan=False), AfterValidator(_units_step)]
"""Units to 0.001: finer doses cannot be drawn, and records keep three decimals."""
Text = limits.Fact


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
"""The plausible days (checked natively by pydantic: a request carries dozens of dates)."""


def _plausible_moment(value: dt.datetime) -> dt.datetime:
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise ValueError(f"{value} is not a plausible date")
    if value.tzinfo is not None:  # stored in UTC: the day there must be plausible too
        try:
            in_utc = value.astimezone(dt.UTC)
        except OverflowError:
            raise ValueError(f"{value} is not a plausible time") from None
        if not FIRST_DAY.year <= in_utc.year <= LAST_DAY.year:
            raise ValueError(f"{value} is {in_utc:%Y-%m-%d %H:%M} in UTC: not a plausible time")
    return value


Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Moment = Annotated[dt.datetime, AfterValidator(_plausible_moment)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PositionIn(_In):
    x_mm: Annotated[Decimal, Field(ge=-300, le=300, allow_inf_nan=False)]
    y_mm: Annotated[Decimal, Field(ge=-400, le=300, allow_inf_nan=False)]
    view: View = "front"


class InjectionIn(_In):
    indication: Key
    site: Key | None = None
    position: PositionIn | None = None
    units: Units
    depth: Depth | None = None
    needle: Key | None = None
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
    birth_date: Day | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    weight_kg: Annotated[Decimal, Field(ge=Decimal("0.5"), le=400, decimal_places=2, allow_inf_nan=False)] | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    infection_at_site: bool | None = None
    conditions: tuple[Text | CodedEntry, ...] = Field(default=(), max_length=limits.FACTS)
    medications: tuple[Text, ...] = Field(default=(), max_length=limits.FACTS)
    allergies: tuple[Text, ...] = Field(default=(), max_length=limits.FACTS)


class HistoryIn(_In):
    """A treatment already given: ``units`` of ``product`` for ``indication`` on ``date``."""

    date: Day
    product: Key
    indication: Key
    units: Units


class TreatmentIn(_In):
    product: Key
    vial_units: Units | None = None
    diluent_ml: Annotated[Decimal, Field(gt=0, le=100, allow_inf_nan=False)] | None = None
    reconstituted_at: Moment | None = None
    injections: tuple[InjectionIn, ...] = Field(min_length=1, max_length=limits.INJECTIONS)


class CheckRequest(_In):
    date: Day | None = None
    """Day of the planned treatment; ``complete`` fills in today when absent."""
    patient: PatientIn = PatientIn()
    history: tuple[HistoryIn, ...] = Field(default=(), max_length=limits.HISTORY)
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


def parse_check_request(data: object, *, today: dt.date) -> CheckRequest:
    """Validate a decoded JSON/YAML request; raise InvalidInput naming the first bad field."""
    if not isinstance(data, dict):
        raise InvalidInput("the request must be an object with a 'treatment'", field="request")
    try:
        request = CheckRequest.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = field_path(error["loc"]) or "request"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise InvalidInput(message, field=field) from None
    return complete(request, today=today)
