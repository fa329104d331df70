"""What the runs benchmarks share: a database of each kind, and `lossd serve` on it."""

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/postgres.py: the throwaway PostgreSQL server

from postgres import Cluster, free_port  # noqa: E402


@contextmanager
def databases(kinds: list[str]) -> Iterator[Iterator[tuple[str, str]]]:
    """(kind, empty database URL) for each kind asked for: `sqlite` (a file) and `postgresql` (a new server)."""
    cluster = Cluster() if "postgresql" in kinds else None
    folder = tempfile.TemporaryDirectory(prefix="lossd-bench-")
    try:

        def each() -> Iterator[tuple[str, str]]:
            for i, kind in enumerate(kinds):
                if kind == "sqlite":
                    yield kind, f"sqlite:///{folder.name}/runs{i}.db"
                else:
                    assert cluster is not None
                    yield kind, cluster.new_database()

        yield each()
    finally:
        folder.cleanup()
        if cluster is not None:
            cluster.stop()


@contextmanager
def serve(database_url: str) -> Iterator[str]:
    """`lossd serve` (one API process, in-process compute) on the database; its URL."""
    port = free_port()
    env = {**os.environ, "LOSSD_DATABASE_URL": database_url, "LOSSD_POOL": "local"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lossd", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("lossd serve did not start")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
