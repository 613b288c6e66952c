"""Schema of ``purpose_severity.yaml``: how severe a patient risk is, by the purpose of treatment.

Every indication is ``aesthetic`` (elective) or ``therapeutic`` (indications.yaml ``category``).
The US labels warn about the same risks whatever the purpose; an elective treatment has no
benefit to set against them, so by default ToxPlan raises some risks to critical for aesthetic
treatment (pregnancy, breastfeeding, neuromuscular junction disease, aminoglycoside therapy)
and keeps the label's warning for therapeutic treatment. The table is knowledge, not code: a
clinic policy may raise a severity further (``severity_floors``), never lower it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field, model_validator

from toxplan.knowledge.models import Category, Cited, Identifier, Severity, Strict

RANK: dict[Severity, int] = {"info": 0, "warning": 1, "critical": 2}


class PurposeSeverity(Strict):
    aesthetic: Severity
    therapeutic: Severity

    def of(self, purpose: Category) -> Severity:
        return self.aesthetic if purpose == "aesthetic" else self.therapeutic

    def strictest(self, purposes: Iterable[Category]) -> tuple[Severity, Category]:
        """The strictest severity over the plan's purposes (an unknown purpose counts as aesthetic)."""
        chosen = tuple(purposes) or ("aesthetic",)
        purpose = max(chosen, key=lambda p: (RANK[self.of(p)], p == "aesthetic"))
        return self.of(purpose), purpose


class PatientRisk(Cited):
    """A risk in the patient and how severe it is for each purpose, with the reason for each."""

    id: Identifier
    name: str
    severity: PurposeSeverity
    flag: Literal["pregnant", "breastfeeding"] | None = None
    """The screening answer that records it."""
    conditions: tuple[Identifier, ...] = ()
    """Problem-list conditions (conditions.yaml) that record it, or that a medicine implies."""
    drugs: tuple[str, ...] = ()
    """Medicines (interactions.yaml names) that are it; their eye, ear and skin forms stay info."""
    aesthetic: str
    """Why, for an aesthetic (elective) treatment: shown in the finding."""
    therapeutic: str
    """Why, for a therapeutic treatment."""

    @model_validator(mode="after")
    def _recorded_somewhere(self) -> PatientRisk:
        if self.flag is None and not self.conditions and not self.drugs:
            raise ValueError("give the flag, conditions or drugs that record this risk")
        return self


class PurposeSeverityFile(Strict):
    risks: tuple[PatientRisk, ...] = Field(min_length=1)
