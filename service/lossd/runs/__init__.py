"""Runs: the curves of training runs, kept, read and diagnosed. Nothing here knows of HTTP.

The store (`lossd.runs.store`) keeps runs and their points in SQLite or PostgreSQL through SQLAlchemy 2;
its schema is made and upgraded only by the Alembic migrations shipped in `lossd.runs.migrations`
(`Store.upgrade()`, run at start-up and by `lossd db upgrade`). The diagnosis (`lossd.runs.diagnosis`)
and the smoothing (`lossd.runs.curves`) are pure functions over arrays.

The interface other modules build on (names kept stable):

    store = Store.open(url)            # an engine; `store.upgrade()` applies the migrations; `store.close()`
    store.create_run(name, tags, owner=None) -> Run
    store.get_run(run_id, owner=None) -> Run                        # RunNotFound
        # Run(id, name, tags, created_at: UTC datetime, series: {name: SeriesSummary}, status)
    store.exists(run_id, owner=None) -> bool
    store.list_runs(owner=None, limit=50, cursor=None, tags=None) -> RunPage   # newest first
    store.delete_run(run_id, owner=None) -> None                    # RunNotFound
    store.add_points(run_id, points: Sequence[NewPoint], replace=False, owner=None) -> int
                                                                    # RunNotFound, PointConflict
    store.points(run_id, series: list[str] | None = None, owner=None) -> Iterator[Point]
        # every point, by series then step: Point(series, step, value, time), value a float
        # (NaN and ±inf included), time a timezone-aware UTC datetime
    store.series_names(run_id, owner=None) -> list[str]
    store.summaries(run_id, owner=None) -> dict[str, SeriesSummary]
    store.curve(run_id, series, owner=None) -> Curve                # SeriesNotFound; every point, step order
    store.read_series(run_id, series, max_points=None, owner=None) -> SeriesRead
        # SeriesRead(series, count, steps, values, mins, maxs): at most max_points buckets, grouped in SQL
        # over aggregated chunks of 64 points (lossd.runs.chunks)
    diagnose(monitor: Curve, train: Curve | None, mode="min", patience=5, min_delta=0.0) -> Diagnosis
        # Diagnosis(status, best: Best | None, stop_at, diverged_at, overfitting_since, generalization_gap)
    diagnose_run(store, run_id, monitor=None, train="train", ..., owner=None) -> RunDiagnosis
        # picks `monitor` as runs.md says, then `diagnose`
    smooth(values, weight) -> list[float]                            # TensorBoard's debiased EMA

Errors (all `lossd.errors.LossdError`, mapped to problems by the HTTP layer): `RunNotFound` and
`SeriesNotFound` (404), `PointConflict` (409, naming the point).
"""

from .curves import smooth
from .diagnosis import Best, Curve, Diagnosis, diagnose
from .store import (
    NewPoint,
    Point,
    PointConflict,
    Run,
    RunDiagnosis,
    RunNotFound,
    RunPage,
    SeriesNotFound,
    SeriesRead,
    SeriesSummary,
    Store,
    diagnose_run,
)

__all__ = [
    "Best",
    "Curve",
    "Diagnosis",
    "NewPoint",
    "Point",
    "PointConflict",
    "Run",
    "RunDiagnosis",
    "RunNotFound",
    "RunPage",
    "SeriesNotFound",
    "SeriesRead",
    "SeriesSummary",
    "Store",
    "diagnose",
    "diagnose_run",
    "smooth",
]
