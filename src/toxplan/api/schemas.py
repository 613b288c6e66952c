"""What the API returns (``XRead``), built from ORM rows and service results, never the rows
themselves: a response shows only the fields listed here, so a new column cannot leak.

Also the few request bodies no service schema describes (consent, addendum).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer, field_validator

from toxplan import limits
from toxplan.presenters import number

Num = Annotated[Decimal, PlainSerializer(number, return_type=int | float, when_used="json")]
"""Decimals go out as JSON numbers with their own digits, as in the check endpoint."""


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Paged(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    total: int


# --- patients --------------------------------------------------------------------------------


class PatientSummary(_Read):
    """What any staff member (front desk included) sees: who, not what was done."""

    id: str
    given_name: str
    family_name: str
    birth_date: dt.date


class PatientPage(Paged[PatientSummary]):
    pass


class FactRead(_Read):
    text: str
    code: str | None


class WeightRead(_Read):
    measured_on: dt.date
    weight_kg: Num


class PatientRead(PatientSummary):
    """The clinical view."""

    sex: str
    phone: str | None
    email: str | None
    conditions: list[FactRead]
    medications: list[FactRead]
    allergies: list[FactRead]
    weight: WeightRead | None


class ScreeningRead(_Read):
    id: str
    patient_id: str
    visit_on: dt.date
    pregnant: bool | None
    breastfeeding: bool | None
    infection_at_site: bool | None
    new_medications: str | None
    concern: str | None
    muscles_on_animation: str | None
    recorded_by: str


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    form_version: limits.FormVersion
    signed_by: limits.Name
    """The patient, or their legal representative, by name."""
    signed_at: AwareDatetime

    @field_validator("signed_at")
    @classmethod
    def _storable(cls, value: dt.datetime) -> dt.datetime:
        # Stored in UTC: a time that cannot be expressed in UTC (year 1 east of Greenwich,
        # year 9999 west of it) must be refused here, not fail in the database.
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:
            raise ValueError("out of range") from None


class ConsentRead(_Read):
    id: str
    patient_id: str
    form_version: str
    signed_by: str
    signed_at: dt.datetime
    witnessed_by: str
    product: str | None = None
    """None for consents recorded without a form (they cover no treatment)."""
    purpose: str | None = None
    areas: str | None = None
    """Indication ids, space-separated."""
    text_sha256: str | None = None


class ConsentSectionRead(BaseModel):
    heading: str
    paragraphs: list[str]


class ConsentFormRead(BaseModel):
    """A consent form filled in for a product and areas: show ``text``, send back ``text_sha256``."""

    form_id: str
    version: str
    title: str
    product: str
    purpose: str
    areas: list[str]
    off_label: list[str]
    sections: list[ConsentSectionRead]
    text: str
    text_sha256: str


# --- treatments ------------------------------------------------------------------------------


class InjectionRead(_Read):
    seq: int
    indication: str
    site: str | None
    muscle: str | None
    units: Num
    volume_ml: Num
    depth: str | None
    needle: str | None
    note: str | None
    x_mm: Num | None
    y_mm: Num | None
    view: str | None


class FindingRead(_Read):
    code: str
    severity: str
    message: str
    subject_type: str
    subject_id: str
    subject_row: int | None
    citations: list[str]
    override_reason: str | None
    """Why the injector went ahead despite this critical finding."""

    @field_validator("citations", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value  # stored space-separated


class CosignatureRead(_Read):
    treatment_id: str
    user_id: str
    user_name: str = ""
    signed_at: dt.datetime


class AddendumIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: limits.AddendumText


class AddendumRead(_Read):
    id: str
    treatment_id: str
    author_id: str
    author_name: str = ""
    text: str
    created_at: dt.datetime


class FollowUpRead(_Read):
    id: str
    patient_id: str
    treatment_id: str
    due_on: dt.date
    reviewed_on: dt.date | None
    fws_rest: int | None
    fws_max: int | None
    satisfaction: int | None
    touch_up_units: Num | None
    effect_wore_off_on: dt.date | None
    note: str | None


class FollowUpReviewRead(_Read):
    """One version of a follow-up's review; a later review adds a version, never replaces one."""

    follow_up_id: str
    version: int
    reviewed_on: dt.date | None
    fws_rest: int | None
    fws_max: int | None
    satisfaction: int | None
    touch_up_units: Num | None
    effect_wore_off_on: dt.date | None
    note: str | None
    recorded_by: str | None
    """None only for a review recorded before versions were kept."""
    recorded_at: dt.datetime


class TreatmentRead(_Read):
    id: str
    patient_id: str
    injector_id: str
    injector_name: str
    visit_at: dt.datetime
    signed_at: dt.datetime
    product: str
    lot_id: str
    lot_number: str
    reconstitution_id: str | None
    vial_units: Num
    diluent_ml: Num
    total_units: Num
    knowledge_version: str
    screening_id: str | None
    note: str | None
    injections: list[InjectionRead]
    findings: list[FindingRead]
    cosignature: CosignatureRead | None
    addenda: list[AddendumRead]
    follow_up: FollowUpRead | None


class TimelineEntry(BaseModel):
    treatment_id: str
    visit_at: dt.datetime
    product: str
    lot_number: str
    total_units: Num
    indications: list[str]
    injector: str
    cosigned: bool
    findings: dict[str, int]
    """Findings shown at signing by severity (critical, warning, info)."""
    overridden: int
    """Critical findings the injector documented a reason to go ahead despite."""


class CosignQueueItem(BaseModel):
    treatment_id: str
    patient_id: str
    patient_name: str
    visit_at: dt.datetime
    signed_at: dt.datetime
    product: str
    total_units: Num
    lot_number: str
    injector_id: str
    injector_name: str


class CosignPage(Paged[CosignQueueItem]):
    pass


# --- outcomes --------------------------------------------------------------------------------


class IndicationSummaryRead(_Read):
    indication: str
    treatments: int
    last_date: dt.date | None
    last_product: str | None
    last_units: Num | None
    last_fws_max: int | None
    last_satisfaction: int | None
    effect_days: list[int]
    mean_effect_days: int | None
    adverse_events: list[str]


class DoseWindowRead(_Read):
    product: str
    brand: str
    units: Num
    maximum: Num | None
    window: str | None
    since: dt.date | None
    citations: list[str]


class AdverseEventRead(_Read):
    id: str
    patient_id: str
    treatment_id: str
    lot_id: str
    type: str
    onset_on: dt.date
    severity: str
    serious: bool
    outcome: str
    sites: list[str]
    description: str | None
    recorded_by: str
    recorded_at: dt.datetime

    @field_validator("sites", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value


class FollowUpQueueItem(FollowUpRead):
    patient_name: str
    overdue: bool


class FollowUpPage(Paged[FollowUpQueueItem]):
    pass


# --- inventory -------------------------------------------------------------------------------


class LotRead(_Read):
    id: str
    product: str
    lot_number: str
    expiry_date: dt.date
    vial_units: Num
    received_at: dt.datetime
    vials_received: int | None = None
    """None: the lot was recorded without a received count, so its stock is not counted."""


class LotStock(LotRead):
    days_to_expiry: int
    """Negative once expired."""
    expiring_soon: bool
    """Expires within 30 days and has not yet expired."""
    expired: bool


class ReconstitutionRead(_Read):
    id: str
    lot_id: str
    diluent_ml: Num
    reconstituted_at: dt.datetime
    by_user_id: str
    discarded_at: dt.datetime | None = None
    discard_reason: str | None = None


class VialRead(BaseModel):
    """A vial made up from a lot, with the units left in it and when it must be used by."""

    vial: ReconstitutionRead
    lot_number: str
    product: str
    units_left: Num
    use_by: dt.datetime
    use_by_known: bool
    """False: the product's in-use time is not in the knowledge base; the shortest known applies."""
    status: Literal["open", "empty", "expired", "discarded"]


class RecallRead(_Read):
    patient_id: str
    patient_name: str
    treatment_id: str
    visit_at: dt.datetime
    product: str
    units: Num
    lot_number: str
    phone: str | None = None
    email: str | None = None
    contacted_at: dt.datetime | None = None
