"""The rule registry. Built-in rules register themselves the way any later rule would."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from toxplan.domain.safety.context import CheckContext
from toxplan.domain.safety.findings import CODES, Finding

RuleFunction = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    name: str
    codes: tuple[str, ...]
    """The finding codes this rule may emit."""
    check: RuleFunction


RULES: list[Rule] = []


def rule(*codes: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function that may emit ``codes``."""
    unknown = [c for c in codes if c not in CODES]
    if unknown:
        raise ValueError(f"unknown finding codes {unknown}")

    def register(function: RuleFunction) -> RuleFunction:
        RULES.append(Rule(function.__name__, codes, function))
        return function

    return register
