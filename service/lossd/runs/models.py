"""The runs tables, as SQLAlchemy 2 models. The schema itself is made by the migrations beside this module.

A point's value is stored as `value` (the number, NULL when it is not finite) and `kind` (0 finite, 1 NaN,
2 +Infinity, 3 -Infinity): SQLite turns a NaN into NULL, so the kind column is what brings every non-finite
value back exactly, on SQLite and PostgreSQL alike.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints, so that migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FINITE, NAN, POS_INF, NEG_INF = 0, 1, 2, 3


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class RunRow(Base):
    """One training run. `seq` orders runs (newest first) and keys their points; `id` is the public name."""

    __tablename__ = "runs"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    tags: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float)  # Unix seconds, UTC
    # The seam for access control: the key that made the run, NULL while access control is off.
    owner: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    # Counts the writes that changed points; `status` is the default diagnosis's, as of `status_version`.
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status_version: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class TagRow(Base):
    """A run's tags, one row each, for `?tag=key:value` filters."""

    __tablename__ = "run_tags"

    run: Mapped[int] = mapped_column(ForeignKey("runs.seq", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    value: Mapped[str] = mapped_column(String(1024))

    __table_args__ = (Index("ix_run_tags_key_value", "key", "value"),)


class SeriesRow(Base):
    """A series of a run, with the summary its writers keep up to date under the run's lock."""

    __tablename__ = "series"

    run: Mapped[int] = mapped_column(ForeignKey("runs.seq", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    last_step: Mapped[int] = mapped_column(BigInteger)


class PointRow(Base):
    """One point; its primary key is also the index every curve read walks, in step order."""

    __tablename__ = "points"

    run: Mapped[int] = mapped_column(ForeignKey("runs.seq", ondelete="CASCADE"), primary_key=True)
    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    value: Mapped[float | None] = mapped_column(Float(precision=53), nullable=True)
    kind: Mapped[int] = mapped_column(SmallInteger)
    time: Mapped[float] = mapped_column(Float(precision=53))  # Unix seconds, UTC

    __table_args__ = ({"sqlite_with_rowid": False},)


class ChunkRow(Base):
    """A series' points cut into chunks of consecutive steps, each with its aggregates (its points, packed, are
    in `chunk_data`):
    a curve is read from about count/64 chunks rather than count points (lossd.runs.chunks).

    Chunk `start`s partition the steps: a chunk holds the points with start ≤ step < the next chunk's start
    (the first chunk starts at 0). `total`, `low`, `high` are the sum, min and max of its finite values (NULL
    with none).
    """

    __tablename__ = "chunks"

    run: Mapped[int] = mapped_column(ForeignKey("runs.seq", ondelete="CASCADE"), primary_key=True)
    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    first: Mapped[int] = mapped_column(BigInteger)  # the step of its first point
    count: Mapped[int] = mapped_column(Integer)
    finite: Mapped[int] = mapped_column(Integer)
    nans: Mapped[int] = mapped_column(Integer)
    pos_infs: Mapped[int] = mapped_column(Integer)
    neg_infs: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float(precision=53))
    low: Mapped[float | None] = mapped_column(Float(precision=53), nullable=True)
    high: Mapped[float | None] = mapped_column(Float(precision=53), nullable=True)

    __table_args__ = ({"sqlite_with_rowid": False},)


class ChunkDataRow(Base):
    """A chunk's points, packed; apart from the aggregates so that scanning those stays small."""

    __tablename__ = "chunk_data"

    run: Mapped[int] = mapped_column(ForeignKey("runs.seq", ondelete="CASCADE"), primary_key=True)
    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    steps: Mapped[bytes] = mapped_column(LargeBinary)
    values: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = ({"sqlite_with_rowid": False},)
