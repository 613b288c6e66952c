"""follow-up reviews are kept as versions: a second review no longer replaces the first

Revision ID: h9a01
Revises: r1201
Create Date: 2026-12-03 09:00:00

The reviews recorded so far become version 1 of their follow-up (author as recorded on the
follow-up, recording time unknown and so set to the migration's time).
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import op

revision = "h9a01"
down_revision = "r1201"
branch_labels = None
depends_on = None

REVIEW_FIELDS = ("reviewed_on", "fws_rest", "fws_max", "satisfaction", "touch_up_units", "effect_wore_off_on", "note")


def upgrade() -> None:
    reviews = op.create_table(
        "follow_up_reviews",
        sa.Column("clinic_id", sa.String(length=36), nullable=False),
        sa.Column("follow_up_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("fws_rest", sa.Integer(), nullable=True),
        sa.Column("fws_max", sa.Integer(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("touch_up_units", sa.Numeric(precision=8, scale=3), nullable=True),
        sa.Column("effect_wore_off_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.CheckConstraint("fws_max BETWEEN 0 AND 3", name=op.f("ck_follow_up_reviews_fws_max")),
        sa.CheckConstraint("fws_rest BETWEEN 0 AND 3", name=op.f("ck_follow_up_reviews_fws_rest")),
        sa.CheckConstraint("satisfaction BETWEEN 1 AND 5", name=op.f("ck_follow_up_reviews_satisfaction")),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_follow_up_reviews_clinic_id_clinics")),
        sa.ForeignKeyConstraint(
            ["follow_up_id"], ["follow_ups.id"], name=op.f("fk_follow_up_reviews_follow_up_id_follow_ups")
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_follow_up_reviews_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_reviews")),
        sa.UniqueConstraint("follow_up_id", "version", name="follow_up_version"),
    )
    with op.batch_alter_table("follow_up_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_reviews_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_reviews_follow_up_id"), ["follow_up_id"], unique=False)

    follow_ups = sa.table(
        "follow_ups",
        sa.column("id"),
        sa.column("clinic_id"),
        sa.column("recorded_by"),
        *(sa.column(name) for name in REVIEW_FIELDS),
    )
    reviewed = op.get_bind().execute(
        sa.select(follow_ups).where(sa.or_(*(follow_ups.c[name].is_not(None) for name in REVIEW_FIELDS)))
    )
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "id": str(uuid.uuid4()),
            "clinic_id": row.clinic_id,
            "follow_up_id": row.id,
            "version": 1,
            "recorded_by": row.recorded_by,
            "recorded_at": now,
            **{name: getattr(row, name) for name in REVIEW_FIELDS},
        }
        for row in reviewed
    ]
    if rows:
        op.bulk_insert(reviews, rows)
    _guard("follow_up_reviews")


def _guard(table: str) -> None:
    """UPDATE and DELETE refused by the database, as on the other append-only tables."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION toxplan_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS follow_up_reviews_append_only ON follow_up_reviews")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS follow_up_reviews_no_{verb}")
    with op.batch_alter_table("follow_up_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_reviews_follow_up_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_reviews_clinic_id"))
    op.drop_table("follow_up_reviews")
