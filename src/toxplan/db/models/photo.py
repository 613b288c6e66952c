"""Patient photos: standard views at time points, stored cleaned (JPEG, no metadata) in the
database itself, so a backup holds them and any app server can serve them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from toxplan.db.base import Base, IdMixin, UTCDateTime, utcnow

PHOTO_VIEWS = (
    "front_rest",
    "front_frown",
    "front_brows_raised",
    "front_smile",
    "oblique_left",
    "oblique_right",
    "profile_left",
    "profile_right",
)
FRONTAL_VIEWS = PHOTO_VIEWS[:4]
"""Views the planning chart can place sites on (the template's front view)."""
TIME_POINTS = ("baseline", "review_2_weeks", "other")


class Photo(IdMixin, Base):
    __tablename__ = "photos"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    view: Mapped[str] = mapped_column(Enum(*PHOTO_VIEWS, name="photo_view", native_enum=False, create_constraint=True))
    time_point: Mapped[str] = mapped_column(
        Enum(*TIME_POINTS, name="photo_time_point", native_enum=False, create_constraint=True)
    )
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    uploaded_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    image: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    """The cleaned JPEG: re-encoded from its pixels, without EXIF, GPS or any other metadata."""
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    face_found: Mapped[bool] = mapped_column(Boolean)
    landmarks: Mapped[str | None] = mapped_column(Text, default=None, deferred=True)
    """The 478 face-mesh points found at upload, JSON [[x, y, z], ...] in pixels; None: no face."""
    note: Mapped[str | None] = mapped_column(Text, default=None)
