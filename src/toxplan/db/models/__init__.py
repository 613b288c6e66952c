"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from toxplan.db.models.audit import AuditEvent
from toxplan.db.models.clinic import Clinic, User
from toxplan.db.models.inventory import Lot, Reconstitution, VialDraw
from toxplan.db.models.outcome import AdverseEvent, FollowUp, FollowUpReview
from toxplan.db.models.patient import (
    Consent,
    Patient,
    PatientAllergy,
    PatientCondition,
    PatientMedication,
    Screening,
    WeightRecord,
)
from toxplan.db.models.photo import Photo
from toxplan.db.models.planning import PlanTemplate, RecallContact
from toxplan.db.models.security import SignInThrottle, TrustedDevice, UserTotp
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
    "FollowUpReview",
    "Lot",
    "Patient",
    "PatientAllergy",
    "PatientCondition",
    "PatientMedication",
    "Photo",
    "PlanTemplate",
    "RecallContact",
    "Reconstitution",
    "Screening",
    "SignInThrottle",
    "Treatment",
    "TreatmentFinding",
    "TreatmentInjection",
    "TreatmentReview",
    "TrustedDevice",
    "User",
    "UserSession",
    "UserTotp",
    "VialDraw",
    "WeightRecord",
]

# The search keys of patients and lots are kept by ORM events: registered with the models.
from toxplan.db import search_keys as _search_keys  # noqa: F401
