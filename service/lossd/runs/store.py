"""The runs store: runs and their points in SQLite or PostgreSQL, through SQLAlchemy 2. No HTTP here.

Writes to one run are serialised by a lock on the run (PostgreSQL: its row, `SELECT … FOR UPDATE`; SQLite:
the database's write lock, taken up front with `BEGIN IMMEDIATE`), so that checking a request's points
against the stored ones and inserting them is one atomic step, whichever process writes. SQLite runs in WAL
mode with `synchronous=FULL`: a committed write is on disk before the caller hears of it.
"""

import base64
import binascii
import math
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    exists,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url

from ..errors import PointConflict, RunNotFound, SeriesNotFound
from . import chunks
from .diagnosis import Curve, Diagnosis, Mode, diagnose
from .models import FINITE, NAN, NEG_INF, POS_INF, ChunkDataRow, ChunkRow, PointRow, RunRow, SeriesRow, TagRow

_runs = RunRow.__table__
_tags = TagRow.__table__
_series = SeriesRow.__table__
_points = PointRow.__table__
_chunks = ChunkRow.__table__
_chunk_data = ChunkDataRow.__table__

# Steps per `IN (…)` query when checking a request's points against the stored ones.
_CHUNK = 500


@dataclass(frozen=True)
class NewPoint:
    """A point to write. `value` may be NaN or ±inf; `time` is Unix seconds, None for the server's clock."""

    series: str
    step: int
    value: float
    time: float | None = None


@dataclass(frozen=True)
class Point:
    series: str
    step: int
    value: float
    time: datetime


@dataclass(frozen=True)
class SeriesSummary:
    """A series at a glance; `best_*` is its smallest finite value (losses are minimised), None if none."""

    count: int
    last_step: int
    last_value: float
    best_step: int | None
    best_value: float | None


@dataclass(frozen=True)
class Run:
    id: str
    name: str
    tags: dict[str, str]
    created_at: datetime
    series: dict[str, SeriesSummary] = field(default_factory=dict)
    status: str = "insufficient_data"


@dataclass(frozen=True)
class RunPage:
    runs: list[Run]
    next_cursor: str | None


@dataclass(frozen=True)
class SeriesRead:
    """One curve as read: `count` points stored; `steps`, `values`, `mins`, `maxs` of equal length.

    With at most `max_points` stored (or no `max_points`), every point in step order, `mins` = `maxs` =
    `values`. With more, `max_points` buckets of consecutive points whose sizes differ by at most one: each
    bucket's first step, and its mean, min and max as IEEE arithmetic gives them (numpy's `mean`, `min`,
    `max`): a NaN in a bucket makes all three NaN, an infinity stays an infinity.
    """

    series: str
    count: int
    steps: list[int]
    values: list[float]
    mins: list[float]
    maxs: list[float]


@dataclass(frozen=True)
class RunDiagnosis:
    """A diagnosis and the series it read: `monitor` None when the run had no series to monitor."""

    monitor: str | None
    train: str | None
    diagnosis: Diagnosis


def encode_value(value: float) -> tuple[float | None, int]:
    """(value column, kind column) for a float."""
    if math.isfinite(value):
        return value, FINITE
    if math.isnan(value):
        return None, NAN
    return None, POS_INF if value > 0 else NEG_INF


def decode_value(value: float | None, kind: int) -> float:
    if kind == FINITE:
        assert value is not None
        return float(value)
    return {NAN: math.nan, POS_INF: math.inf, NEG_INF: -math.inf}[kind]


def _same(stored: tuple[float | None, int], sent: tuple[float | None, int]) -> bool:
    return stored[1] == sent[1] and (stored[1] != FINITE or stored[0] == sent[0])


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _owned(owner: str | None) -> ColumnElement[bool]:
    """The filter every query of runs goes through: the caller's runs only."""
    return _runs.c.owner.is_(None) if owner is None else _runs.c.owner == owner


class Store:
    """Runs and points in one database. Thread-safe; one per process (see `lossd.runs` for the interface)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, url: str) -> "Store":
        """A store on `url` (`sqlite:///path`, `postgresql+psycopg://…`); a SQLite file's folder is made.

        Nothing is created in the database: `upgrade()` does that.
        """
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return cls(create_engine(url, pool_pre_ping=True))
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})
        _sqlite_events(engine)
        return cls(engine)

    def upgrade(self) -> None:
        """Apply every migration not yet applied; safe when several processes start at once."""
        from .migrations import upgrade  # alembic is imported only when migrating

        with self._write() as conn:
            if not self.sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(72061)"))  # one migrator at a time
            upgrade(conn)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(lossd_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if not self.sqlite:
                # One snapshot for every statement of a read (a count and the rows it counts agree).
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    # Runs

    def create_run(self, name: str, tags: Mapping[str, str], owner: str | None = None) -> Run:
        run_id = secrets.token_urlsafe(9)
        created = time.time()
        with self._write() as conn:
            seq = conn.execute(
                insert(_runs)
                .values(id=run_id, name=name, tags=dict(tags), created_at=created, owner=owner)
                .returning(_runs.c.seq)
            ).scalar_one()
            if tags:
                conn.execute(insert(_tags), [{"run": seq, "key": k, "value": v} for k, v in tags.items()])
        return Run(run_id, name, dict(tags), _utc(created))

    def get_run(self, run_id: str, owner: str | None = None) -> Run:
        """The run with its series' summaries and its default diagnosis status; raises RunNotFound."""
        with self._read() as conn:
            row = conn.execute(select(_runs).where(_runs.c.id == run_id, _owned(owner))).one_or_none()
            if row is None:
                raise RunNotFound(run_id)
            run = self._run(conn, row)
        self._keep_statuses([(row, run)])
        return run

    def list_runs(
        self,
        owner: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> RunPage:
        """Runs newest first, `limit` at a time, each with summaries and status; `tags` must all match.

        `cursor` is a page's `next_cursor`; raises ValueError for one that is not.
        """
        query = select(_runs).where(_owned(owner))
        if cursor is not None:
            query = query.where(_runs.c.seq < decode_cursor(cursor))
        for key, value in (tags or {}).items():
            query = query.where(exists().where(_tags.c.run == _runs.c.seq, _tags.c.key == key, _tags.c.value == value))
        with self._read() as conn:
            rows = conn.execute(query.order_by(_runs.c.seq.desc()).limit(limit + 1)).all()
            runs = [self._run(conn, row) for row in rows[:limit]]
        self._keep_statuses(list(zip(rows, runs, strict=False)))
        return RunPage(runs, encode_cursor(rows[limit - 1].seq) if len(rows) > limit else None)

    def delete_run(self, run_id: str, owner: str | None = None) -> None:
        """Delete the run and its points; raises RunNotFound."""
        with self._write() as conn:
            seq = self._lock_run(conn, run_id, owner)
            for table in (_chunk_data, _chunks, _points, _series, _tags):
                conn.execute(delete(table).where(table.c.run == seq))
            conn.execute(delete(_runs).where(_runs.c.seq == seq))

    def _run(self, conn: Connection, row: Any) -> Run:
        summaries = self._summaries(conn, row.seq)
        status = row.status
        if status is None or row.status_version != row.version:  # points written since it was diagnosed
            names = list(summaries)
            status = _diagnose(lambda s: self._curve(conn, row.seq, s), names, None, "train").diagnosis.status
        return Run(row.id, row.name, dict(row.tags), _utc(row.created_at), summaries, status)

    def _keep_statuses(self, pairs: list[tuple[Any, Run]]) -> None:
        """Remember each newly computed default status with the version of the points it saw, so that the
        next read of an unchanged run does not read its curves again (the diagnosis is O(points))."""
        fresh = [
            {"s": row.seq, "v": row.version, "status": run.status}
            for row, run in pairs
            if row.status != run.status or row.status_version != row.version
        ]
        if fresh:
            with self._write() as conn:
                conn.execute(
                    update(_runs)
                    .where(_runs.c.seq == bindparam("s"), _runs.c.version == bindparam("v"))
                    .values(status=bindparam("status"), status_version=bindparam("v")),
                    fresh,
                )

    def _lock_run(self, conn: Connection, run_id: str, owner: str | None) -> int:
        query = select(_runs.c.seq).where(_runs.c.id == run_id, _owned(owner))
        seq = conn.execute(query if self.sqlite else query.with_for_update()).scalar_one_or_none()
        if seq is None:
            raise RunNotFound(run_id)
        return int(seq)

    def _seq(self, conn: Connection, run_id: str, owner: str | None) -> int:
        seq = conn.execute(select(_runs.c.seq).where(_runs.c.id == run_id, _owned(owner))).scalar_one_or_none()
        if seq is None:
            raise RunNotFound(run_id)
        return int(seq)

    def exists(self, run_id: str, owner: str | None = None) -> bool:
        with self._read() as conn:
            try:
                self._seq(conn, run_id, owner)
            except RunNotFound:
                return False
            return True

    # Points

    def add_points(
        self,
        run_id: str,
        points: Sequence[NewPoint],
        replace: bool = False,
        owner: str | None = None,
        locs: Sequence[tuple[str | int, ...]] | None = None,
    ) -> int:
        """Store `points` all or none; returns how many were accepted (all of them).

        A `(series, step)` already stored with the same value is accepted and changes nothing. One stored
        with another value raises PointConflict (naming the first such point by `locs[i]`, default
        `("points", i)`) unless `replace`, which overwrites it. Repeats inside `points` are the caller's to
        refuse; the last one wins here. Raises RunNotFound.
        """
        loc = (lambda i: locs[i]) if locs is not None else (lambda i: ("points", i))
        now = time.time()
        by_series: dict[str, dict[int, tuple[int, float | None, int, float]]] = {}
        for i, p in enumerate(points):
            value, kind = encode_value(p.value)
            by_series.setdefault(p.series, {})[p.step] = (i, value, kind, now if p.time is None else p.time)
        with self._write() as conn:
            seq = self._lock_run(conn, run_id, owner)
            known = {r.name: r for r in conn.execute(select(_series).where(_series.c.run == seq))}
            new_rows: list[dict[str, Any]] = []
            replaced: list[dict[str, Any]] = []
            conflicts: list[tuple[int, str, int, float]] = []
            touched: dict[str, list[int]] = {}
            for name, sent in by_series.items():
                fresh = dict(sent)
                summary = known.get(name)
                if summary is not None and min(sent) <= summary.last_step:  # appends skip the look-up
                    for stored in self._stored(conn, seq, name, sorted(sent)):
                        i, value, kind, when = fresh.pop(stored.step)
                        if _same((stored.value, stored.kind), (value, kind)):
                            continue
                        if not replace:
                            conflicts.append((i, name, stored.step, decode_value(stored.value, stored.kind)))
                        replaced.append({"r": seq, "s": name, "st": stored.step, "v": value, "k": kind, "t": when})
                new_rows += [
                    {"run": seq, "series": name, "step": step, "value": value, "kind": kind, "time": when}
                    for step, (_, value, kind, when) in fresh.items()
                ]
                changed = [*fresh, *(r["st"] for r in replaced if r["s"] == name)]
                if changed:
                    touched[name] = sorted(changed)
                self._count(conn, seq, name, summary, len(fresh), max(sent))
            if conflicts:
                i, name, step, stored_value = min(conflicts)
                raise PointConflict(
                    loc(i),
                    f"{name!r} step {step} is stored with the value {stored_value!r}; send the same value, or "
                    'on_conflict: "replace" to overwrite it',
                )
            if new_rows:
                conn.execute(insert(_points), new_rows)
            if replaced:
                conn.execute(
                    update(_points)
                    .where(
                        _points.c.run == bindparam("r"),
                        _points.c.series == bindparam("s"),
                        _points.c.step == bindparam("st"),
                    )
                    .values(value=bindparam("v"), kind=bindparam("k"), time=bindparam("t")),
                    replaced,
                )
            for name, steps in touched.items():
                chunks.reindex(conn, seq, name, steps, decode_value)
            if touched:
                conn.execute(update(_runs).where(_runs.c.seq == seq).values(version=_runs.c.version + 1))
        return len(points)

    def _stored(self, conn: Connection, seq: int, series: str, steps: list[int]) -> Iterator[Any]:
        for i in range(0, len(steps), _CHUNK):
            chunk = steps[i : i + _CHUNK]
            yield from conn.execute(
                select(_points.c.step, _points.c.value, _points.c.kind).where(
                    _points.c.run == seq, _points.c.series == series, _points.c.step.in_(chunk)
                )
            )

    @staticmethod
    def _count(conn: Connection, seq: int, name: str, summary: Any, added: int, last: int) -> None:
        if summary is None:
            conn.execute(insert(_series).values(run=seq, name=name, count=added, last_step=last))
        elif added or last > summary.last_step:
            conn.execute(
                update(_series)
                .where(_series.c.run == seq, _series.c.name == name)
                .values(count=summary.count + added, last_step=max(last, summary.last_step))
            )

    def points(self, run_id: str, series: list[str] | None = None, owner: str | None = None) -> Iterator[Point]:
        """Every point of the run (or of `series`), by series then step, read in pages as iterated.

        Raises RunNotFound before the first point.
        """
        with self._read() as conn:
            seq = self._seq(conn, run_id, owner)
            query = select(_points.c.series, _points.c.step, _points.c.value, _points.c.kind, _points.c.time).where(
                _points.c.run == seq
            )
            if series is not None:
                query = query.where(_points.c.series.in_(series))
            rows = conn.execution_options(yield_per=10_000).execute(query.order_by(_points.c.series, _points.c.step))
            for r in rows:
                yield Point(r.series, r.step, decode_value(r.value, r.kind), _utc(r.time))

    def series_names(self, run_id: str, owner: str | None = None) -> list[str]:
        with self._read() as conn:
            return sorted(self._summaries(conn, self._seq(conn, run_id, owner)))

    def summaries(self, run_id: str, owner: str | None = None) -> dict[str, SeriesSummary]:
        with self._read() as conn:
            return self._summaries(conn, self._seq(conn, run_id, owner))

    def _summaries(self, conn: Connection, seq: int) -> dict[str, SeriesSummary]:
        out = {}
        for s in conn.execute(select(_series).where(_series.c.run == seq).order_by(_series.c.name)):
            where = and_(_points.c.run == seq, _points.c.series == s.name)
            last = conn.execute(select(_points.c.value, _points.c.kind).where(where, _points.c.step == s.last_step))
            last_value = decode_value(*last.one())
            best = chunks.best(conn, seq, s.name)
            out[s.name] = SeriesSummary(
                count=s.count,
                last_step=s.last_step,
                last_value=last_value,
                best_step=None if best is None else best[0],
                best_value=None if best is None else best[1],
            )
        return out

    def curve(self, run_id: str, series: str, owner: str | None = None) -> Curve:
        """Every point of one series in step order; raises RunNotFound, SeriesNotFound."""
        with self._read() as conn:
            seq = self._seq(conn, run_id, owner)
            self._series_row(conn, seq, run_id, series)
            return self._curve(conn, seq, series)

    def _curve(self, conn: Connection, seq: int, series: str) -> Curve:
        steps, values = chunks.read_all(conn, seq, series)
        return Curve(tuple(steps.tolist()), tuple(values.tolist()))

    def _series_row(self, conn: Connection, seq: int, run_id: str, series: str) -> Any:
        row = conn.execute(select(_series).where(_series.c.run == seq, _series.c.name == series)).one_or_none()
        if row is None:
            names = conn.execute(select(_series.c.name).where(_series.c.run == seq).order_by(_series.c.name))
            raise SeriesNotFound(run_id, series, list(names.scalars()))
        return row

    def read_series(
        self, run_id: str, series: str, max_points: int | None = None, owner: str | None = None
    ) -> SeriesRead:
        """One curve, reduced in the database to at most `max_points` buckets (see SeriesRead).

        Raises RunNotFound, SeriesNotFound; ValueError for `max_points` < 1.
        """
        if max_points is not None and max_points < 1:
            raise ValueError("max_points must be at least 1")
        with self._read() as conn:
            seq = self._seq(conn, run_id, owner)
            count = int(self._series_row(conn, seq, run_id, series).count)
            if max_points is None or count <= max_points:
                steps, values = chunks.read_all(conn, seq, series)
                every = values.tolist()
                return SeriesRead(series, count, steps.tolist(), every, every, every)
            return SeriesRead(series, count, *chunks.buckets(conn, seq, series, count, max_points))


def _diagnose(
    curve_of: Any,
    names: list[str],
    monitor: str | None,
    train: str | None,
    mode: Mode = "min",
    patience: int = 5,
    min_delta: float = 0.0,
) -> RunDiagnosis:
    if monitor is None:
        monitor = "validation" if "validation" in names else names[0] if len(names) == 1 else None
    if monitor is None:
        return RunDiagnosis(None, None, diagnose(Curve((), ()), None, mode, patience, min_delta))
    if train == monitor or train not in names:
        train = None
    train_curve = curve_of(train) if train is not None else None
    return RunDiagnosis(monitor, train, diagnose(curve_of(monitor), train_curve, mode, patience, min_delta))


def diagnose_run(
    store: Store,
    run_id: str,
    monitor: str | None = None,
    train: str | None = "train",
    mode: Mode = "min",
    patience: int = 5,
    min_delta: float = 0.0,
    owner: str | None = None,
) -> RunDiagnosis:
    """The run's diagnosis (runs.md): `monitor` defaults to `validation`, else the run's only series; with
    neither, the status is `insufficient_data` and `monitor` None. `train` is used when it exists and is not
    the monitor. Raises RunNotFound, and SeriesNotFound for a `monitor` named but absent."""
    with store._read() as conn:
        seq = store._seq(conn, run_id, owner)
        names = list(conn.execute(select(_series.c.name).where(_series.c.run == seq)).scalars())
        if monitor is not None and monitor not in names:
            raise SeriesNotFound(run_id, monitor, names)
        return _diagnose(lambda s: store._curve(conn, seq, s), names, monitor, train, mode, patience, min_delta)


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"r{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for; ValueError for anything `encode_cursor` did not make."""
    try:
        text_ = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("not a cursor this server gave") from None
    if not text_.startswith("r") or not text_[1:].isdigit():
        raise ValueError("not a cursor this server gave")
    return int(text_[1:])


def _sqlite_events(engine: Engine) -> None:
    """WAL, durable commits, foreign keys; write transactions take the write lock up front."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=60000"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A deferred transaction that later writes can fail with "database is locked" when another writer
        # got there first; taking the lock at BEGIN makes writers queue instead (busy_timeout).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("lossd_write") else "BEGIN")
