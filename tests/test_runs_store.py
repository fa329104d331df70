"""The runs store (lossd.runs.store) on SQLite and on a real PostgreSQL server, without HTTP."""

import math
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import create_engine, inspect

from lossd.errors import PointConflict, RunNotFound, SeriesNotFound
from lossd.runs import NewPoint, Store, diagnose_run
from lossd.runs.migrations import VERSION_TABLE

NAN, INF = math.nan, math.inf


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store.open(database_url)
    s.upgrade()
    yield s
    s.close()


def stored(store: Store, run_id: str) -> list[tuple[str, int, str]]:
    """Every point as (series, step, repr(value)): NaN compares equal to NaN this way."""
    return [(p.series, p.step, repr(p.value)) for p in store.points(run_id)]


def pts(series: str, values: dict[int, float]) -> list[NewPoint]:
    return [NewPoint(series, step, value) for step, value in values.items()]


def test_migrations_make_every_table_and_running_them_again_changes_nothing(database_url: str) -> None:
    store = Store.open(database_url)
    store.upgrade()
    store.upgrade()
    store.close()
    engine = create_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"runs", "run_tags", "series", "points", VERSION_TABLE} <= tables


@pytest.mark.parametrize("value", [NAN, INF, -INF, 0.0, -0.0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2], ids=repr)
def test_a_value_comes_back_exactly(store: Store, value: float) -> None:
    run = store.create_run("r", {})
    store.add_points(run.id, [NewPoint("train", 0, value)])
    (point,) = store.points(run.id)
    assert repr(point.value) == repr(value) or (value == 0 and point.value == 0)


def test_a_retried_write_changes_nothing_and_counts_as_accepted(store: Store) -> None:
    run = store.create_run("r", {})
    batch = pts("train", {0: 1.0, 1: NAN, 2: INF})
    assert store.add_points(run.id, batch) == 3
    before = stored(store, run.id)
    assert store.add_points(run.id, batch) == 3
    assert stored(store, run.id) == before
    assert store.summaries(run.id)["train"].count == 3


def test_a_conflicting_value_is_refused_naming_the_point_and_nothing_of_the_request_is_kept(store: Store) -> None:
    run = store.create_run("r", {})
    store.add_points(run.id, pts("train", {0: 1.0, 1: 0.5}))
    before = stored(store, run.id)
    with pytest.raises(PointConflict) as e:
        store.add_points(run.id, [NewPoint("train", 9, 0.1), NewPoint("train", 1, 0.25), NewPoint("val", 0, 2.0)])
    assert e.value.loc == ("points", 1)
    assert stored(store, run.id) == before
    assert set(store.summaries(run.id)) == {"train"}


@pytest.mark.parametrize(("old", "new"), [(1.0, NAN), (NAN, 1.0), (INF, -INF), (0.5, 0.25)], ids=repr)
def test_replace_overwrites_a_stored_value(store: Store, old: float, new: float) -> None:
    run = store.create_run("r", {})
    store.add_points(run.id, [NewPoint("train", 4, old)])
    store.add_points(run.id, [NewPoint("train", 4, new)], replace=True)
    assert stored(store, run.id) == [("train", 4, repr(new))]


def test_points_written_out_of_order_read_back_in_step_order(store: Store) -> None:
    run = store.create_run("r", {})
    steps = np.random.default_rng(0).permutation(200)
    for chunk in np.array_split(steps, 7):
        store.add_points(run.id, [NewPoint("train", int(s), float(s) / 2) for s in chunk])
    curve = store.curve(run.id, "train")
    assert curve.steps == tuple(range(200))
    assert curve.values == tuple(s / 2 for s in range(200))
    summary = store.summaries(run.id)["train"]
    assert (summary.count, summary.last_step, summary.last_value) == (200, 199, 99.5)


def test_concurrent_writers_lose_and_duplicate_nothing(store: Store) -> None:
    run = store.create_run("r", {})
    writers, per_writer = 6, 60
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            for i in range(0, per_writer, 5):
                # each writer's own points, and an overlapping shared series all writers retry identically
                own = [NewPoint(f"w{w}", s, float(s)) for s in range(i, i + 5)]
                shared = [NewPoint("shared", s, float(s) * 10) for s in range(i, i + 5)]
                store.add_points(run.id, own + shared)
        except BaseException as e:  # reported below: an exception in a thread would pass silently
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    points = stored(store, run.id)
    assert len(points) == len(set(points)) == (writers + 1) * per_writer
    summaries = store.summaries(run.id)
    assert {name: s.count for name, s in summaries.items()} == {
        **{f"w{w}": per_writer for w in range(writers)},
        "shared": per_writer,
    }


def test_an_unknown_run_raises_run_not_found_everywhere(store: Store) -> None:
    for call in (
        lambda: store.get_run("nope"),
        lambda: store.delete_run("nope"),
        lambda: store.add_points("nope", [NewPoint("train", 0, 1.0)]),
        lambda: list(store.points("nope")),
        lambda: store.read_series("nope", "train"),
    ):
        with pytest.raises(RunNotFound):
            call()


def test_an_unknown_series_raises_series_not_found_naming_the_known_ones(store: Store) -> None:
    run = store.create_run("r", {})
    store.add_points(run.id, [NewPoint("train", 0, 1.0)])
    with pytest.raises(SeriesNotFound, match="train"):
        store.read_series(run.id, "validation")


def test_runs_list_newest_first_in_pages_and_filter_by_every_tag(store: Store) -> None:
    made = [store.create_run(f"r{i}", {"group": "a" if i % 2 else "b", "i": str(i)}) for i in range(7)]
    seen, cursor = [], None
    while True:
        page = store.list_runs(limit=3, cursor=cursor)
        seen += [r.id for r in page.runs]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [r.id for r in reversed(made)]
    assert [r.name for r in store.list_runs(tags={"group": "a"}).runs] == ["r5", "r3", "r1"]
    assert [r.name for r in store.list_runs(tags={"group": "a", "i": "3"}).runs] == ["r3"]


@pytest.mark.parametrize("cursor", ["", "nonsense", "eDE", "!!"])
def test_a_cursor_the_store_did_not_make_is_a_value_error(store: Store, cursor: str) -> None:
    with pytest.raises(ValueError):
        store.list_runs(cursor=cursor)


def test_delete_takes_the_points_along(store: Store) -> None:
    run = store.create_run("r", {"k": "v"})
    keep = store.create_run("keep", {})
    store.add_points(run.id, pts("train", {0: 1.0}))
    store.add_points(keep.id, pts("train", {0: 2.0}))
    store.delete_run(run.id)
    with pytest.raises(RunNotFound):
        store.get_run(run.id)
    assert stored(store, keep.id) == [("train", 0, "2.0")]
    assert [r.id for r in store.list_runs(tags={"k": "v"}).runs] == []


def test_another_owners_run_is_not_found(store: Store) -> None:
    mine = store.create_run("mine", {}, owner="key-a")
    assert store.get_run(mine.id, owner="key-a").id == mine.id
    for owner in ("key-b", None):
        with pytest.raises(RunNotFound):
            store.get_run(mine.id, owner=owner)
        with pytest.raises(RunNotFound):
            store.add_points(mine.id, [NewPoint("train", 0, 1.0)], owner=owner)
        assert mine.id not in [r.id for r in store.list_runs(owner=owner).runs]


def test_summary_names_last_and_best_points(store: Store) -> None:
    run = store.create_run("r", {})
    store.add_points(run.id, pts("train", {0: 3.0, 1: -INF, 2: 1.0, 3: 1.0, 4: NAN, 5: 2.0}))
    s = store.get_run(run.id).series["train"]
    assert (s.count, s.last_step, s.last_value, s.best_step, s.best_value) == (6, 5, 2.0, 2, 1.0)


def reference_buckets(
    values: np.ndarray, n: int
) -> tuple[list[int], list[float], list[float], list[float], list[float]]:
    """numpy's reading of the contract: point r goes to bucket ⌊r·n/count⌋; mean/min/max as numpy gives them.

    Also each mean's rounding allowance: a sum of k terms may differ by k·ε·Σ|x| with the order of addition.
    """
    bucket = np.arange(len(values)) * n // len(values)
    firsts, means, mins, maxs, slack = [], [], [], [], []
    with np.errstate(invalid="ignore"):  # inf - inf inside a mean is NaN, which is the point
        for b in range(n):
            idx = np.flatnonzero(bucket == b)
            part = values[idx]
            firsts.append(int(idx[0]))
            means.append(float(np.mean(part)))
            mins.append(float(np.min(part)))
            maxs.append(float(np.max(part)))
            finite = np.abs(part[np.isfinite(part)])
            slack.append(len(part) * np.finfo(float).eps * float(finite.mean()) if len(finite) else 0.0)
    return firsts, means, mins, maxs, slack


def same(got: list[float], want: list[float], slack: list[float] | None = None) -> bool:
    return all(
        (math.isnan(g) and math.isnan(w)) or g == w or (math.isfinite(w) and abs(g - w) <= d)
        for g, w, d in zip(got, want, slack or [0.0] * len(want), strict=True)
    )


@pytest.mark.parametrize(("count", "n"), [(1000, 7), (997, 100), (64, 63), (500, 1), (10, 10), (5, 9)])
@pytest.mark.parametrize("seed", [0, 1])
def test_bucketing_in_the_database_matches_numpy(store: Store, count: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=count) * 10.0 ** rng.integers(-3, 4, size=count)
    specials = rng.choice(count, size=count // 50, replace=False)
    values[specials] = rng.choice([NAN, INF, -INF], size=len(specials))
    steps = np.sort(rng.choice(count * 5, size=count, replace=False))  # sparse, irregular steps
    run = store.create_run("r", {})
    for batch in np.array_split(rng.permutation(count), 5):  # out of order, into the middle of stored chunks
        store.add_points(run.id, [NewPoint("loss", int(steps[i]), float(values[i])) for i in batch])
    got = store.read_series(run.id, "loss", max_points=n)
    assert got.count == count
    if count <= n:
        assert got.steps == steps.tolist()
        assert same(got.values, values.tolist()) and got.mins == got.values == got.maxs
        return
    firsts, means, mins, maxs, slack = reference_buckets(values, n)
    sizes = np.diff([*firsts, count])
    assert sizes.max() - sizes.min() <= 1
    assert got.steps == steps[firsts].tolist()
    assert same(got.values, means, slack)
    assert same(got.mins, mins) and same(got.maxs, maxs)


def test_a_run_diagnosis_monitors_validation_else_the_only_series(store: Store) -> None:
    run = store.create_run("r", {})
    store.add_points(run.id, pts("train", dict(enumerate([1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02]))))
    only = diagnose_run(store, run.id, patience=2)
    assert (only.monitor, only.train) == ("train", None)
    store.add_points(run.id, pts("validation", dict(enumerate([1.0, 0.8, 0.7, 0.75, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3]))))
    both = diagnose_run(store, run.id, patience=2)
    assert (both.monitor, both.train, both.diagnosis.status, both.diagnosis.overfitting_since) == (
        "validation",
        "train",
        "overfitting",
        2,
    )
    assert store.get_run(run.id).status == "overfitting"
    with pytest.raises(SeriesNotFound):
        diagnose_run(store, run.id, monitor="test")


def test_a_points_time_is_the_callers_or_else_the_servers_clock(store: Store) -> None:
    run = store.create_run("r", {})
    before = datetime.now(UTC)
    store.add_points(run.id, [NewPoint("train", 0, 1.0, time=1_700_000_000.25), NewPoint("train", 1, 1.0)])
    given, clock = store.points(run.id)
    assert given.time == datetime.fromtimestamp(1_700_000_000.25, UTC)
    assert before <= clock.time <= datetime.now(UTC)


def test_a_runs_status_follows_its_points_in_get_and_list(store: Store) -> None:
    run = store.create_run("r", {"suite": "status"})
    store.add_points(run.id, pts("train", {s: 1 / (s + 1) for s in range(6)}))
    assert store.get_run(run.id).status == store.list_runs(tags={"suite": "status"}).runs[0].status == "improving"
    store.add_points(run.id, pts("train", {s: 0.5 for s in range(6, 12)}))
    assert store.list_runs(tags={"suite": "status"}).runs[0].status == store.get_run(run.id).status == "plateau"
    store.add_points(run.id, [NewPoint("train", 12, NAN)])
    assert store.get_run(run.id).status == "diverged"
