"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from toxplan.db.models.audit import AuditEvent
from toxplan.db.models.clinic import Clinic, User
from toxplan.db.models.inventory import Lot, Reconstitution, VialDraw
from toxplan.db.models.outcome import AdverseEvent, FollowUp
from toxplan.db.models.patient import (
    Consent,
    Patient,
    PatientAllergy,
    PatientCondition,
    PatientMedication,
    Screening,
    WeightRecord,
)
from toxplan.db.models.planning import PlanTemplate, RecallContact
from toxplan.db.models.session import UserSession
from toxplan.db.models.treatment import (
    Addendum,
    Cosignature,
    Treatment,
    TreatmentFinding,
    TreatmentInjection,
    TreatmentReview,
)

__all__ = [
    "Addendum",
    "AdverseEvent",
    "AuditEvent",
    "Clinic",
    "Consent",
    "Cosignature",
    "FollowUp",
    "Lot",
    "Patient",
    "PatientAllergy",
    "PatientCondition",
    "PatientMedication",
    "PlanTemplate",
    "RecallContact",
    "Reconstitution",
    "Screening",
    "Treatment",
    "TreatmentFinding",
    "TreatmentInjection",
    "TreatmentReview",
    "User",
    "UserSession",
    "VialDraw",
    "WeightRecord",
]

# The search keys of patients and lots are kept by ORM events: registered with the models.
from toxplan.db import search_keys as _search_keys  # noqa: F401
