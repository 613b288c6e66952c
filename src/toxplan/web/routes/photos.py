"""Patient photos: the photo page (upload from the tablet's camera or a file, the photos by
date) and the before/after comparison of two photos of one view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from toxplan.auth.sessions import Current
from toxplan.errors import InvalidInput, NotFound, ToxPlanError
from toxplan.http.deps import DB, Now
from toxplan.http.params import Key
from toxplan.photo.images import MAX_BYTES
from toxplan.primitives.roles import TREATING
from toxplan.services import patients, photos
from toxplan.web.access import Prescriber, Reader, redirect
from toxplan.web.forms import Form, local_time, status_of, text, values
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)


def _photos_page(
    request: Request,
    db: Session,
    current: Current,
    patient_id: str,
    now: dt.datetime,
    *,
    error: ToxPlanError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    view = patients.get_patient(db, current.actor, patient_id, on=now.date())
    found = photos.list_photos(db, current.actor, patient_id)
    by_day = [(day, list(items)) for day, items in groupby(found, key=lambda p: p.taken_at.date())]
    return page(
        request,
        "photos.html",
        current,
        status_code=status_of(error) if error else 200,
        view=view,
        by_day=by_day,
        photos=found,
        views=photos.VIEW_LABELS,
        time_points=photos.TIME_POINT_LABELS,
        may_upload=current.actor.role in TREATING,
        error=error,
        form=form or {},
    )


@router.get("/patients/{patient_id}/photos")
def photo_page(request: Request, patient_id: Key, current: Reader, db: DB, now: Now) -> Response:
    return _photos_page(request, db, current, patient_id, now)


def _image(form_files: Sequence[object]) -> bytes:
    """The first file given (the camera input or the file input)."""
    for item in form_files:
        if isinstance(item, UploadFile) and item.filename:
            data = item.file.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise InvalidInput(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field="image")
            if data:
                return data
    raise InvalidInput("take a photo or choose a file", field="image")


@router.post("/patients/{patient_id}/photos")
def upload(request: Request, patient_id: Key, current: Prescriber, db: DB, now: Now, form: Form) -> Response:
    meta: dict[str, Any] = {
        "view": text(form, "view"),
        "time_point": text(form, "time_point") or "other",
        "mirrored": text(form, "mirrored") == "yes",
        "note": text(form, "note"),
    }
    try:
        meta["taken_at"] = local_time(form, "taken_at")
        photo = photos.add_photo(db, current.actor, patient_id, _image(form.getlist("image")), meta, now=now)
    except (InvalidInput, NotFound) as exc:
        db.rollback()
        return _photos_page(request, db, current, patient_id, now, error=exc, form=values(form))
    return redirect(f"/patients/{patient_id}/photos?added={photo.id}")


@router.get("/patients/{patient_id}/photos/compare")
def compare(
    request: Request,
    patient_id: Key,
    current: Reader,
    db: DB,
    now: Now,
    before: str | None = Query(default=None, max_length=100),
    after: str | None = Query(default=None, max_length=100),
) -> Response:
    if not before or not after:  # nothing chosen yet: the photos page, where the two are chosen
        return _photos_page(request, db, current, patient_id, now)
    view = patients.get_patient(db, current.actor, patient_id, on=now.date())
    pair = photos.compare(db, current.actor, before, after)
    if pair.before.patient_id != patient_id:
        raise NotFound(f"no photo {before} of this patient", field="before")
    matrix = " ".join(f"{v:.5f}" for v in pair.transform) if pair.transform else None
    return page(
        request,
        "photo_compare.html",
        current,
        view=view,
        pair=pair,
        matrix=matrix,
        views=photos.VIEW_LABELS,
        time_points=photos.TIME_POINT_LABELS,
    )
