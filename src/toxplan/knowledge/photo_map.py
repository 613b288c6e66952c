"""Schema and cross-checks of the photo landmark map (``face/photo_landmarks.yaml``).

The map says, once, how each front-view landmark of the template face is found among the
478 MediaPipe Face Mesh points of a photo: at one mesh point (or the mean of several), on a
mesh contour at the height where another landmark's x crosses it, or not at all ("carried":
bony and neck points the mesh cannot see are carried over from the template by the warp
fitted on the measured landmarks). It also holds the scale check against the iris and the
pose range within which a frontal photo is charted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from toxplan.errors import Problem
from toxplan.knowledge.models import Cited, Identifier, Landmark, Positive, Strict

MESH_POINTS = 478
"""The refined Face Mesh: 468 surface points and 10 iris points (468-477)."""
IRIS_RIGHT = frozenset(range(468, 473))
IRIS_LEFT = frozenset(range(473, 478))
MeshIndex = Annotated[int, Field(ge=0, lt=MESH_POINTS)]


class MeshPoint(Strict):
    """At one mesh point (or the mean of several), then offset like a site placement."""

    kind: Literal["point"]
    indices: tuple[MeshIndex, ...] = Field(min_length=1)
    lateral_mm: Decimal = Decimal(0)
    """Away from the midline (toward the patient's left for a left landmark, right for a right)."""
    up_mm: Decimal = Decimal(0)


class MeshContour(Strict):
    """On a polyline of mesh points, where the vertical through landmark ``at`` crosses it."""

    kind: Literal["contour_at"]
    indices: tuple[MeshIndex, ...] = Field(min_length=2)
    at: Identifier


class Carried(Strict):
    """No mesh point: taken from the template through the fitted warp."""

    kind: Literal["carried"]


Measure = Annotated[MeshPoint | MeshContour | Carried, Field(discriminator="kind")]


class PhotoLandmark(Cited):
    id: Identifier
    measure: Measure
    note: str


class IrisScale(Cited):
    """The horizontal visible iris diameter that checks each photo's scale."""

    diameter_mm: Positive
    tolerance_percent: Annotated[Decimal, Field(gt=0, le=50)]
    """How far the face-fit scale and the iris may disagree before the photo is flagged."""


class FrontalLimits(Strict):
    """The head pose within which a frontal photo is charted (beyond it: the template)."""

    yaw_deg: Annotated[Decimal, Field(gt=0, le=45)]
    pitch_deg: Annotated[Decimal, Field(gt=0, le=45)]
    roll_deg: Annotated[Decimal, Field(gt=0, le=45)]
    reason: str


class PhotoLandmarkFile(Strict):
    scale: IrisScale
    frontal_limits: FrontalLimits
    landmarks: tuple[PhotoLandmark, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> PhotoLandmarkFile:
        seen: set[str] = set()
        for lm in self.landmarks:
            if lm.id in seen:
                raise ValueError(f"landmark {lm.id!r} is mapped twice")
            seen.add(lm.id)
        return self

    def measured(self) -> tuple[PhotoLandmark, ...]:
        return tuple(lm for lm in self.landmarks if not isinstance(lm.measure, Carried))


ORIGIN = ("pupil_left", "pupil_right")
"""The template frame's origin lies midway between the pupils: both must be measured points."""


def _side_problems(lm: PhotoLandmark, where: str) -> list[Problem]:
    """Iris points name their side unambiguously: a left landmark may not use the right iris."""
    if isinstance(lm.measure, Carried):
        return []
    wrong = IRIS_RIGHT if lm.id.endswith("_left") else IRIS_LEFT if lm.id.endswith("_right") else frozenset()
    bad = sorted(set(lm.measure.indices) & wrong)
    if bad:
        return [Problem(FILE, f"{where}.measure.indices", f"{lm.id} uses iris point(s) {bad} of the other eye")]
    return []


FILE = "face/photo_landmarks.yaml"
MIN_MEASURED = 6
"""The warp from a photo to the template needs points all round the face, not a few in a line."""


def _entry_problems(lm: PhotoLandmark, where: str, mapped: dict[str, PhotoLandmark]) -> list[Problem]:
    problems = []
    if isinstance(lm.measure, MeshContour):
        target = mapped.get(lm.measure.at)
        if target is None or isinstance(target.measure, Carried) or target.id == lm.id:
            message = f"{lm.measure.at!r} is not another measured landmark"
            problems.append(Problem(FILE, f"{where}.measure.at", message))
    problems.extend(_side_problems(lm, where))
    sided = lm.id.endswith(("_left", "_right"))
    if isinstance(lm.measure, MeshPoint) and lm.measure.lateral_mm != 0 and not sided:
        problems.append(Problem(FILE, f"{where}.measure.lateral_mm", "a midline landmark has no lateral offset"))
    twin = lm.id.replace("_left", "_right") if lm.id.endswith("_left") else None
    if twin and twin in mapped and mapped[twin].measure.kind != lm.measure.kind:
        problems.append(Problem(FILE, f"{where}.measure", f"{lm.id} and {twin} are measured differently"))
    return problems


def check_photo_map(photo_map: PhotoLandmarkFile, landmarks: dict[str, Landmark]) -> list[Problem]:
    """Every front-view landmark is mapped exactly once, references resolve, sides agree."""
    problems: list[Problem] = []
    mapped = {lm.id: lm for lm in photo_map.landmarks}
    for i, lm in enumerate(photo_map.landmarks):
        where = f"landmarks[{i}]"
        template = landmarks.get(lm.id)
        if template is None:
            problems.append(Problem(FILE, f"{where}.id", f"unknown landmark {lm.id!r}"))
        elif template.view != "front":
            problems.append(Problem(FILE, f"{where}.id", f"{lm.id} is a {template.view}-view landmark"))
        problems.extend(_entry_problems(lm, where, mapped))
    for name, template in landmarks.items():
        if template.view == "front" and name not in mapped:
            problems.append(Problem(FILE, "landmarks", f"front-view landmark {name!r} is not mapped"))
    if len(photo_map.measured()) < MIN_MEASURED:
        problems.append(Problem(FILE, "landmarks", f"at least {MIN_MEASURED} landmarks must be measured on the mesh"))
    for name in ORIGIN:
        if name in mapped and not isinstance(mapped[name].measure, MeshPoint):
            problems.append(Problem(FILE, "landmarks", f"{name} must be a measured point (the frame's origin)"))
    return problems
