"""Product lots and the reconstitution of their vials."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, UniqueConstraint
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


class Reconstitution(IdMixin, Base):
    """One vial of a lot made up with saline: the in-use clock starts here."""

    __tablename__ = "reconstitutions"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    lot_id: Mapped[str] = mapped_column(ForeignKey("lots.id"), index=True)
    diluent_ml: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    reconstituted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
