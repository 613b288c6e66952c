"""Typed errors shared by every layer. Each surface (CLI, API, web) has one handler for them."""

from __future__ import annotations

from dataclasses import dataclass


class ToxPlanError(Exception):
    """Base of every error ToxPlan raises on purpose. ``code`` is stable for callers."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(ToxPlanError):
    """A request or argument is malformed; ``field`` names the offending input."""

    code = "invalid_input"


class NotFound(ToxPlanError):
    """A named thing (product, indication, site, variant) does not exist."""

    code = "not_found"


class PlanNotAvailable(ToxPlanError):
    """The knowledge base has no label-standard pattern for what was asked."""

    code = "plan_not_available"


@dataclass(frozen=True)
class Problem:
    """One problem found in the knowledge base: where it is and what is wrong."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class KnowledgeBaseError(ToxPlanError):
    """The knowledge base (or a clinic policy) failed to load; every problem is listed."""

    code = "knowledge_base_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n{lines}")


class Conflict(ToxPlanError):
    """The request is well-formed but the records forbid it (e.g. signing with an open
    critical finding, co-signing twice)."""

    code = "conflict"


class Forbidden(ToxPlanError):
    """The user's role does not allow this action."""

    code = "forbidden"
