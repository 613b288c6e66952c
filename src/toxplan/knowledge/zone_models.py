"""Schema of the danger zones (``face/danger_zones.yaml``).

A zone is anatomy: it applies to every injection placed in its view, whatever indication the
injection carries. The only way out is an exemption the zone itself names, with its source:
the label's own sites for one indication (e.g. the pretarsal blepharospasm sites inside the
upper-eyelid zone). Shapes are drawn from landmarks, so the same zone fits the template face
today and a patient's measured landmarks later:

* ``circle``: closer than a radius to a landmark;
* ``band``: along a line through landmark-based points, up to a distance above and below it
  ("less than 2 cm above the brow");
* ``polygon``: the area inside landmark-based corners (the lower eyelid between the canthi
  and the inferior orbital rim);
* ``band_above``: the older landmark-centred box, kept for knowledge written with it.

Corner and line points are placements, exactly as injection sites are placed: an offset from
one landmark or a point between two. ``sides: [left, right]`` draws the shape once per side,
with ``{side}`` filled in and lateral offsets mirrored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from toxplan.knowledge.models import (
    Cited,
    Identifier,
    NonNegative,
    Placement,
    Positive,
    Severity,
    Side,
    Strict,
    View,
)


class BandAbove(Strict):
    """Points near a landmark horizontally and less than ``min_above_mm`` above it."""

    kind: Literal["band_above"]
    landmarks: tuple[str, ...] = Field(min_length=1)
    min_above_mm: Positive
    half_width_mm: Positive
    reach_below_mm: NonNegative = Decimal(15)
    """How far below the landmark the zone still reaches."""


class Circle(Strict):
    """Points closer than ``radius_mm`` to any of the landmarks."""

    kind: Literal["circle"]
    landmarks: tuple[str, ...] = Field(min_length=1)
    radius_mm: Positive


class _Sided(Strict):
    sides: tuple[Side, ...] = ()
    """Draw the shape once per side (``{side}`` filled in, offsets mirrored); empty: once."""

    @model_validator(mode="after")
    def _sides_once(self) -> _Sided:
        if len(set(self.sides)) != len(self.sides):
            raise ValueError(f"sides repeat: {list(self.sides)}")
        return self


class Band(_Sided):
    """Points less than ``above_mm`` above and ``below_mm`` below a line through ``line``.

    "Above" is the side of each segment facing up (+y); for a vertical segment it is the
    patient's left (+x). Distances are measured at right angles to the line, and the band
    ends square at the first and last point.
    """

    kind: Literal["band"]
    line: tuple[Placement, ...] = Field(min_length=2)
    above_mm: NonNegative
    below_mm: NonNegative

    @model_validator(mode="after")
    def _has_width(self) -> Band:
        if self.above_mm + self.below_mm <= 0:
            raise ValueError("give above_mm, below_mm or both greater than 0")
        return self


class Polygon(_Sided):
    """Points inside the corners, taken in order (the outline must not cross itself)."""

    kind: Literal["polygon"]
    corners: tuple[Placement, ...] = Field(min_length=3)


ZoneShape = Annotated[BandAbove | Circle | Band | Polygon, Field(discriminator="kind")]


class ZoneExemption(Cited):
    """Injections for these indications at these label sites may lie inside the zone."""

    indications: tuple[Identifier, ...] = Field(min_length=1)
    sites: tuple[Identifier, ...] = Field(min_length=1)
    """Site ids; a bilateral definition's id stands for both its sides."""
    within_mm: Positive = Decimal(3)
    """How close to the site's own position the injection must be to count as that site."""
    reason: str


class DangerZone(Cited):
    id: Identifier
    name: str
    reason: str
    severity: Severity
    view: View
    shape: ZoneShape
    exemptions: tuple[ZoneExemption, ...] = ()


class DangerZoneFile(Strict):
    danger_zones: tuple[DangerZone, ...] = Field(min_length=1)
