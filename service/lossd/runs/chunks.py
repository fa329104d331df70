"""Chunks: a series' points kept a second time as runs of consecutive steps, aggregated and packed.

The points table is the truth; each write rebuilds the chunks it touched from it, under the run's lock. A
chunk holds at most `2 * SIZE` points: one that grows past that is cut into chunks of `SIZE`. Reading a curve
then costs about count/SIZE chunk rows, not count point rows:

- bucketing (`buckets`) groups the chunks that lie wholly inside one bucket in SQL (a running sum of chunk
  counts gives each chunk's first rank, hence its bucket), and unpacks only the chunks a bucket boundary cuts
  (at most N - 1 of them, or every chunk when buckets are smaller than chunks);
- a whole curve (`read_all`) is count/SIZE packed arrays, joined by numpy.
"""

import bisect
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, case, delete, func, insert, select

from .models import ChunkDataRow, ChunkRow, PointRow

SIZE = 64

_chunks = ChunkRow.__table__
_data = ChunkDataRow.__table__
_points = PointRow.__table__
_c = _chunks.c
_d = _data.c


def _where(seq: int, series: str, table: Any = _chunks) -> Any:
    return and_(table.c.run == seq, table.c.series == series)


def pack(steps: np.ndarray, values: np.ndarray, start: int) -> dict[str, Any]:
    """A chunk row's columns for these points (steps ascending); `steps` and `values` go to chunk_data."""
    finite = np.isfinite(values)
    good = values[finite]
    return {
        "start": start,
        "first": int(steps[0]),
        "count": len(steps),
        "finite": int(finite.sum()),
        "nans": int(np.isnan(values).sum()),
        "pos_infs": int((values == np.inf).sum()),
        "neg_infs": int((values == -np.inf).sum()),
        "total": float(good.sum()),
        "low": float(good.min()) if len(good) else None,
        "high": float(good.max()) if len(good) else None,
        "steps": steps.astype("<i8").tobytes(),
        "values": values.astype("<f8").tobytes(),
    }


def unpack(steps: bytes, values: bytes) -> tuple[np.ndarray, np.ndarray]:
    return np.frombuffer(steps, dtype="<i8"), np.frombuffer(values, dtype="<f8")


def reindex(conn: Connection, seq: int, series: str, touched: Sequence[int], decode: Any) -> None:
    """Rebuild, from the points table, every chunk of `series` that holds one of the `touched` steps
    (sorted ascending). `decode(value, kind)` turns a point row's columns into a float."""
    where = _where(seq, series)
    low = conn.execute(select(func.max(_c.start)).where(where, _c.start <= touched[0])).scalar()
    starts = list(
        conn.execute(
            select(_c.start).where(where, _c.start >= (low or 0), _c.start <= touched[-1]).order_by(_c.start)
        ).scalars()
    )
    if not starts:
        starts = [0]  # a new series: one chunk from step 0
    after = conn.execute(select(func.min(_c.start)).where(where, _c.start > touched[-1])).scalar()
    ends = [*starts[1:], after]
    for i in sorted({bisect.bisect_right(starts, s) - 1 for s in touched}):
        _rebuild(conn, seq, series, starts[i], ends[i], decode)


def _rebuild(conn: Connection, seq: int, series: str, start: int, end: int | None, decode: Any) -> None:
    p = _points.c
    query = select(p.step, p.value, p.kind).where(p.run == seq, p.series == series, p.step >= start)
    rows = conn.execute((query if end is None else query.where(p.step < end)).order_by(p.step)).all()
    for table in (_chunks, _data):
        conn.execute(delete(table).where(_where(seq, series, table), table.c.start == start))
    steps = np.fromiter((r.step for r in rows), dtype=np.int64, count=len(rows))
    values = np.fromiter((decode(r.value, r.kind) for r in rows), dtype=np.float64, count=len(rows))
    cuts = [0] if len(rows) <= 2 * SIZE else list(range(0, len(rows), SIZE))
    pieces = [
        {"run": seq, "series": series, **pack(steps[a:b], values[a:b], start if a == 0 else int(steps[a]))}
        for a, b in zip(cuts, [*cuts[1:], len(rows)], strict=True)
    ]
    keys = ("run", "series", "start", "steps", "values")
    conn.execute(insert(_data), [{k: p[k] for k in keys} for p in pieces])
    conn.execute(insert(_chunks), [{k: v for k, v in p.items() if k not in ("steps", "values")} for p in pieces])


def read_all(conn: Connection, seq: int, series: str) -> tuple[np.ndarray, np.ndarray]:
    """Every point of the series in step order: (steps int64, values float64)."""
    rows = conn.execute(select(_d.steps, _d["values"]).where(_where(seq, series, _data)).order_by(_d.start)).all()
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    parts = [unpack(r[0], r[1]) for r in rows]
    return np.concatenate([s for s, _ in parts]), np.concatenate([v for _, v in parts])


def best(conn: Connection, seq: int, series: str) -> tuple[int, float] | None:
    """The smallest finite value and the earliest step holding it, or None."""
    where = _where(seq, series)
    lowest = select(func.min(_c.low)).where(where).scalar_subquery()
    row = conn.execute(select(_c.start, _c.low).where(where, _c.low == lowest).order_by(_c.start).limit(1)).first()
    if row is None:
        return None
    data = conn.execute(select(_d.steps, _d["values"]).where(_where(seq, series, _data), _d.start == row.start)).one()
    steps, values = unpack(data[0], data[1])
    i = int(np.flatnonzero(values == row.low)[0])
    return int(steps[i]), float(values[i])


class _Sums:
    """Per-bucket accumulators: finite count, sum, min, max, non-finite counts, first step."""

    def __init__(self, n: int) -> None:
        self.finite = np.zeros(n, np.int64)
        self.total = np.zeros(n, np.float64)
        self.low = np.full(n, np.inf)
        self.high = np.full(n, -np.inf)
        self.nans = np.zeros(n, np.int64)
        self.pos = np.zeros(n, np.int64)
        self.neg = np.zeros(n, np.int64)
        self.first = np.full(n, np.iinfo(np.int64).max, np.int64)


def buckets(
    conn: Connection, seq: int, series: str, count: int, n: int
) -> tuple[list[int], list[float], list[float], list[float]]:
    """`n` (< `count`) buckets of consecutive points, the r-th point (from 0) in bucket ⌊r·n/count⌋, so that
    sizes differ by at most one: (first steps, means, mins, maxs), with IEEE rules for non-finite values."""
    small = [_c.start, _c.first, _c.count, _c.finite, _c.nans, _c.pos_infs, _c.neg_infs, _c.total, _c.low, _c.high]
    ranked = (
        select(*small, (func.sum(_c.count).over(order_by=_c.start) - _c.count).label("rank"))
        .where(_where(seq, series))
        .subquery()
    )
    r = ranked.c
    bucket_of_first = r.rank * n // count
    whole = bucket_of_first == (r.rank + r.count - 1) * n // count
    # one pass: the chunks wholly inside a bucket grouped per bucket (piece -1); each cut chunk on its own row
    piece = case((whole, -1), else_=r.start)
    acc = _Sums(n)
    cut_ranks: dict[int, int] = {}
    grouped = conn.execute(
        select(
            bucket_of_first,
            piece,
            func.min(r.rank),
            func.min(r.first),
            func.sum(r.finite),
            func.sum(r.total),
            func.min(r.low),
            func.max(r.high),
            func.sum(r.nans),
            func.sum(r.pos_infs),
            func.sum(r.neg_infs),
        ).group_by(bucket_of_first, piece)
    )
    for b, start, rank, first, finite, total, low, high, nans, pos, neg in grouped:
        if start != -1:
            cut_ranks[start] = rank
            continue
        acc.first[b], acc.finite[b], acc.total[b] = first, finite, total
        acc.low[b] = np.inf if low is None else low
        acc.high[b] = -np.inf if high is None else high
        acc.nans[b], acc.pos[b], acc.neg[b] = nans, pos, neg
    if cut_ranks:
        cut = []
        starts = sorted(cut_ranks)
        for i in range(0, len(starts), 500):
            rows = conn.execute(
                select(_d.start, _d.steps, _d["values"]).where(
                    _where(seq, series, _data), _d.start.in_(starts[i : i + 500])
                )
            )
            cut += [(cut_ranks[start], steps, values) for start, steps, values in rows]
        cut.sort(key=lambda c: c[0])
        _add_points(acc, cut, n, count)
    return _finish(acc)


def _add_points(acc: _Sums, cut: Sequence[Any], n: int, count: int) -> None:
    """Fold the points of the chunks a bucket boundary cuts into the buckets, point by point (vectorised)."""
    parts = [(rank, *unpack(steps, values)) for rank, steps, values in cut]
    ranks = np.concatenate([np.arange(rank, rank + len(s), dtype=np.int64) for rank, s, _ in parts])
    steps = np.concatenate([s for _, s, _ in parts])
    values = np.concatenate([v for _, _, v in parts])
    bucket = ranks * n // count
    # the cut chunks are in step order, so each bucket's points are one contiguous segment
    heads = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    ids = bucket[heads]
    finite = np.isfinite(values)
    acc.finite[ids] += np.add.reduceat(finite.astype(np.int64), heads)
    acc.total[ids] += np.add.reduceat(np.where(finite, values, 0.0), heads)
    acc.low[ids] = np.minimum(acc.low[ids], np.minimum.reduceat(np.where(finite, values, np.inf), heads))
    acc.high[ids] = np.maximum(acc.high[ids], np.maximum.reduceat(np.where(finite, values, -np.inf), heads))
    acc.nans[ids] += np.add.reduceat(np.isnan(values).astype(np.int64), heads)
    acc.pos[ids] += np.add.reduceat((values == np.inf).astype(np.int64), heads)
    acc.neg[ids] += np.add.reduceat((values == -np.inf).astype(np.int64), heads)
    acc.first[ids] = np.minimum(acc.first[ids], steps[heads])


def _finish(acc: _Sums) -> tuple[list[int], list[float], list[float], list[float]]:
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = acc.total / acc.finite
    mean = np.where(acc.neg > 0, -np.inf, mean)
    mean = np.where(acc.pos > 0, np.inf, mean)
    mean = np.where((acc.nans > 0) | ((acc.pos > 0) & (acc.neg > 0)), np.nan, mean)
    low = np.where(acc.neg > 0, -np.inf, acc.low)  # with no finite value and no -inf, +inf (all +inf)
    high = np.where(acc.pos > 0, np.inf, acc.high)
    low = np.where(acc.nans > 0, np.nan, low)
    high = np.where(acc.nans > 0, np.nan, high)
    return acc.first.tolist(), mean.tolist(), low.tolist(), high.tolist()
