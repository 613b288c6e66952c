"""The staff roles and the named sets of roles that share a permission.

Every layer checks roles against these names: the services (``require``), the API and page
rules (``Allow``), the templates and the tests. The values are the strings stored in
``users.role`` (its CHECK constraint lists exactly these), so a ``Role`` compares equal to the
stored text and needs no conversion on the way in or out.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    INJECTOR = "injector"
    MEDICAL_DIRECTOR = "medical_director"
    FRONT_DESK = "front_desk"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)
"""Anyone signed in: the patient list, the knowledge base, plans, follow-ups due."""

TREATING = frozenset({Role.INJECTOR, Role.MEDICAL_DIRECTOR})
"""Clinicians who treat: plan, check, sign treatments and consents, record outcomes, upload photos."""

CLINICAL_RECORD_READERS = frozenset({Role.INJECTOR, Role.MEDICAL_DIRECTOR, Role.ADMIN})
"""Read the clinical record (screenings, treatments, consents, photos), manage stock, export."""

OVERSIGHT = frozenset({Role.MEDICAL_DIRECTOR, Role.ADMIN})
"""Watch over the clinic: the audit log, the safety report, the integrity check, clinic settings."""

DIRECTORS = frozenset({Role.MEDICAL_DIRECTOR})
"""Co-sign and review other injectors' treatments."""

ADMINS = frozenset({Role.ADMIN})
"""Manage users, roles, second factors and the consent texts."""

ROLE_SETS: dict[str, frozenset[Role]] = {
    "ALL_ROLES": ALL_ROLES,
    "TREATING": TREATING,
    "CLINICAL_RECORD_READERS": CLINICAL_RECORD_READERS,
    "OVERSIGHT": OVERSIGHT,
    "DIRECTORS": DIRECTORS,
    "ADMINS": ADMINS,
}
"""Every named set, for the templates (``roles.TREATING``) and the tests."""


def in_order(roles: frozenset[Role]) -> list[Role]:
    """The roles in their declared order, so messages and lists read the same every time."""
    return [role for role in Role if role in roles]
