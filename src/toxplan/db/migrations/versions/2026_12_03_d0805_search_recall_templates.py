"""search keys for patients (names in any order, accents and case folded, phone digits) and lots
(punctuation dropped), filled in for every stored row; patients contacted about a recall;
clinic-saved plan templates

Revision ID: d0805
Revises: d0804
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "d0805"
down_revision = "d0804"
branch_labels = None
depends_on = None


def _fold(text: str | None) -> str:
    # The same rule as toxplan.db.search_keys.fold, frozen here as it was when this ran.
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def upgrade() -> None:
    op.add_column("patients", sa.Column("search_key", sa.String(length=410), nullable=True))
    op.add_column("patients", sa.Column("phone_digits", sa.String(length=50), nullable=True))
    op.add_column("lots", sa.Column("lot_key", sa.String(length=60), nullable=True))
    bind = op.get_bind()
    patients = sa.table(
        "patients",
        sa.column("id", sa.String),
        sa.column("search_key", sa.String),
        sa.column("phone_digits", sa.String),
    )
    for pid, given, family, phone in bind.execute(sa.text("SELECT id, given_name, family_name, phone FROM patients")):
        digits = "".join(c for c in phone or "" if c.isdigit()) or None
        bind.execute(
            patients.update()
            .where(patients.c.id == pid)
            .values(search_key=f" {_fold(given)} {_fold(family)} ", phone_digits=digits)
        )
    lots = sa.table("lots", sa.column("id", sa.String), sa.column("lot_key", sa.String))
    for lid, number in bind.execute(sa.text("SELECT id, lot_number FROM lots")):
        bind.execute(lots.update().where(lots.c.id == lid).values(lot_key=_fold(number).replace(" ", "")))
    op.create_table(
        "recall_contacts",
        sa.Column("clinic_id", sa.String(length=36), nullable=False),
        sa.Column("lot_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contacted_by", sa.String(length=36), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_recall_contacts_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["contacted_by"], ["users.id"], name=op.f("fk_recall_contacts_contacted_by_users")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_recall_contacts_lot_id_lots")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_recall_contacts_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_contacts")),
    )
    with op.batch_alter_table("recall_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recall_contacts_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recall_contacts_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recall_contacts_patient_id"), ["patient_id"], unique=False)
    op.create_table(
        "plan_templates",
        sa.Column("clinic_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("product", sa.String(length=40), nullable=False),
        sa.Column("injections", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_plan_templates_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_plan_templates_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_templates")),
        sa.UniqueConstraint("clinic_id", "name", name="clinic_template_name"),
    )
    with op.batch_alter_table("plan_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_templates_clinic_id"), ["clinic_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_templates_clinic_id"))
    op.drop_table("plan_templates")
    with op.batch_alter_table("recall_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recall_contacts_patient_id"))
        batch_op.drop_index(batch_op.f("ix_recall_contacts_lot_id"))
        batch_op.drop_index(batch_op.f("ix_recall_contacts_clinic_id"))
    op.drop_table("recall_contacts")
    for table, column in (("lots", "lot_key"), ("patients", "phone_digits"), ("patients", "search_key")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
