"""Schema of dose knowledge beyond single limits: per-muscle tables, window maxima, defaults.

* A ``MuscleTable`` is one of the label's per-muscle tables (spasticity, dystonia, sialorrhea
  weight bands): muscle -> units or U/kg, number of injection sites, and the table's total.
* A ``WindowMaximum`` is a product's largest labelled dose over a treatment window; several
  toxins given in one window are added up as fractions of their own maxima, never in units.
* ``ToxPlanDefaults`` (``knowledge/defaults.yaml``) holds the conservative values applied,
  loudly, where a label value is unconfirmed, and the factor above a fixed label dose that
  ToxPlan treats as critical.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from toxplan.knowledge.models import (
    AgeRange,
    Cited,
    CountRange,
    Duration,
    Identifier,
    Positive,
    Strict,
    UnitRange,
    WeightRange,
)


class MuscleDose(Strict):
    """One row of a label per-muscle table."""

    muscle: Identifier
    """A site of the knowledge base: the id of a bilateral definition (``biceps_brachii``,
    one row for either side) or of a single site."""
    units: UnitRange | None = None
    units_per_kg: UnitRange | None = None
    sites: CountRange | None = None
    """Number of injection sites the label gives for this muscle."""

    @model_validator(mode="after")
    def _one_dose(self) -> MuscleDose:
        if self.units is not None and self.units_per_kg is not None:
            raise ValueError("give units or units_per_kg, not both")
        return self

    @property
    def dosed(self) -> bool:
        return self.units is not None or self.units_per_kg is not None


class MuscleTable(Cited):
    """A label table of doses per muscle, for some ages (and weights)."""

    id: Identifier
    description: str
    ages: AgeRange | None = None
    weights: WeightRange | None = None
    dose_basis: Literal["range", "fixed", "muscles_only"] = "range"
    """``range``: the clinician selects muscles and doses within each range. ``fixed``: the
    label gives one dose per muscle (e.g. sialorrhea by weight band), all muscles injected.
    ``muscles_only``: the label names the muscles but individualises the dose (a row may still
    carry a recommended ceiling, e.g. BOTOX sternocleidomastoid 100 U)."""
    sides: int = Field(default=1, ge=1, le=2)
    """How many sides the total covers: 1 for 'per limb' tables, 2 when bilateral muscles are
    injected on both sides (sialorrhea)."""
    total_units: UnitRange | None = None
    total_units_per_kg: UnitRange | None = None
    rows: tuple[MuscleDose, ...] = Field(min_length=1)
    template: bool = True
    """Whether ``toxplan plan`` may lay this table out as a starting template."""
    note: str | None = None

    @model_validator(mode="after")
    def _unique_muscles(self) -> MuscleTable:
        muscles = [r.muscle for r in self.rows]
        if len(muscles) != len(set(muscles)):
            raise ValueError(f"a muscle is listed twice: {muscles}")
        if self.dose_basis != "muscles_only" and not all(r.dosed for r in self.rows):
            raise ValueError("every row needs units or units_per_kg (or make the table muscles_only)")
        return self


class WindowMaximum(Cited):
    """The most of this product the label allows over a window (all indications), for some ages."""

    max_units: Positive
    units_per_kg: Positive | None = None
    """When given: the lesser of ``units_per_kg`` x weight and ``max_units``."""
    window: Duration
    ages: AgeRange | None = None
    toxplan_default: bool = False
    """True where the label gives no such figure and ToxPlan applies a conservative one."""
    note: str | None = None


class DefaultFactor(Cited):
    factor: Decimal = Field(ge=1)
    note: str


class DefaultHours(Cited):
    hours: Positive
    note: str


class DefaultInterval(Cited):
    minimum: Duration
    note: str


class DefaultBand(Cited):
    """Concentrations (U per 0.1 mL) inside the confirmed label tables of the class."""

    min_units_per_0_1_ml: Positive
    max_units_per_0_1_ml: Positive
    note: str

    @model_validator(mode="after")
    def _ordered(self) -> DefaultBand:
        if self.min_units_per_0_1_ml > self.max_units_per_0_1_ml:
            raise ValueError("min_units_per_0_1_ml is above max_units_per_0_1_ml")
        return self


class ToxPlanDefaults(Strict):
    """``knowledge/defaults.yaml``: ToxPlan's own conservative values, each cited."""

    fixed_dose_factor: DefaultFactor
    """More than this many times a fixed label dose per site or per area is critical."""
    in_use: DefaultHours
    """In-use time of a reconstituted vial where the product's label value is unconfirmed."""
    therapeutic_interval: DefaultInterval
    aesthetic_interval: DefaultInterval
    dilution_band: DefaultBand
