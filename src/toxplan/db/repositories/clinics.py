"""Queries about clinics and their users."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from toxplan.db.models import Clinic, User


def clinic(session: Session, clinic_id: str) -> Clinic | None:
    return session.get(Clinic, clinic_id)


def user(session: Session, user_id: str) -> User | None:
    """The user with this id, in any clinic (callers check the clinic)."""
    return session.get(User, user_id)


def clinic_ids(session: Session) -> list[str]:
    return list(session.scalars(select(Clinic.id).order_by(Clinic.id)))


def clinic_named(session: Session, name: str) -> Clinic | None:
    return session.scalar(select(Clinic).where(Clinic.name == name).limit(1))


def user_by_email(session: Session, clinic_id: str, email: str) -> User | None:
    """The clinic's user with this (already lower-cased) e-mail, active or not."""
    return session.scalar(select(User).where(User.clinic_id == clinic_id, User.email == email))


def active_users_by_email(session: Session, email: str, clinic_id: str | None = None) -> list[User]:
    """Active users with this (already lower-cased) e-mail, in every clinic or in one."""
    query = select(User).where(User.email == email, User.active)
    if clinic_id is not None:
        query = query.where(User.clinic_id == clinic_id)
    return list(session.scalars(query))


def users(session: Session, clinic_id: str) -> list[User]:
    """The clinic's users by role, then e-mail."""
    return list(session.scalars(select(User).where(User.clinic_id == clinic_id).order_by(User.role, User.email)))
