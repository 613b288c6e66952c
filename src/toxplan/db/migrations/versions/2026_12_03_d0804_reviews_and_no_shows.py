"""a medical director's queries and rejections of signed treatments; follow-ups the patient did
not come to

Revision ID: d0804
Revises: d0803
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0804"
down_revision = "d0803"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "treatment_reviews",
        sa.Column("clinic_id", sa.String(length=36), nullable=False),
        sa.Column("treatment_id", sa.String(length=36), nullable=False),
        sa.Column("reviewer_id", sa.String(length=36), nullable=False),
        sa.Column("reviewer_name", sa.String(length=200), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("query", "reject", name="review_decision", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_treatment_reviews_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name=op.f("fk_treatment_reviews_reviewer_id_users")),
        sa.ForeignKeyConstraint(
            ["treatment_id"], ["treatments.id"], name=op.f("fk_treatment_reviews_treatment_id_treatments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_reviews")),
    )
    with op.batch_alter_table("treatment_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_treatment_reviews_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_treatment_reviews_treatment_id"), ["treatment_id"], unique=False)
    op.add_column("follow_ups", sa.Column("no_show_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_column("no_show_on")
    with op.batch_alter_table("treatment_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_reviews_treatment_id"))
        batch_op.drop_index(batch_op.f("ix_treatment_reviews_clinic_id"))
    op.drop_table("treatment_reviews")
