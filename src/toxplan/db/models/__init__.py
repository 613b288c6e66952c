"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from toxplan.db.models.audit import AuditEvent
from toxplan.db.models.clinic import Clinic, User
from toxplan.db.models.inventory import Lot, Reconstitution
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
from toxplan.db.models.security import SignInThrottle, TrustedDevice, UserTotp
from toxplan.db.models.session import UserSession
from toxplan.db.models.treatment import Addendum, Cosignature, Treatment, TreatmentFinding, TreatmentInjection

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
    "Reconstitution",
    "Screening",
    "SignInThrottle",
    "Treatment",
    "TreatmentFinding",
    "TreatmentInjection",
    "TrustedDevice",
    "User",
    "UserSession",
    "UserTotp",
    "WeightRecord",
]
