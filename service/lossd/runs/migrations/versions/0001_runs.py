"""Runs, their tags, series and points.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _run_series_key(last: str) -> list[sa.Column[object]]:
    """The leading key of every per-series table: the run, the series, and `last` (a step)."""
    return [
        sa.Column("run", sa.Integer(), sa.ForeignKey("runs.seq", ondelete="CASCADE"), nullable=False),
        sa.Column("series", sa.String(64), nullable=False),
        sa.Column(last, sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("owner", sa.String(128), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("status_version", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_runs"),
        sa.UniqueConstraint("id", name="uq_runs_id"),
    )
    op.create_index("ix_runs_owner", "runs", ["owner"])
    op.create_table(
        "run_tags",
        sa.Column("run", sa.Integer(), sa.ForeignKey("runs.seq", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("value", sa.String(1024), nullable=False),
        sa.PrimaryKeyConstraint("run", "key", name="pk_run_tags"),
    )
    op.create_index("ix_run_tags_key_value", "run_tags", ["key", "value"])
    op.create_table(
        "series",
        sa.Column("run", sa.Integer(), sa.ForeignKey("runs.seq", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("run", "name", name="pk_series"),
    )
    op.create_table(
        "points",
        *_run_series_key("step"),
        # NULL when the value is not finite: `kind` says which (0 finite, 1 NaN, 2 +inf, 3 -inf)
        sa.Column("value", sa.Float(precision=53), nullable=True),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("time", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("run", "series", "step", name="pk_points"),
        sqlite_with_rowid=False,  # the primary key is the table: a curve is one range of it, in step order
    )
    op.create_table(
        "chunks",
        *_run_series_key("start"),
        sa.Column("first", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("finite", sa.Integer(), nullable=False),
        sa.Column("nans", sa.Integer(), nullable=False),
        sa.Column("pos_infs", sa.Integer(), nullable=False),
        sa.Column("neg_infs", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(precision=53), nullable=False),
        sa.Column("low", sa.Float(precision=53), nullable=True),
        sa.Column("high", sa.Float(precision=53), nullable=True),
        sa.PrimaryKeyConstraint("run", "series", "start", name="pk_chunks"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "chunk_data",
        *_run_series_key("start"),
        # little-endian int64 steps and float64 values (a NaN keeps its bits in a blob)
        sa.Column("steps", sa.LargeBinary(), nullable=False),
        sa.Column("values", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("run", "series", "start", name="pk_chunk_data"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for table in ("chunk_data", "chunks", "points", "series", "run_tags", "runs"):
        op.drop_table(table)
