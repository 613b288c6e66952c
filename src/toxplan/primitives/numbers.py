"""The one rounding rule for values a person enters or reads: half away from zero, to a step.

The planning chart (``web/static/decimal.js``) rounds the same way before it sends a value,
so a value keeps its digits from the chart to the database: units to 0.001 U (what records
keep), positions to 0.1 mm, volumes to 0.001 mL. Exact arithmetic in between is never rounded
(``domain/dilution.py``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

UNITS_STEP = Decimal("0.001")
"""Finest dose the records keep; finer doses cannot be drawn up."""
MM_STEP = Decimal("0.1")
"""Positions on the chart and the template face."""
VOLUME_STEP = Decimal("0.001")


def round_half_up(value: Decimal, step: Decimal) -> Decimal:
    """``value`` to a multiple of ``step``; a tie goes away from zero (2.45 -> 2.5, -2.45 -> -2.5)."""
    return value.quantize(step, rounding=ROUND_HALF_UP)
