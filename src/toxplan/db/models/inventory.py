"""Product lots, the vials made up from them, and the units each treatment drew from a vial."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from toxplan import limits
from toxplan.db.base import Base, IdMixin, Str, UTCDateTime, utcnow


class Lot(IdMixin, Base):
    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("clinic_id", "product", "lot_number", name="clinic_product_lot"),)

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    product: Mapped[str] = mapped_column(Str(40))
    """Knowledge-base product id (lower-case INN)."""
    lot_number: Mapped[str] = mapped_column(Str(limits.LOT_NUMBER), index=True)
    expiry_date: Mapped[dt.date] = mapped_column(Date)
    vial_units: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    vials_received: Mapped[int | None] = mapped_column(Integer, default=None)
    lot_key: Mapped[str | None] = mapped_column(String(60), default=None)
    """The lot number in lower-case letters and digits only, for recall searches."""
    """Vials of this lot the clinic received; None for lots recorded before stock was counted."""


class Reconstitution(IdMixin, Base):
    """One vial of a lot made up with saline: the in-use clock starts here. The vial is shared by
    the day's patients (each treatment draws units from it, see ``VialDraw``) until it is empty,
    its in-use time has passed, or it is discarded."""

    __tablename__ = "reconstitutions"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    lot_id: Mapped[str] = mapped_column(ForeignKey("lots.id"), index=True)
    diluent_ml: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    reconstituted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    discarded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    discard_reason: Mapped[str | None] = mapped_column(Text, default=None)
    discarded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)


class VialDraw(IdMixin, Base):
    """Units a signed treatment drew from one vial (a large dose may draw from two)."""

    __tablename__ = "vial_draws"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    reconstitution_id: Mapped[str] = mapped_column(ForeignKey("reconstitutions.id"), index=True)
    treatment_id: Mapped[str] = mapped_column(ForeignKey("treatments.id"), index=True)
    units: Mapped[Decimal] = mapped_column(Numeric(9, 3))
