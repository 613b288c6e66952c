"""when a weight was recorded, so the later of two same-day weights is the current one

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patient_weights", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
        )
    with op.batch_alter_table("patient_weights", schema=None) as batch_op:
        batch_op.alter_column("recorded_at", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("patient_weights", schema=None) as batch_op:
        batch_op.drop_column("recorded_at")
