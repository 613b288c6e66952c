"""why a critical finding was overridden (a category with the reason); the printed name of whoever
signed a treatment (performed) or co-signed it (reviewed)

Columns added in place: these tables are append-only, and a SQLite table rebuild would drop
their guards. Earlier rows keep empty values.

Revision ID: d0803
Revises: d0802
Create Date: 2026-12-03 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0803"
down_revision = "d0802"
branch_labels = None
depends_on = None

ADDED = (
    ("treatment_findings", "override_category", sa.String(length=40)),
    ("treatments", "signer_name", sa.String(length=200)),
    ("cosignatures", "signer_name", sa.String(length=200)),
)


def upgrade() -> None:
    for table, column, kind in ADDED:
        op.add_column(table, sa.Column(column, kind, nullable=True))


def downgrade() -> None:
    for table, column, _ in reversed(ADDED):
        op.drop_column(table, column)
