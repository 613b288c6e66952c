"""A clinic's policy: rules it wants stricter than the label. It can never loosen one."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from toxplan.errors import Problem
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.models import Category, Duration, Identifier, Severity, Strict
from toxplan.primitives.codes import CODES
from toxplan.primitives.vocabulary import SEVERITY_RANK


class SeverityFloor(Strict):
    """Findings with ``code`` are shown at least at ``severity``."""

    code: str
    severity: Severity
    reason: str


class IntervalRule(Strict):
    """A minimum time between treatments, for indications or whole categories."""

    id: Identifier
    categories: tuple[Category, ...] = ()
    indications: tuple[Identifier, ...] = ()
    minimum: Duration
    across_indications: bool = False
    """True: any earlier treatment in scope counts (e.g. 12 weeks between cosmetic sessions)."""
    severity: Severity = "warning"
    reason: str


class Policy(Strict):
    name: str
    severity_floors: tuple[SeverityFloor, ...] = ()
    intervals: tuple[IntervalRule, ...] = Field(default=())
    fixed_dose_factor: Decimal | None = Field(default=None, ge=1)
    """More than this many times a fixed label dose per site or per area is critical. It may
    only be lower (stricter) than ToxPlan's default in ``defaults.yaml`` (2)."""

    def floor(self, code: str) -> Severity | None:
        floors: list[Severity] = [f.severity for f in self.severity_floors if f.code == code]
        if not floors:
            return None
        return max(floors, key=lambda s: SEVERITY_RANK[s])

    def intervals_for(self, indication: str, category: str) -> list[IntervalRule]:
        return [rule for rule in self.intervals if indication in rule.indications or category in rule.categories]


def policy_problems(policy: Policy, kb: KnowledgeBase, file: str) -> list[Problem]:
    """Everything in ``policy`` that is unknown or looser than the label."""
    problems: list[Problem] = []
    for i, floor in enumerate(policy.severity_floors):
        field = f"severity_floors[{i}]"
        info = CODES.get(floor.code)
        if info is None:
            problems.append(Problem(file, f"{field}.code", f"unknown finding code {floor.code!r}"))
        elif SEVERITY_RANK[floor.severity] < SEVERITY_RANK[info.baseline]:
            problems.append(
                Problem(
                    file,
                    f"{field}.severity",
                    f"{floor.code} is {info.baseline} by the label; a policy may not lower it to {floor.severity}",
                )
            )
    default = kb.defaults.fixed_dose_factor.factor if kb.defaults is not None else None
    if policy.fixed_dose_factor is not None and default is not None and policy.fixed_dose_factor > default:
        problems.append(
            Problem(
                file,
                "fixed_dose_factor",
                f"{policy.fixed_dose_factor} is above ToxPlan's default of {default}; a policy may only tighten it",
            )
        )
    for i, rule in enumerate(policy.intervals):
        field = f"intervals[{i}]"
        if not rule.categories and not rule.indications:
            problems.append(Problem(file, field, "name the categories or indications it covers"))
        for j, ind in enumerate(rule.indications):
            if ind not in kb.indications:
                problems.append(Problem(file, f"{field}.indications[{j}]", f"unknown indication {ind!r}"))
        for (product, ind), regimen in kb.regimens.items():
            category = kb.indications[ind].category
            covered = ind in rule.indications or category in rule.categories
            label = regimen.min_interval
            # The label interval always applies as well; a same-indication policy interval shorter
            # than it could only be read as permission, so it is refused. An interval across
            # indications adds a constraint the label does not have, whatever its length.
            if label is None or not covered or rule.across_indications:
                continue
            if rule.minimum.approx_days() < label.minimum.approx_days():
                problems.append(
                    Problem(
                        file,
                        f"{field}.minimum",
                        f"{rule.minimum.describe()} is shorter than the label interval for {ind} "
                        f"with {product} ({label.minimum.describe()}); a policy may only be stricter",
                    )
                )
    return problems
