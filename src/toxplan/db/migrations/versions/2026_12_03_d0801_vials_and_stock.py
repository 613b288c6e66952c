"""vials and stock: vials received per lot, discarded vials, the units each treatment drew

Existing treatments that named their vial get one draw of their total units from it, so the
units left in every vial already in use are right from the start. Treatments signed with a
new vial before vials were recorded stay as they were signed (a signed record is not changed).

Revision ID: d0801
Revises: h9b01
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "d0801"
down_revision = "h9b01"
branch_labels = None
depends_on = None


def add_reference(table: str, column: str, target: str) -> None:
    """A nullable column referring to ``target``, added in place.

    SQLite cannot add a named constraint without rebuilding the table, and a rebuild drops the
    old table, which its foreign keys refuse once other tables refer to its rows; a column-level
    REFERENCES clause is added in place instead.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(36) REFERENCES {target} (id)")
        return
    op.add_column(table, sa.Column(column, sa.String(length=36), nullable=True))
    op.create_foreign_key(op.f(f"fk_{table}_{column}_{target}"), table, target, [column], ["id"])


def drop_reference(table: str, column: str, target: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(table, schema=None) as batch_op:  # the rebuild leaves the reference out
            batch_op.drop_column(column)
        return
    op.drop_constraint(op.f(f"fk_{table}_{column}_{target}"), table, type_="foreignkey")
    op.drop_column(table, column)


def upgrade() -> None:
    op.add_column("lots", sa.Column("vials_received", sa.Integer(), nullable=True))
    op.add_column("reconstitutions", sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("reconstitutions", sa.Column("discard_reason", sa.Text(), nullable=True))
    add_reference("reconstitutions", "discarded_by", "users")
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
    drop_reference("reconstitutions", "discarded_by", "users")
    with op.batch_alter_table("reconstitutions", schema=None) as batch_op:
        batch_op.drop_column("discard_reason")
        batch_op.drop_column("discarded_at")
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_column("vials_received")
