"""lossd over HTTP against the same computation in-process and behind a plain FastAPI endpoint.

Starts `lossd serve` and bench/plain_app.py (uvicorn, one process each) on
loopback, then sends MSE-with-gradient requests one at a time, interleaving
the three paths, and prints median latencies and ratios.

Run: .venv/bin/python bench/latency.py [requests per size]
"""

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import torch
import torch.nn.functional as F

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(cmd: list[str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{cmd} did not start")


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    lossd_port, plain_port = free_port(), free_port()
    procs = [
        start([str(BIN / "lossd"), "serve", "--port", str(lossd_port)], lossd_port),
        start([str(BIN / "uvicorn"), "plain_app:app", "--port", str(plain_port), "--log-level", "warning"], plain_port),
    ]
    try:
        print(f"{'elements':>9} {'path':<16}{'median ms':>10}{'p90 ms':>8}{'vs plain':>10}")
        for n in (4, 10_000, 100_000):
            x, y = torch.randn(n).tolist(), torch.randn(n).tolist()
            body = {"inputs": {"input": x, "target": y}, "grad": ["input"]}

            def in_process(x: list[float] = x, y: list[float] = y) -> None:
                xi = torch.tensor(x, requires_grad=True)
                torch.autograd.grad(F.mse_loss(xi, torch.tensor(y)), [xi])

            times: dict[str, list[float]] = {"in-process": [], "plain-fastapi": [], "lossd": []}
            with httpx.Client(timeout=30) as client:
                urls = {"plain-fastapi": plain_port, "lossd": lossd_port}
                for _ in range(5):  # warm up
                    for port in urls.values():
                        client.post(f"http://127.0.0.1:{port}/v1/losses/mse", json=body).raise_for_status()
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    in_process()
                    times["in-process"].append(time.perf_counter() - t0)
                    for name, port in urls.items():
                        t0 = time.perf_counter()
                        client.post(f"http://127.0.0.1:{port}/v1/losses/mse", json=body).raise_for_status()
                        times[name].append(time.perf_counter() - t0)
            base = statistics.median(times["plain-fastapi"])
            for name, ts in times.items():
                med, p90 = statistics.median(ts), statistics.quantiles(ts, n=10)[-1]
                print(f"{n:>9} {name:<16}{med * 1e3:>10.2f}{p90 * 1e3:>8.2f}{base / med:>9.2f}x")
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)


if __name__ == "__main__":
    main()
