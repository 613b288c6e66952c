"""vials and stock: vials received per lot, discarded vials, the units each treatment drew

Existing treatments that named their vial get one draw of their total units from it, so the
units left in every vial already in use are right from the start. Treatments signed with a
new vial before vials were recorded stay as they were signed (a signed record is not changed).

Revision ID: d0801
Revises: 0003
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "d0801"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vials_received", sa.Integer(), nullable=True))
    with op.batch_alter_table("reconstitutions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("discard_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("discarded_by", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reconstitutions_discarded_by_users"), "users", ["discarded_by"], ["id"]
        )
    op.create_table(
        "vial_draws",
        sa.Column("clinic_id", sa.String(length=36), nullable=False),
        sa.Column("reconstitution_id", sa.String(length=36), nullable=False),
        sa.Column("treatment_id", sa.String(length=36), nullable=False),
        sa.Column("units", sa.Numeric(precision=9, scale=3), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_vial_draws_clinic_id_clinics")),
        sa.ForeignKeyConstraint(
            ["reconstitution_id"], ["reconstitutions.id"], name=op.f("fk_vial_draws_reconstitution_id_reconstitutions")
        ),
        sa.ForeignKeyConstraint(
            ["treatment_id"], ["treatments.id"], name=op.f("fk_vial_draws_treatment_id_treatments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vial_draws")),
    )
    with op.batch_alter_table("vial_draws", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vial_draws_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vial_draws_reconstitution_id"), ["reconstitution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vial_draws_treatment_id"), ["treatment_id"], unique=False)

    bind = op.get_bind()
    used = bind.execute(
        sa.text(
            "SELECT id, clinic_id, reconstitution_id, total_units FROM treatments WHERE reconstitution_id IS NOT NULL"
        )
    ).fetchall()
    draws = sa.table(
        "vial_draws",
        sa.column("id", sa.String),
        sa.column("clinic_id", sa.String),
        sa.column("reconstitution_id", sa.String),
        sa.column("treatment_id", sa.String),
        sa.column("units", sa.Numeric(9, 3)),
    )
    rows = [
        {"id": str(uuid.uuid4()), "clinic_id": c, "reconstitution_id": r, "treatment_id": t, "units": u}
        for t, c, r, u in used
    ]
    if rows:
        op.bulk_insert(draws, rows)


def downgrade() -> None:
    with op.batch_alter_table("vial_draws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vial_draws_treatment_id"))
        batch_op.drop_index(batch_op.f("ix_vial_draws_reconstitution_id"))
        batch_op.drop_index(batch_op.f("ix_vial_draws_clinic_id"))
    op.drop_table("vial_draws")
    with op.batch_alter_table("reconstitutions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reconstitutions_discarded_by_users"), type_="foreignkey")
        batch_op.drop_column("discarded_by")
        batch_op.drop_column("discard_reason")
        batch_op.drop_column("discarded_at")
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_column("vials_received")
