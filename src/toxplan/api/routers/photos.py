"""Patient photos: upload, list, image and thumbnail, charting on a photo, before/after.

Photos are patient data: clinicians and admins may look (every look is audited), injectors and
medical directors may upload; the front desk sees none. Image answers are JPEG with
``Cache-Control: private, no-store``. Pixel coordinates have their origin at the image's
top-left corner, x to the right, y down; template positions are front-view millimetres.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from toxplan.auth.sessions import Current
from toxplan.errors import InvalidInput
from toxplan.http.deps import DB, KB, Allow, Now
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.params import Key
from toxplan.photo.images import MAX_BYTES
from toxplan.photo.presenters import chart_json, zones_at
from toxplan.primitives.roles import CLINICAL_RECORD_READERS, TREATING
from toxplan.services import photos

router = APIRouter(tags=["photos"], responses=ERROR_RESPONSES)

Uploader = Annotated[Current, Depends(Allow(*TREATING))]
"""Who may add photos (``photos.UPLOADERS``)."""
Viewer = Annotated[Current, Depends(Allow(*CLINICAL_RECORD_READERS))]
"""Who may look at photos (``CLINICAL_RECORD_READERS``, as the service)."""
PRIVATE = {"Cache-Control": "private, no-store"}


def read_upload(file: UploadFile) -> bytes:
    data = file.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field="image")
    return data


@router.post("/patients/{patient_id}/photos", status_code=201)
def upload(
    patient_id: Key,
    current: Uploader,
    db: DB,
    now: Now,
    image: Annotated[UploadFile, File(description="JPEG, PNG or WebP; at most 25 MB and 50 megapixels")],
    view: Annotated[str, Form(description=f"One of {', '.join(photos.VIEW_LABELS)}")],
    time_point: Annotated[str, Form(description="baseline, review_2_weeks or other")] = "other",
    taken_at: Annotated[dt.datetime | None, Form(description="When it was taken, with its time zone")] = None,
    mirrored: Annotated[bool, Form(description="A selfie-view mirror image, to be flipped back")] = False,
    note: Annotated[str | None, Form(max_length=2000)] = None,
) -> dict[str, Any]:
    """Add a photo: checked, oriented, re-encoded without EXIF/GPS, thumbnailed, face found."""
    meta = {"view": view, "time_point": time_point, "taken_at": taken_at, "mirrored": mirrored, "note": note or None}
    return photos.photo_json(photos.add_photo(db, current.actor, patient_id, read_upload(image), meta, now=now))


@router.get("/patients/{patient_id}/photos")
def list_photos(patient_id: Key, current: Viewer, db: DB) -> list[dict[str, Any]]:
    """The patient's photos, newest first (details only)."""
    return [photos.photo_json(p) for p in photos.list_photos(db, current.actor, patient_id)]


@router.get("/photos/{photo_id}")
def photo(photo_id: Key, current: Viewer, db: DB) -> dict[str, Any]:
    return photos.photo_json(photos.get_photo(db, current.actor, photo_id))


@router.get("/photos/{photo_id}/image", response_class=Response, responses={200: {"content": {"image/jpeg": {}}}})
def image(photo_id: Key, current: Viewer, db: DB) -> Response:
    """The stored JPEG (no metadata)."""
    return Response(photos.image_of(db, current.actor, photo_id), media_type="image/jpeg", headers=PRIVATE)


@router.get("/photos/{photo_id}/thumbnail", response_class=Response, responses={200: {"content": {"image/jpeg": {}}}})
def thumbnail(photo_id: Key, current: Viewer, db: DB) -> Response:
    return Response(
        photos.image_of(db, current.actor, photo_id, thumbnail=True), media_type="image/jpeg", headers=PRIVATE
    )


@router.get("/photos/{photo_id}/chart")
def chart(photo_id: Key, current: Viewer, db: DB, kb: KB) -> dict[str, Any]:
    """Everything the chart draws on the photo: sites, landmarks, danger zones, sides, pose.

    When the photo cannot be charted on (not a frontal view, no face, head turned too far)
    the answer is ``{"image", "problem"}``: show the reason and use the template.
    """
    charted = photos.chart_on(db, current.actor, photo_id, kb)
    return chart_json(charted.face, kb, photo=charted.photo, problem=charted.problem, scale_note=charted.scale_note)


class PixelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x_px: Annotated[float, Field(ge=-10_000, le=10_000, allow_inf_nan=False)]
    y_px: Annotated[float, Field(ge=-10_000, le=10_000, allow_inf_nan=False)]


class MillimetreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x_mm: Annotated[float, Field(ge=-300, le=300, allow_inf_nan=False)]
    y_mm: Annotated[float, Field(ge=-400, le=300, allow_inf_nan=False)]


class PixelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: list[PixelIn] = Field(min_length=1, max_length=500)


class MillimetresIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: list[MillimetreIn] = Field(min_length=1, max_length=500)


@router.post("/photos/{photo_id}/locate")
def locate(photo_id: Key, body: PixelsIn, current: Viewer, db: DB, kb: KB) -> dict[str, Any]:
    """Photo pixels -> template front-view millimetres, with the danger zones holding each point."""
    face = photos.charted_face(db, current.actor, photo_id, kb)
    found = face.locate(np.array([[p.x_px, p.y_px] for p in body.points]))
    return {
        "points": [
            {
                "x_mm": round(t.x_mm, 1),
                "y_mm": round(t.y_mm, 1),
                "view": "front",
                "on_face": t.on_face,
                "danger_zones": [z["id"] for z in zones_at(kb, round(t.x_mm, 1), round(t.y_mm, 1))],
            }
            for t in found
        ]
    }


@router.post("/photos/{photo_id}/project")
def project(photo_id: Key, body: MillimetresIn, current: Viewer, db: DB, kb: KB) -> dict[str, Any]:
    """Template front-view millimetres -> photo pixels (``on_face`` false: off the measured face)."""
    face = photos.charted_face(db, current.actor, photo_id, kb)
    found = face.project(np.array([[p.x_mm, p.y_mm] for p in body.points]))
    return {"points": [{"x_px": round(p.x_px, 1), "y_px": round(p.y_px, 1), "on_face": p.on_face} for p in found]}


@router.get("/photos/{photo_id}/compare")
def compare(
    photo_id: Key,
    current: Viewer,
    db: DB,
    after: Annotated[str, Query(min_length=1, max_length=100, description="The other photo's id")],
) -> dict[str, Any]:
    """Two photos of one view, the later aligned onto the earlier, with the treatments between."""
    pair = photos.compare(db, current.actor, photo_id, after)
    return {
        "before": photos.photo_json(pair.before),
        "after": photos.photo_json(pair.after),
        "after_to_before": list(pair.transform) if pair.transform else None,
        "treatments": [
            {"id": t.id, "visit_at": t.visit_at.isoformat(), "product": t.product, "total_units": float(t.total_units)}
            for t in pair.treatments
        ],
        "problem": pair.problem,
    }
