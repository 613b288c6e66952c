"""patient photos: standard views at time points, cleaned JPEG and thumbnail, face landmarks

Revision ID: p1101
Revises: h9a02
Create Date: 2026-12-03 17:48:08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p1101"
down_revision = "h9a02"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("clinic_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column(
            "view",
            sa.Enum(
                "front_rest",
                "front_frown",
                "front_brows_raised",
                "front_smile",
                "oblique_left",
                "oblique_right",
                "profile_left",
                "profile_right",
                name="photo_view",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "time_point",
            sa.Enum(
                "baseline",
                "review_2_weeks",
                "other",
                name="photo_time_point",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=36), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=False),
        sa.Column("face_found", sa.Boolean(), nullable=False),
        sa.Column("landmarks", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_photos_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_photos_patient_id_patients")),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"], name=op.f("fk_photos_uploaded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photos_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_taken_at"), ["taken_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photos_taken_at"))
        batch_op.drop_index(batch_op.f("ix_photos_patient_id"))
        batch_op.drop_index(batch_op.f("ix_photos_clinic_id"))

    op.drop_table("photos")
