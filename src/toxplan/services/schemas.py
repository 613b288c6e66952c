"""What callers send to the services. Invalid values are refused naming the field."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from toxplan import limits
from toxplan.db.models.outcome import EventOutcome, EventSeverity, EventType
from toxplan.domain.requests import Day, InjectionIn, Moment
from toxplan.errors import InvalidInput
from toxplan.limits import Fact, Id, Key, LotNumber, Name, Reason
from toxplan.primitives.fields import field_path
from toxplan.primitives.roles import Role

Text = limits.Note
OVERRIDE_CATEGORIES = {
    "clinically_indicated": "Clinically indicated and documented",
    "patient_informed": "Patient informed and accepts the risk",
    "label_fact_not_applicable": "The label fact does not apply to this patient",
}
"""Why a critical finding is overridden: one of these, and the reason in the clinician's words."""
REAL_WORD = re.compile(r"[^\W\d_]{2,}")
MIN_WORDS = 3


def real_words(text: str) -> list[str]:
    """Words of two or more letters that are not one letter repeated ("aaaa" is not a word)."""
    return [w for w in REAL_WORD.findall(text.lower()) if len(set(w)) > 1]


def _few_real_words(text: str) -> str:
    words = real_words(text)
    if len(words) < MIN_WORDS or len(set(words)) < MIN_WORDS:
        raise ValueError(f"write the reason in at least {MIN_WORDS} different real words")
    return text


Explanation = Annotated[Reason, AfterValidator(_few_real_words)]
Weight = Annotated[Decimal, Field(ge=Decimal("0.5"), le=400, decimal_places=2, allow_inf_nan=False)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Actor(_In):
    """Who is acting, in which clinic, in which role."""

    clinic_id: Id
    user_id: Id
    role: Role


class UserCreate(_In):
    name: Name
    email: limits.Email
    role: Role


class PatientCreate(_In):
    given_name: Name
    family_name: Name
    birth_date: Day
    sex: Literal["female", "male", "other", "unknown"]
    phone: limits.Phone | None = None
    email: Annotated[str, Field(max_length=limits.EMAIL, pattern=limits.NO_NUL)] | None = None
    weight_kg: Weight | None = None
    conditions: tuple[Fact, ...] = Field(default=(), max_length=limits.FACTS)
    medications: tuple[Fact, ...] = Field(default=(), max_length=limits.FACTS)
    allergies: tuple[Fact, ...] = Field(default=(), max_length=limits.FACTS)


class PatientDetails(_In):
    given_name: Name
    family_name: Name
    birth_date: Day
    sex: Literal["female", "male", "other", "unknown"]
    phone: Annotated[str, Field(max_length=limits.PHONE, pattern=limits.NO_NUL)] | None = None
    email: Annotated[str, Field(max_length=limits.EMAIL, pattern=limits.NO_NUL)] | None = None


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
    lot_number: LotNumber
    expiry_date: Day
    vial_units: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=2, allow_inf_nan=False)]
    vials_received: Annotated[int, Field(ge=1, le=100_000)] | None = None
    """How many vials of the lot arrived; without it the lot's stock is not counted."""


class VialDiscard(_In):
    reason: Name
    note: Text | None = None


class ReconstitutionCreate(_In):
    lot_id: Id
    diluent_ml: Annotated[Decimal, Field(gt=0, le=20, decimal_places=3, allow_inf_nan=False)]
    reconstituted_at: Moment


class ConsentSign(_In):
    """A consent signed on the tablet: the form shown (product, purpose, areas, the hash of its
    text) and what the patient gave (their typed name, their drawn signature)."""

    product: Name
    purpose: Literal["aesthetic", "therapeutic"] = "aesthetic"
    areas: tuple[Name, ...] = Field(min_length=1, max_length=40)
    text_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    signed_by: Annotated[str, Field(min_length=2, max_length=200, pattern=limits.NO_NUL)]
    """The patient's (or their legal representative's) name, as they typed it."""
    signature: Annotated[str, Field(min_length=50, max_length=600_000)]
    """The drawn signature: a PNG as a data URL or base64."""
    signed_at: Moment | None = None
    """When it was signed, if not now (a paper consent entered afterwards)."""


class ClinicSettingsUpdate(_In):
    consent_aesthetic: bool
    consent_therapeutic: bool
    consent_valid_months: Annotated[int, Field(ge=1, le=60)]
    usual_product: Name | None = None


class Override(_In):
    """The documented reason to go ahead despite a critical finding."""

    code: Key
    subject_id: Name | None = None
    """Limit the override to findings about this subject; None covers every finding of the code."""
    category: Literal["clinically_indicated", "patient_informed", "label_fact_not_applicable"]
    """clinically_indicated (and documented), patient_informed (accepts the risk), or
    label_fact_not_applicable (with why, in ``reason``)."""
    reason: Explanation


class TreatmentCreate(_In):
    patient_id: Id
    lot_id: Id
    product: Name | None = None
    """The product the plan was made for (id, INN or brand); when given, the lot must be of it."""
    reconstitution_id: Id | None = None
    diluent_ml: Annotated[Decimal, Field(gt=0, le=20, decimal_places=3, allow_inf_nan=False)] | None = None
    """Needed when no reconstitution is named."""
    visit_at: Moment
    screening_id: Id | None = None
    injections: tuple[InjectionIn, ...] = Field(min_length=1, max_length=limits.INJECTIONS)
    overrides: tuple[Override, ...] = Field(default=(), max_length=limits.OVERRIDES)
    note: Text | None = None


class ConsentCreate(_In):
    form_version: limits.FormVersion
    signed_by: Name
    """The patient, or their legal representative, by name."""
    signed_at: Moment


class AddendumCreate(_In):
    text: limits.AddendumText


class PlanTemplateCreate(_In):
    name: Annotated[str, Field(min_length=2, max_length=120, pattern=limits.NO_NUL)]
    product: Name
    injections: tuple[InjectionIn, ...] = Field(min_length=1, max_length=200)


class FollowUpRecord(_In):
    reviewed_on: Day
    fws_rest: Annotated[int, Field(ge=0, le=3)] | None = None
    fws_max: Annotated[int, Field(ge=0, le=3)] | None = None
    satisfaction: Annotated[int, Field(ge=1, le=5)] | None = None
    touch_up_units: Annotated[Decimal, Field(gt=0, le=100, decimal_places=3, allow_inf_nan=False)] | None = None
    effect_wore_off_on: Day | None = None
    note: Text | None = None


class AdverseEventCreate(_In):
    treatment_id: Id
    type: EventType
    onset_on: Day
    severity: EventSeverity
    serious: bool
    outcome: EventOutcome
    sites: tuple[Key, ...] = Field(default=(), max_length=limits.SITES)
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
    "Actor",
    "AddendumCreate",
    "AdverseEventCreate",
    "ClinicSettingsUpdate",
    "ConsentCreate",
    "ConsentSign",
    "FollowUpRecord",
    "LotCreate",
    "Override",
    "PatientCreate",
    "ReconstitutionCreate",
    "ScreeningCreate",
    "TreatmentCreate",
    "UserCreate",
    "VialDiscard",
    "parse",
]
