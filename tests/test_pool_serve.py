"""`lossd serve --workers 2`: the API processes share one set of device workers and one metrics view."""

import os
import signal
import time
from pathlib import Path

import httpx

from test_cli import STOP_S

from conftest import lossd_env, start_serve

BIG = 5000
BODY = {"inputs": {"input": [1.5] * BIG, "target": [0.5] * BIG}, "grad": ["input"]}


def _children(pid: int) -> set[int]:
    """Every descendant of `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def test_api_processes_share_the_workers_and_the_metrics(tmp_path: Path) -> None:
    log = tmp_path / "lossd.log"
    proc, url = start_serve(log, ["--workers", "2"], lossd_env(LOSSD_DEVICES="cpu"), ready="/readyz")
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            pool = client.get("/v1/info").json()["pool"]
            assert pool["kind"] == "process" and pool["workers"] == 1
            for _ in range(20):  # new connections: spread over both API processes
                with httpx.Client(base_url=url, timeout=30) as c:
                    r = c.post("/v1/losses/mse", json=BODY, headers={"X-Request-ID": "shared"})
                    assert r.status_code == 200 and r.json()["value"] == 1.0
                    assert r.headers["x-request-id"] == "shared"
            text = client.get("/metrics").text
            counted = sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith('lossd_requests_total{loss="mse",status="200"}')
            )
            assert counted == 20  # every API process's requests, in one view
        descendants = _children(proc.pid)
        assert len(descendants) >= 3  # two API processes and the one shared worker
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=STOP_S)
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{pid}") and _alive(pid) for pid in descendants):
        assert time.monotonic() < deadline, "a child of lossd serve outlived it"
        time.sleep(0.1)
    assert '"request_id":"shared"' in log.read_text()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
