"""Schema of ``combinations.yaml``: indications a label doses only together with others.

The BOTOX Cosmetic label doses forehead lines only with glabellar lines (the brow depressors
are treated with the frontalis, to limit brow ptosis). A plan holding the first without the
second is checked against the label's combination and raises COMBINATION_OUTSIDE_LABEL.
"""

from __future__ import annotations

from pydantic import Field

from toxplan.knowledge.models import Cited, Identifier, Severity, Strict


class PlanCombination(Cited):
    id: Identifier
    planned: Identifier
    """The indication that needs company."""
    requires: tuple[Identifier, ...] = Field(min_length=1)
    """Any one of these planned in the same session satisfies the label's combination."""
    severity: Severity = "warning"
    reason: str


class CombinationFile(Strict):
    combinations: tuple[PlanCombination, ...] = Field(min_length=1)
