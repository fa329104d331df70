"""Runs ingest: points per second written over HTTP, at batch sizes 1, 100 and 10,000, on SQLite and PostgreSQL.

Each database gets a fresh `lossd serve` (one API process); one client writes a series in order, `requests`
requests per batch size, and the rate is the batch size over the median request time (every request's answer
means its points are durable: SQLite commits with synchronous=FULL, PostgreSQL with its default fsync — the
throwaway benchmark server runs with fsync off, so its numbers leave out the disk flush).

Run: .venv/bin/python bench/runs_ingest.py [sqlite] [postgresql]
"""

import statistics
import sys
import time

import httpx
from runs_common import databases, serve

SIZES = {1: 300, 100: 60, 10_000: 8}  # batch size: requests


def main() -> None:
    kinds = [k for k in sys.argv[1:] if k in ("sqlite", "postgresql")] or ["sqlite", "postgresql"]
    print(f"{'database':<11}{'batch':>7}{'requests':>10}{'median ms':>11}{'points/s':>11}")
    with databases(kinds) as dbs:
        for kind, url in dbs:
            with serve(url) as base, httpx.Client(base_url=base, timeout=120) as client:
                run_id = client.post("/v1/runs", json={"name": "ingest"}).json()["id"]
                step = 0
                for size, requests in SIZES.items():
                    times = []
                    for _ in range(requests):
                        points = [
                            {"series": f"b{size}", "step": step + i, "value": 1 / (step + i + 1)} for i in range(size)
                        ]
                        step += size
                        start = time.perf_counter()
                        r = client.post(f"/v1/runs/{run_id}/points", json={"points": points})
                        times.append(time.perf_counter() - start)
                        r.raise_for_status()
                    median = statistics.median(times)
                    print(f"{kind:<11}{size:>7}{requests:>10}{median * 1000:>11.2f}{size / median:>11.0f}")


if __name__ == "__main__":
    main()
