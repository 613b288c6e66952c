"""Who may open which page: the API's ``Allow`` rule, named once per kind of page.

The services check roles again; these rules decide what a role is even offered (a front desk
user sees the patient list, never a clinical page).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.responses import RedirectResponse

from toxplan.auth.sessions import Current
from toxplan.http.deps import Allow
from toxplan.primitives.roles import ALL_ROLES, CLINICAL_RECORD_READERS, TREATING, Role

Staff = Annotated[Current, Depends(Allow(*ALL_ROLES))]
Reader = Annotated[Current, Depends(Allow(*CLINICAL_RECORD_READERS))]
"""Read patient records and manage stock (the services' rule for patients, lots and recall)."""
Prescriber = Annotated[Current, Depends(Allow(*TREATING))]
Director = Annotated[Current, Depends(Allow(Role.MEDICAL_DIRECTOR))]
Admin = Annotated[Current, Depends(Allow(Role.ADMIN))]


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: see-other, so a reload does not post again."""
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None, default: str) -> str:
    """Only local paths, so a form cannot send the browser elsewhere."""
    return target if target and target.startswith("/") and not target.startswith("//") else default
