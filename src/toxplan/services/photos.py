"""Patient photos: upload, listing, viewing, charting on them and before/after pairs.

Photos are patient data: every route checks the role, every look at a photo (list, image,
thumbnail, chart, comparison) is written to the audit log, and no image byte is ever logged.
An upload is checked and cleaned (``photo.images``: a real image within limits, orientation
applied, re-encoded without EXIF or GPS), its face landmarks found once (``photo.landmarks``)
and stored with it, so charting on it later needs no model run.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from toxplan.db.models import Photo, Treatment
from toxplan.db.models.photo import FRONTAL_VIEWS, PHOTO_VIEWS, TIME_POINTS
from toxplan.db.repositories import photos as repo
from toxplan.domain.face_fit import similarity
from toxplan.domain.photo_chart import PhotoFace
from toxplan.domain.requests import Moment
from toxplan.errors import InvalidInput, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.limits import NO_NUL
from toxplan.photo import analysis, images, landmarks
from toxplan.photo.model import canonical_face
from toxplan.primitives.roles import CLINICAL_RECORD_READERS, TREATING
from toxplan.services import patients
from toxplan.services.audit import log, require
from toxplan.services.schemas import Actor, parse, require_past

VIEW_LABELS = {
    "front_rest": "Front, at rest",
    "front_frown": "Front, frowning",
    "front_brows_raised": "Front, brows raised",
    "front_smile": "Front, smiling",
    "oblique_left": "Left oblique",
    "oblique_right": "Right oblique",
    "profile_left": "Left profile",
    "profile_right": "Right profile",
}
TIME_POINT_LABELS = {"baseline": "Baseline", "review_2_weeks": "2-week review", "other": "Other"}


class PhotoCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    view: str
    time_point: str = "other"
    taken_at: Moment | None = None
    """When the photo was taken (with its time zone); the upload time when absent."""
    mirrored: bool = False
    """A selfie-view (mirror image) picture: flipped back before it is stored."""
    note: Annotated[str, Field(max_length=2000, pattern=NO_NUL)] | None = None

    @field_validator("view")
    @classmethod
    def _view(cls, value: str) -> str:
        if value not in PHOTO_VIEWS:
            raise ValueError(f"expected one of {', '.join(PHOTO_VIEWS)}")
        return value

    @field_validator("time_point")
    @classmethod
    def _time_point(cls, value: str) -> str:
        if value not in TIME_POINTS:
            raise ValueError(f"expected one of {', '.join(TIME_POINTS)}")
        return value


def _landmarks_text(points: np.ndarray | None) -> str | None:
    if points is None:
        return None
    return json.dumps(np.round(points, 2).tolist(), separators=(",", ":"))


def add_photo(session: Session, actor: Actor, patient_id: str, data: bytes, meta: object, *, now: dt.datetime) -> Photo:
    require(actor, TREATING)
    given = parse(PhotoCreate, meta)
    patient = patients.load(session, actor, patient_id)
    taken_at = given.taken_at or now
    require_past(taken_at, now=now, field="taken_at")
    clean = images.clean(data, mirrored=given.mirrored)
    points = landmarks.detect(clean.rgb)
    photo = Photo(
        clinic_id=actor.clinic_id,
        patient_id=patient.id,
        view=given.view,
        time_point=given.time_point,
        taken_at=taken_at,
        uploaded_by=actor.user_id,
        uploaded_at=now,
        width=clean.width,
        height=clean.height,
        sha256=clean.sha256,
        image=clean.jpeg,
        thumbnail=clean.thumbnail,
        face_found=points is not None,
        landmarks=_landmarks_text(points),
        note=given.note,
    )
    session.add(photo)
    session.flush()
    face = "face found" if points is not None else "no face found"
    log(session, actor, "create", "photo", entity_id=photo.id, patient_id=patient.id, detail=f"{given.view}, {face}")
    return photo


def _load(session: Session, actor: Actor, photo_id: str, *, with_image: bool = False) -> Photo:
    require(actor, CLINICAL_RECORD_READERS)
    photo = repo.get(session, actor.clinic_id, photo_id, with_image=with_image)
    if photo is None:  # another clinic's photo is as unknown as a missing one
        raise NotFound(f"no photo {photo_id} in this clinic", field="photo_id")
    return photo


def list_photos(session: Session, actor: Actor, patient_id: str) -> list[Photo]:
    require(actor, CLINICAL_RECORD_READERS)
    patient = patients.load(session, actor, patient_id)
    found = repo.of_patient(session, actor.clinic_id, patient.id)
    detail = f"{len(found)} photos"
    log(session, actor, "read", "photo_list", entity_id=patient.id, patient_id=patient.id, detail=detail)
    return found


def get_photo(session: Session, actor: Actor, photo_id: str) -> Photo:
    photo = _load(session, actor, photo_id)
    log(session, actor, "read", "photo", entity_id=photo.id, patient_id=photo.patient_id, detail="details")
    return photo


def image_of(session: Session, actor: Actor, photo_id: str, *, thumbnail: bool = False) -> bytes:
    """The stored JPEG (or its thumbnail); each look is audited."""
    photo = _load(session, actor, photo_id)
    what = "thumbnail" if thumbnail else "image"
    log(session, actor, "read", "photo", entity_id=photo.id, patient_id=photo.patient_id, detail=what)
    return photo.thumbnail if thumbnail else photo.image


# --- charting on a photo -------------------------------------------------------------------


@dataclass(frozen=True)
class ChartedPhoto:
    photo: Photo
    face: PhotoFace | None
    problem: str | None
    """Why the chart stays on the template for this photo, in words (None: chart on it)."""
    scale_note: str | None


_faces: OrderedDict[tuple[str, str], PhotoFace] = OrderedDict()
_faces_lock = Lock()
FACE_CACHE = 32
"""Fitted faces kept per process: a chart asks for the same photo on every tap."""


def _face(photo: Photo, kb: KnowledgeBase) -> PhotoFace:
    key = (photo.id, kb.version)
    with _faces_lock:
        if key in _faces:
            _faces.move_to_end(key)
            return _faces[key]
    assert photo.landmarks is not None
    points = np.array(json.loads(photo.landmarks), dtype=np.float64)
    face = analysis.from_landmarks(points, photo.width, photo.height, kb)
    with _faces_lock:
        _faces[key] = face
        while len(_faces) > FACE_CACHE:
            _faces.popitem(last=False)
    return face


def chart_on(session: Session, actor: Actor, photo_id: str, kb: KnowledgeBase) -> ChartedPhoto:
    """The photo's face ready for charting, or the plain reason why the template is used."""
    photo = _load(session, actor, photo_id)
    log(session, actor, "read", "photo", entity_id=photo.id, patient_id=photo.patient_id, detail="chart")
    label = VIEW_LABELS[photo.view].lower()
    if photo.view not in FRONTAL_VIEWS:
        return ChartedPhoto(photo, None, f"sites are placed on frontal photos only; this one is a {label} view", None)
    if not photo.face_found:
        return ChartedPhoto(photo, None, "no face was found in this photo", None)
    face = _face(photo, kb)
    problem = analysis.frontal_problem(face, kb)
    if problem:
        return ChartedPhoto(photo, None, f"{problem}, too far from frontal for a {label} photo", None)
    return ChartedPhoto(photo, face, None, analysis.scale_note(face, kb))


def charted_face(session: Session, actor: Actor, photo_id: str, kb: KnowledgeBase) -> PhotoFace:
    """For mapping points: the face, or InvalidInput with the reason it cannot be charted."""
    charted = chart_on(session, actor, photo_id, kb)
    if charted.face is None:
        raise InvalidInput(charted.problem or "this photo cannot be charted on", field="photo_id")
    return charted.face


# --- before and after ----------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    before: Photo
    after: Photo
    treatments: list[Treatment]
    """Treatments between the two photos."""
    transform: tuple[float, float, float, float, float, float] | None
    """Affine matrix (a, b, c, d, e, f) carrying the after photo onto the before photo
    (x' = a x + c y + e, y' = b x + d y + f), or None when they cannot be aligned."""
    problem: str | None


def _align(before: Photo, after: Photo) -> tuple[float, float, float, float, float, float] | None:
    if before.landmarks is None or after.landmarks is None:
        return None
    canonical = canonical_face()
    a = np.array(json.loads(after.landmarks))[canonical.basis, :2]
    b = np.array(json.loads(before.landmarks))[canonical.basis, :2]
    scale, rotation, shift = similarity(a, b, canonical.weights)
    m = scale * rotation
    return (float(m[0, 0]), float(m[1, 0]), float(m[0, 1]), float(m[1, 1]), float(shift[0]), float(shift[1]))


def compare(session: Session, actor: Actor, before_id: str, after_id: str) -> Comparison:
    """Two photos of one patient in the same view, the after one aligned onto the before one."""
    before, after = _load(session, actor, before_id), _load(session, actor, after_id)
    if before.patient_id != after.patient_id:
        raise InvalidInput("the two photos are of different patients", field="after")
    if before.view != after.view:
        raise InvalidInput(
            f"compare photos of the same view: {VIEW_LABELS[before.view]} and {VIEW_LABELS[after.view]} differ",
            field="after",
        )
    if after.taken_at < before.taken_at:
        before, after = after, before
    for photo in (before, after):
        log(session, actor, "read", "photo", entity_id=photo.id, patient_id=photo.patient_id, detail="comparison")
    between = repo.treatments_between(session, actor.clinic_id, before.patient_id, before.taken_at, after.taken_at)
    transform = _align(before, after)
    problem = None if transform else "a face was not found in both photos, so they are shown unaligned"
    return Comparison(before, after, between, transform, problem)


def photo_json(photo: Photo) -> dict[str, Any]:
    """A photo's details (never its bytes), for the API."""
    return {
        "id": photo.id,
        "patient_id": photo.patient_id,
        "view": photo.view,
        "time_point": photo.time_point,
        "taken_at": photo.taken_at.isoformat(),
        "uploaded_at": photo.uploaded_at.isoformat(),
        "width": photo.width,
        "height": photo.height,
        "sha256": photo.sha256,
        "face_found": photo.face_found,
        "note": photo.note,
    }
