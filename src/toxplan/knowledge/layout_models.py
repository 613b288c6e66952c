"""Schema of the body regions (``regions.yaml``) and of the face chart's needs (``face/chart.yaml``).

Regions group indications, sites and conditions ("a skin infection of the face matters for
every facial indication") and say which areas the planning chart offers as buttons. The chart
draws the template face from named landmarks; the file lists them per view so that a
knowledge base without one is refused when it loads, not when a chart page is opened.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from toxplan.knowledge.models import Identifier, Strict
from toxplan.primitives.vocabulary import View


class BodyRegion(Strict):
    id: Identifier
    name: str
    chart: bool = False
    """True: the region lies on the face chart, and its aesthetic areas are offered as buttons;
    other areas (therapeutic ones, and regions off the chart) sit in a list."""


class RegionFile(Strict):
    regions: tuple[BodyRegion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RegionFile:
        ids = [r.id for r in self.regions]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"region ids repeat: {repeated}")
        return self


class ChartLayout(Strict):
    """The landmarks each view of the planning chart is drawn from (``face_chart.py``)."""

    landmarks: dict[View, tuple[Identifier, ...]] = Field(min_length=1)
