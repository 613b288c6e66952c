"""The clinical regression suite: every case in ``cases/`` checked like `toxplan check` would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from toxplan.domain.checking import check
from toxplan.domain.requests import parse_check_request
from toxplan.domain.safety.findings import SEVERITY_RANK, Finding
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.models import Severity
from toxplan.knowledge.policy import Policy, policy_problems

CASES = Path(__file__).parent / "cases"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expected(Strict):
    code: str
    severity: Severity | None = None
    at_least: Severity | None = None
    subject: str | None = None
    message_contains: str | None = None

    @model_validator(mode="after")
    def _one_severity(self) -> Expected:
        if self.severity is not None and self.at_least is not None:
            raise ValueError("give severity or at_least, not both")
        return self

    def matches(self, finding: Finding) -> bool:
        if finding.code != self.code:
            return False
        if self.severity is not None and finding.severity != self.severity:
            return False
        if self.at_least is not None and SEVERITY_RANK[finding.severity] < SEVERITY_RANK[self.at_least]:
            return False
        if self.subject is not None:
            kind, _, ident = self.subject.partition(":")
            if finding.subject.type != kind or (ident and finding.subject.id != ident):
                return False
        return self.message_contains is None or self.message_contains.lower() in finding.message.lower()


class Case(Strict):
    description: str = Field(min_length=10)
    why: str = Field(min_length=10)
    at: dt.datetime | None = None
    policy: dict[str, Any] | None = None
    request: dict[str, Any]
    expect: tuple[Expected, ...] = ()
    absent: tuple[str, ...] = ()
    critical: bool

    @model_validator(mode="after")
    def _asserts_something(self) -> Case:
        if not self.expect and not self.absent:
            raise ValueError("a case must expect some finding or rule some out")
        return self


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def load_case(path: Path) -> Case:
    return Case.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def run_case(kb: KnowledgeBase, case: Case) -> list[Finding]:
    day = dt.date.fromisoformat(str(case.request.get("date", "2026-11-25")))
    at = case.at or dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    parsed = parse_check_request(case.request, today=day)
    policy = None
    if case.policy is not None:
        policy = Policy.model_validate(case.policy)
        problems = policy_problems(policy, kb, "case policy")
        assert not problems, problems
    return list(check(kb, parsed, at=at, policy=policy).result.findings)


def describe(found: list[Finding]) -> str:
    return "\n".join(f"  {f.severity} {f.code} [{f.subject.type}:{f.subject.id}] {f.message}" for f in found)


def test_the_suite_is_not_empty() -> None:
    assert case_files(), "no clinical cases found"


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_case(kb: KnowledgeBase, path: Path) -> None:
    case = load_case(path)
    found = run_case(kb, case)
    for expected in case.expect:
        assert any(expected.matches(f) for f in found), f"{path.name}: expected {expected}; got\n{describe(found)}"
    for code in case.absent:
        assert not any(f.code == code for f in found), f"{path.name}: {code} must not appear; got\n{describe(found)}"
    is_critical = any(f.critical for f in found)
    assert is_critical == case.critical, f"{path.name}: critical should be {case.critical}; got\n{describe(found)}"


def test_a_case_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValueError, match="expected_findings"):
        Case.model_validate(
            {
                "description": "a typo'd case",
                "why": "it must not pass silently",
                "request": {},
                "critical": True,
                "expected_findings": [],
            }
        )
