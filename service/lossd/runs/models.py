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
