"""Event rates with their 95 % confidence interval, and the comparison with a label's rate.

The interval is the Wilson score interval (SciPy's ``binomtest(...).proportion_ci(method=
"wilson")``, without continuity correction): unlike the plain normal ("Wald") interval it stays
inside 0-100 % and behaves at 0 events and small counts, which is what a clinic's side-effect
counts are. A clinic rate is *clearly above* the label when the interval's lower bound is above
the label's rate: the clinic's own numbers then rule out, at the 95 % level, a true rate at or
below the label's. A rate whose point estimate is above the label but whose interval still
holds the label's rate is shown, not flagged.

A flag also needs at least ``MIN_EVENTS`` treatments with the event. With one or two events the
Wilson lower bound is too optimistic: one event in 8 treatments has a lower bound of 2.2 %, above
a 2 % label rate, yet a clinic whose true rate is exactly 2 % sees at least one event in 8
treatments 15 % of the time. From three events on, the flag's false-alarm rate stays near the
nominal 2.5 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

CONFIDENCE = 0.95
MIN_EVENTS = 3
"""Fewest treatments with the event for a flag (see the module's docstring)."""


def wilson_interval(events: int, total: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of ``events`` in ``total`` trials, as proportions (0-1)."""
    if total <= 0:
        raise ValueError("an interval needs at least one treatment")
    if not 0 <= events <= total:
        raise ValueError(f"{events} events cannot happen in {total} treatments")
    from scipy.stats import binomtest  # noqa: PLC0415 - SciPy loads in ~0.3 s; only reports need it

    interval = binomtest(events, total).proportion_ci(confidence_level=confidence, method="wilson")
    return max(0.0, float(interval.low)), min(1.0, float(interval.high))


@dataclass(frozen=True)
class Rate:
    """Treatments with at least one event, out of the treatments at risk."""

    events: int
    treatments: int

    @property
    def proportion(self) -> float:
        return self.events / self.treatments

    @cached_property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.events, self.treatments)

    @property
    def percent(self) -> float:
        return 100 * self.events / self.treatments

    @property
    def low_percent(self) -> float:
        return 100 * self.interval[0]

    @property
    def high_percent(self) -> float:
        return 100 * self.interval[1]

    def clearly_above(self, label_percent: Decimal) -> bool:
        """Whether the whole 95 % interval lies above the label's rate (on enough events)."""
        return self.events >= MIN_EVENTS and self.low_percent > float(label_percent)
