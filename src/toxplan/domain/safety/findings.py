"""Findings: what the safety engine tells the clinician (the catalogue of codes is in
``toxplan.primitives.codes``, re-exported here)."""

from __future__ import annotations

from typing import Literal, NamedTuple

from toxplan.primitives.codes import CODES, CodeInfo
from toxplan.primitives.vocabulary import SEVERITY_RANK, Severity, stricter

__all__ = ["CODES", "SEVERITY_RANK", "CodeInfo", "Finding", "Subject", "SubjectType", "sort_key", "stricter"]

SubjectType = Literal[
    "injection",
    "indication",
    "drug",
    "condition",
    "allergy",
    "product",
    "patient",
    "history",
    "dilution",
    "vial",
    "screening",
]


class Subject(NamedTuple):
    """What a finding is about: an injection (by its index in the plan), a drug, ..."""

    type: SubjectType
    id: str
    row: int | None = None
    """Position of the subject in its list (injections, medications, history), from 0."""


class Finding(NamedTuple):
    code: str
    severity: Severity
    message: str
    subject: Subject
    citations: tuple[str, ...]

    @property
    def critical(self) -> bool:
        return self.severity == "critical"


def sort_key(finding: Finding) -> tuple[int, str, str, int]:
    index = finding.subject.row if finding.subject.row is not None else -1
    return (-SEVERITY_RANK[finding.severity], finding.code, finding.subject.id, index)
