"""Runs read: one curve at max_points = 100, 1000, 10,000 against reading it whole, for series of 10⁴, 10⁵ and
10⁶ points, over HTTP, on SQLite and PostgreSQL.

The series are written through the store (in order, 100,000 points a call), then `lossd serve` answers
`GET /v1/runs/{id}/series/loss?max_points=N`; each figure is the median of `repeats` requests, interleaved.
A bucketed read should cost about the same at every length for one N, and grow with N.

Run: .venv/bin/python bench/runs_read.py [sqlite] [postgresql] [--repeats R]
"""

import argparse
import statistics
import time

import httpx
import numpy as np
from runs_common import databases, serve

from lossd.runs import NewPoint, Store

LENGTHS = (10_000, 100_000, 1_000_000)
READS = (100, 1000, 10_000, None)  # None: the whole series


def fill(url: str) -> dict[int, str]:
    """A run per length, each with one series `loss` of that many points (a noisy falling curve, a few NaNs)."""
    store = Store.open(url)
    store.upgrade()
    runs = {}
    rng = np.random.default_rng(0)
    for length in LENGTHS:
        values = np.exp(-np.arange(length) / length * 5) + rng.normal(scale=0.01, size=length)
        values[rng.choice(length, size=3, replace=False)] = np.nan
        run = store.create_run(f"read-{length}", {})
        for start in range(0, length, 100_000):
            stop = min(start + 100_000, length)
            store.add_points(run.id, [NewPoint("loss", s, float(values[s])) for s in range(start, stop)])
        runs[length] = run.id
    store.close()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kinds", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    print(f"{'database':<11}{'points':>9}{'max_points':>12}{'median ms':>11}{'returned':>10}")
    with databases(args.kinds) as dbs:
        for kind, url in dbs:
            runs = fill(url)
            with serve(url) as base, httpx.Client(base_url=base, timeout=300) as client:
                times: dict[tuple[int, int | None], list[float]] = {}
                returned: dict[tuple[int, int | None], int] = {}
                for _ in range(args.repeats):
                    for length, run_id in runs.items():
                        for n in READS:
                            params = {} if n is None else {"max_points": n}
                            start = time.perf_counter()
                            r = client.get(f"/v1/runs/{run_id}/series/loss", params=params)
                            times.setdefault((length, n), []).append(time.perf_counter() - start)
                            r.raise_for_status()
                            returned[length, n] = len(r.json()["steps"])
                for (length, n), t in times.items():
                    shown = "whole" if n is None else str(n)
                    print(
                        f"{kind:<11}{length:>9}{shown:>12}{statistics.median(t) * 1000:>11.1f}{returned[length, n]:>10}"
                    )


if __name__ == "__main__":
    main()
