"""What callers send to the services. Invalid values are refused naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toxplan.db.models.clinic import ROLES
from toxplan.db.models.outcome import EVENT_TYPES, OUTCOMES, SEVERITIES
from toxplan.domain.requests import NO_NUL, Day, InjectionIn, Moment
from toxplan.errors import InvalidInput
from toxplan.primitives.fields import field_path

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=NO_NUL)]
Reason = Annotated[str, Field(min_length=10, max_length=2000, pattern=NO_NUL)]
Weight = Annotated[Decimal, Field(ge=Decimal("0.5"), le=400, decimal_places=2, allow_inf_nan=False)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Actor(_In):
    """Who is acting, in which clinic, in which role."""

    clinic_id: str
    user_id: str
    role: Literal["injector", "medical_director", "front_desk", "admin"]


class UserCreate(_In):
    name: Name
    email: Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
    role: Literal["injector", "medical_director", "front_desk", "admin"]


class PatientCreate(_In):
    given_name: Name
    family_name: Name
    birth_date: Day
    sex: Literal["female", "male", "other", "unknown"]
    phone: Annotated[str, Field(max_length=50, pattern=NO_NUL)] | None = None
    email: Annotated[str, Field(max_length=320, pattern=NO_NUL)] | None = None
    weight_kg: Weight | None = None
    conditions: tuple[Text, ...] = ()
    medications: tuple[Text, ...] = ()
    allergies: tuple[Text, ...] = ()


class WeightRecordCreate(_In):
    weight_kg: Weight


class ScreeningCreate(_In):
    visit_on: Day
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    infection_at_site: bool | None = None
    new_medications: Text | None = None
    concern: Text | None = None
    muscles_on_animation: Text | None = None


class LotCreate(_In):
    product: Name
    lot_number: Annotated[str, Field(min_length=1, max_length=60, pattern=NO_NUL)]
    expiry_date: Day
    vial_units: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=2, allow_inf_nan=False)]


class ReconstitutionCreate(_In):
    lot_id: str
    diluent_ml: Annotated[Decimal, Field(gt=0, le=20, decimal_places=3, allow_inf_nan=False)]
    reconstituted_at: Moment


class Override(_In):
    """The documented reason to go ahead despite a critical finding."""

    code: Name
    subject_id: Name | None = None
    """Limit the override to findings about this subject; None covers every finding of the code."""
    reason: Reason


class TreatmentCreate(_In):
    patient_id: str
    lot_id: str
    product: Name | None = None
    """The product the plan was made for (id, INN or brand); when given, the lot must be of it."""
    reconstitution_id: str | None = None
    diluent_ml: Annotated[Decimal, Field(gt=0, le=20, decimal_places=3, allow_inf_nan=False)] | None = None
    """Needed when no reconstitution is named."""
    visit_at: Moment
    screening_id: str | None = None
    injections: tuple[InjectionIn, ...] = Field(min_length=1, max_length=200)
    overrides: tuple[Override, ...] = ()
    note: Text | None = None


class FollowUpRecord(_In):
    reviewed_on: Day
    fws_rest: Annotated[int, Field(ge=0, le=3)] | None = None
    fws_max: Annotated[int, Field(ge=0, le=3)] | None = None
    satisfaction: Annotated[int, Field(ge=1, le=5)] | None = None
    touch_up_units: Annotated[Decimal, Field(gt=0, le=100, decimal_places=3, allow_inf_nan=False)] | None = None
    effect_wore_off_on: Day | None = None
    note: Text | None = None


class AdverseEventCreate(_In):
    treatment_id: str
    type: Literal[EVENT_TYPES]  # type: ignore[valid-type]
    onset_on: Day
    severity: Literal[SEVERITIES]  # type: ignore[valid-type]
    serious: bool
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    sites: tuple[Name, ...] = ()
    description: Text | None = None


CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far ahead of the server's clock a device may be before its time counts as future."""


def require_past(moment: dt.datetime, *, now: dt.datetime, field: str) -> None:
    """A recorded moment must carry its time zone and must not lie in the future."""
    if moment.tzinfo is None:
        raise InvalidInput("give the time zone (e.g. 2026-11-25T10:00:00+00:00)", field=field)
    if moment > now + CLOCK_SKEW:
        raise InvalidInput(f"{moment} is in the future", field=field)


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: object) -> M:
    """Validate ``data`` as ``model``; raise InvalidInput naming the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = field_path(error["loc"]) or model.__name__
        raise InvalidInput(str(error["msg"]).removeprefix("Value error, "), field=field) from None


__all__ = [
    "ROLES",
    "Actor",
    "AdverseEventCreate",
    "FollowUpRecord",
    "LotCreate",
    "Override",
    "PatientCreate",
    "ReconstitutionCreate",
    "ScreeningCreate",
    "TreatmentCreate",
    "UserCreate",
    "parse",
]
