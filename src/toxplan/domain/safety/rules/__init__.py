"""Built-in safety rules, one small pure function per rule, grouped by topic.

Importing this package registers them; see ``registry.rule``.
"""

from toxplan.domain.safety.rules import (
    combinations,
    doses,
    muscles,
    patient,
    plan_checks,
    problem_list,
    site_limits,
    timing,
)

__all__ = ["combinations", "doses", "muscles", "patient", "plan_checks", "problem_list", "site_limits", "timing"]
