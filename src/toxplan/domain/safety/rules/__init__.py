"""Built-in safety rules, one small pure function per rule, grouped by topic.

Importing this package registers them; see ``registry.rule``.
"""

from toxplan.domain.safety.rules import doses, muscles, patient, plan_checks, site_limits, timing

__all__ = ["doses", "muscles", "patient", "plan_checks", "site_limits", "timing"]
