"""Reconstitution, volume and syringe arithmetic.

Rounding rules (the only places numbers are rounded):
- Quantities are exact decimals internally (28 significant digits); nothing is rounded until
  it is shown.
- A volume is shown to 0.001 mL, by the one rounding rule (``primitives/numbers.py``: half
  away from zero, as the chart's ``decimal.js``).
- A U-100 insulin syringe mark (1 mark = 0.01 mL) is shown to the nearest half mark
  (ROUND_HALF_UP), the finest graduation of a 0.3 mL syringe.
- Vials needed are rounded up: a partly used vial is a whole vial opened.
Units are always units of one product: nothing here converts between products.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

from toxplan.primitives.numbers import VOLUME_STEP, round_half_up

MARK_STEP = Decimal("0.5")
MARKS_PER_ML = Decimal(100)  # U-100 insulin syringe: 100 marks per mL
TENTH_ML = Decimal("0.1")


def _exact(value: Decimal) -> Decimal:
    return +value  # applies the 28-digit default context


@dataclass(frozen=True)
class Dilution:
    """A vial of ``vial_units`` in ``diluent_ml`` of liquid.

    A powder is reconstituted with ``diluent_ml`` of saline. A ready-to-use solution
    (``ready_to_use``) has nothing added: ``diluent_ml`` is then the solution the vial holds,
    so the concentration is the label's (``Dilution.solution``).
    """

    vial_units: Decimal
    diluent_ml: Decimal
    ready_to_use: bool = False

    def __post_init__(self) -> None:
        if self.vial_units <= 0:
            raise ValueError("vial_units must be greater than 0")
        if self.diluent_ml <= 0:
            raise ValueError("diluent_ml must be greater than 0")

    @classmethod
    def solution(cls, vial_units: Decimal, units_per_ml: Decimal) -> Dilution:
        """A vial of a ready-to-use solution at its fixed concentration."""
        if units_per_ml <= 0:
            raise ValueError("units_per_ml must be greater than 0")
        return cls(vial_units, _exact(vial_units / units_per_ml), ready_to_use=True)

    @property
    def saline_ml(self) -> Decimal | None:
        """Saline added to the vial; None for a ready-to-use solution (nothing is added)."""
        return None if self.ready_to_use else self.diluent_ml

    @property
    def units_per_ml(self) -> Decimal:
        return _exact(self.vial_units / self.diluent_ml)

    @property
    def units_per_0_1_ml(self) -> Decimal:
        return _exact(self.units_per_ml * TENTH_ML)

    def volume_ml(self, units: Decimal) -> Decimal:
        """Exact volume holding ``units`` at this concentration."""
        if units < 0:
            raise ValueError("units must not be negative")
        return _exact(units / self.units_per_ml)

    def units_in(self, volume_ml: Decimal) -> Decimal:
        """Exact units in ``volume_ml`` of this solution."""
        if volume_ml < 0:
            raise ValueError("volume must not be negative")
        return _exact(volume_ml * self.units_per_ml)


def syringe_marks(volume_ml: Decimal) -> Decimal:
    """Exact U-100 insulin-syringe marks for a volume (1 mark = 0.01 mL)."""
    return _exact(volume_ml * MARKS_PER_ML)


def show_volume(volume_ml: Decimal) -> Decimal:
    return round_half_up(volume_ml, VOLUME_STEP)


def show_marks(marks: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP
        halves = (marks / MARK_STEP).to_integral_value()
    return (halves * MARK_STEP).quantize(Decimal("0.1"))


def show_units(units: Decimal) -> Decimal:
    """Units as given, with trailing zeros removed (4.00 → 4), never rounded."""
    normal = units.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


@dataclass(frozen=True)
class VialUse:
    """How many vials a dose needs and what is left over (units are conserved)."""

    vials: int
    units_drawn: Decimal
    units_left: Decimal

    @property
    def units_opened(self) -> Decimal:
        return self.units_drawn + self.units_left


def vials_needed(total_units: Decimal, vial_units: Decimal) -> VialUse:
    if vial_units <= 0:
        raise ValueError("vial_units must be greater than 0")
    if total_units < 0:
        raise ValueError("total units must not be negative")
    with localcontext() as ctx:
        ctx.rounding = ROUND_CEILING
        vials = int((total_units / vial_units).to_integral_value())
    return VialUse(vials, total_units, vials * vial_units - total_units)
