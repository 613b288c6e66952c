"""consent on knowledge-base forms (product, areas, text, hash, drawn signature); clinic policy
settings; the consent a treatment was signed under

Existing consents keep every value they had; the new columns stay empty for them.

Revision ID: d0802
Revises: d0801
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0802"
down_revision = "d0801"
branch_labels = None
depends_on = None

CONSENT_COLUMNS = (
    ("form_id", sa.String(length=80)),
    ("product", sa.String(length=40)),
    ("purpose", sa.String(length=20)),
    ("areas", sa.Text()),
    ("text", sa.Text()),
    ("text_sha256", sa.String(length=64)),
    ("signature_png", sa.Text()),
)


def guard_again(table: str) -> None:
    """SQLite's batch mode rebuilds a table, and its append-only triggers go with the old one:
    put them back (PostgreSQL alters the table in place and keeps them)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
        )


def upgrade() -> None:
    for name, kind in CONSENT_COLUMNS:
        op.add_column("consents", sa.Column(name, kind, nullable=True))
    op.add_column("clinics", sa.Column("consent_aesthetic", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("clinics", sa.Column("consent_therapeutic", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("clinics", sa.Column("consent_valid_months", sa.Integer(), server_default="12", nullable=False))
    op.add_column("clinics", sa.Column("usual_product", sa.String(length=40), nullable=True))
    # In place (see d0801.add_reference): rebuilding treatments would drop its append-only guard
    # and is refused by the foreign keys of the rows that refer to it.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE treatments ADD COLUMN consent_id VARCHAR(36) REFERENCES consents (id)")
    else:
        op.add_column("treatments", sa.Column("consent_id", sa.String(length=36), nullable=True))
        op.create_foreign_key(
            op.f("fk_treatments_consent_id_consents"), "treatments", "consents", ["consent_id"], ["id"]
        )
    guard_again("treatments")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("treatments", schema=None) as batch_op:  # the rebuild leaves the reference out
            batch_op.drop_column("consent_id")
    else:
        op.drop_constraint(op.f("fk_treatments_consent_id_consents"), "treatments", type_="foreignkey")
        op.drop_column("treatments", "consent_id")
    guard_again("treatments")
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        for name in ("usual_product", "consent_valid_months", "consent_therapeutic", "consent_aesthetic"):
            batch_op.drop_column(name)
    with op.batch_alter_table("consents", schema=None) as batch_op:
        for name, _ in reversed(CONSENT_COLUMNS):
            batch_op.drop_column(name)
