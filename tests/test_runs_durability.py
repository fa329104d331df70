"""Runs under real `lossd serve` processes: a 2xx survives SIGKILL, and two servers share one run."""

import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import lossd_env, start_serve


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Starts `lossd serve` processes on a database; kills whatever is left at the end."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(database_url: str, name: str) -> tuple[subprocess.Popen[bytes], str]:
        env = lossd_env(LOSSD_DATABASE_URL=database_url, LOSSD_POOL="local")
        proc, url = start_serve(tmp_path / f"{name}.log", env=env)
        procs.append(proc)
        return proc, url

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def stored(url: str, run_id: str) -> dict[tuple[str, int], Any]:
    with httpx.Client(base_url=url, timeout=60) as client:
        run = client.get(f"/v1/runs/{run_id}").json()
        out = {}
        for name in run["series"]:
            curve = client.get(f"/v1/runs/{run_id}/series/{name}").json()
            out.update({(name, s): v for s, v in zip(curve["steps"], curve["values"], strict=True)})
        return out


def test_every_acknowledged_point_survives_sigkill(serve: Any, database_url: str) -> None:
    proc, url = serve(database_url, "first")
    with httpx.Client(base_url=url, timeout=60) as client:
        run_id = client.post("/v1/runs", json={"name": "durable"}).json()["id"]
    acknowledged: dict[tuple[str, int], Any] = {}
    sent: list[list[tuple[str, int]]] = []
    lock = threading.Lock()
    kill_after = 25  # acknowledged requests, over all writers

    def writer(w: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            for i in range(1000):
                points = [
                    {"series": f"w{w}", "step": i * 10 + k, "value": "NaN" if k == 3 else i + k / 10} for k in range(10)
                ]
                with lock:
                    sent.append([(p["series"], p["step"]) for p in points])
                try:
                    r = client.post(f"/v1/runs/{run_id}/points", json={"points": points})
                except httpx.TransportError:
                    return  # the server is gone
                if r.status_code != 200:
                    return
                with lock:
                    acknowledged.update({(p["series"], p["step"]): p["value"] for p in points})
                    if len(acknowledged) >= kill_after * 10 and proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)  # right after this 2xx, with other writes in flight

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert proc.wait(timeout=30) == -signal.SIGKILL
    _, url = serve(database_url, "restarted")
    after = stored(url, run_id)
    assert {k: after.get(k) for k in acknowledged} == acknowledged
    for request in sent:  # all or none, acknowledged or not
        assert len({key in after for key in request}) == 1


def test_two_servers_writing_one_run_lose_and_duplicate_nothing(serve: Any, postgres: Any) -> None:
    database_url = postgres.new_database()
    _, first = serve(database_url, "a")
    _, second = serve(database_url, "b")
    with httpx.Client(base_url=first, timeout=60) as client:
        run_id = client.post("/v1/runs", json={"name": "shared"}).json()["id"]
    statuses: list[int] = []

    def writer(url: str, w: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            for start in range(0, 100, 10):
                # every writer sends the shared series' same points (retries from anywhere), and its own
                points = [{"series": "shared", "step": s, "value": s / 7} for s in range(start, start + 10)]
                points += [{"series": f"w{w}", "step": s, "value": s * 1.5} for s in range(start, start + 10)]
                statuses.append(client.post(f"/v1/runs/{run_id}/points", json={"points": points[::-1]}).status_code)

    threads = [threading.Thread(target=writer, args=(url, w)) for w, url in enumerate([first, second] * 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 40
    for url in (first, second):
        after = stored(url, run_id)
        want = {("shared", s): s / 7 for s in range(100)}
        want.update({(f"w{w}", s): s * 1.5 for w in range(4) for s in range(100)})
        assert after == want
        with httpx.Client(base_url=url, timeout=60) as client:
            counts = {n: s["count"] for n, s in client.get(f"/v1/runs/{run_id}").json()["series"].items()}
        assert counts == {"shared": 100, **{f"w{w}": 100 for w in range(4)}}


def test_two_api_processes_migrate_and_write_one_sqlite_file(tmp_path: Path) -> None:
    env = lossd_env(LOSSD_DATABASE_URL=f"sqlite:///{tmp_path / 'runs.db'}", LOSSD_POOL="local")
    proc, url = start_serve(tmp_path / "serve.log", args=["--workers", "2"], env=env)
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            run_id = client.post("/v1/runs", json={"name": "shared-file"}).json()["id"]
        statuses: list[int] = []

        def writer(w: int) -> None:
            with httpx.Client(base_url=url, timeout=60) as own:  # a connection each, spread over the processes
                for start in range(0, 60, 10):
                    points = [{"series": "shared", "step": s, "value": s / 3} for s in range(start, start + 10)]
                    points += [{"series": f"w{w}", "step": s, "value": float(s)} for s in range(start, start + 10)]
                    statuses.append(own.post(f"/v1/runs/{run_id}/points", json={"points": points}).status_code)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [200] * 24
        after = stored(url, run_id)
        want = {("shared", s): s / 3 for s in range(60)} | {(f"w{w}", s): float(s) for w in range(4) for s in range(60)}
        assert after == want
    finally:
        proc.terminate()
        proc.wait(timeout=30)
