"""Run every rule over one check and return the findings, most severe first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from toxplan.domain.plans import Plan
from toxplan.domain.requests import HistoryIn, PatientIn
from toxplan.domain.safety import rules as _rules  # noqa: F401  (registers the built-in rules)
from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import Finding, sort_key, stricter
from toxplan.domain.safety.registry import RULES
from toxplan.domain.safety.wording import strongest_citations
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.policy import Policy


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    knowledge_version: str

    @property
    def critical(self) -> bool:
        return any(f.critical for f in self.findings)


def evaluate(
    kb: KnowledgeBase,
    plan: Plan,
    *,
    patient: PatientIn,
    history: tuple[HistoryIn, ...] = (),
    on: dt.date,
    at: dt.datetime | None = None,
    reconstituted_at: dt.datetime | None = None,
    policy: Policy | None = None,
) -> CheckResult:
    """All findings for ``plan``; ``at`` is the moment of injection, for in-use times."""
    ctx = CheckContext(
        kb=kb,
        plan=plan,
        patient=patient,
        history=history,
        on=on,
        at=at,
        reconstituted_at=reconstituted_at,
        policy=policy,
        product=kb.find_product(plan.product),
    )
    findings: list[Finding] = []
    for registered in RULES:
        for f in registered.check(ctx):
            cited = strongest_citations(kb, f.citations)
            findings.append(f if cited == f.citations else Finding(f.code, f.severity, f.message, f.subject, cited))
    if policy is not None:
        findings = [_apply_floor(f, policy) for f in findings]
    findings.sort(key=sort_key)
    return CheckResult(tuple(findings), kb.version)


def _apply_floor(finding: Finding, policy: Policy) -> Finding:
    floor = policy.floor(finding.code)
    if floor is None:
        return finding
    return finding._replace(severity=stricter(finding.severity, floor))
