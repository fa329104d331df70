"""A bounded load generator against real servers on 127.0.0.1: throughput, p50 and p99.

Starts, each confined to CPU 0 with `taskset` (the generator should run on CPU 1):
  plain         bench/plain_app.py: the same MSE and gradient behind a plain FastAPI endpoint (pydantic body)
  lossd         `lossd serve`, default settings: small CPU work runs inline on the event loop
  lossd-batch   `lossd serve` with LOSSD_INLINE_MAX_ELEMENTS=0 and LOSSD_MAX_BATCH_DELAY_MS=1: every request goes
                through the worker process, concurrent ones batched
then, at each concurrency, sends a fixed number of 4-element MSE-with-gradient requests over keep-alive
connections (raw asyncio HTTP/1.1: the generator must cost less than the servers) and prints a table.

Run: taskset -c 1 .venv/bin/python bench/load.py [requests per cell] [concurrencies...] [--rounds N] [--floor US,...]

With --rounds N each concurrency is run N times, the servers in a shuffled order each round; the table gives
medians, and `vs plain` is the median of each round's ratio to the plain endpoint in the same round.

With --floor 150,300 the run also serves bench/floor_app.py once per value (`floor-150`, `floor-300`): a bare
ASGI app under uvicorn that spends that many microseconds of CPU on each request and nothing else, so the
table shows what uvicorn's scheduling alone gives an app of that cost a request (p50 and p99 included).
"""

import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
BODY = orjson.dumps({"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 9.0]}, "grad": ["input"]})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(
    cmd: list[str], port: int, env: dict[str, str], path: str = "/v1/losses/mse", body: bytes = BODY
) -> subprocess.Popen[bytes]:
    """`cmd` on CPU 0, once a POST of `body` to `path` answers 200."""
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    # a session of its own: `stop` ends the server with every process it started (LitServe's workers)
    proc = subprocess.Popen(
        pin + cmd, cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            r = httpx.post(
                f"http://127.0.0.1:{port}{path}", content=body, headers={"Content-Type": "application/json"}, timeout=2
            )
            if r.status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{cmd} did not start")


def http_request(path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    """A raw HTTP/1.1 POST, keep-alive; JSON unless `headers` say otherwise."""
    head = {"Host": "127.0.0.1", "Content-Type": "application/json", **(headers or {})}
    head["Content-Length"] = str(len(body))
    lines = "".join(f"{k}: {v}\r\n" for k, v in head.items())
    return f"POST {path} HTTP/1.1\r\n{lines}\r\n".encode() + body


MSE_REQUEST = http_request("/v1/losses/mse", BODY)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (its own session), then wait for the server."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


async def client(
    port: int, todo: list[int], latencies: list[float], errors: list[int], request: bytes = MSE_REQUEST
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while todo:
            todo.pop()
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - t0)
            if head[9:12] != b"200":
                errors.append(int(head[9:12]))
    finally:
        writer.close()


async def load(
    port: int, requests: int, concurrency: int, request: bytes = MSE_REQUEST
) -> tuple[float, float, float, int]:
    """Throughput (req/s), p50 and p99 (ms) and the count of non-200 answers, after a short warm-up."""
    latencies: list[float] = []
    errors: list[int] = []
    warm = list(range(min(200, requests)))
    await asyncio.gather(*(client(port, warm, [], [], request) for _ in range(concurrency)))
    todo = list(range(requests))
    t0 = time.perf_counter()
    await asyncio.gather(*(client(port, todo, latencies, errors, request) for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    return requests / wall, statistics.median(latencies) * 1e3, q[98] * 1e3, len(errors)


def main() -> None:
    args = sys.argv[1:]
    rounds = 1
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i : i + 2]
    floors: list[int] = []
    if "--floor" in args:
        i = args.index("--floor")
        floors = [int(us) for us in args[i + 1].split(",")]
        del args[i : i + 2]
    requests = int(args[0]) if args else 3000
    levels = [int(a) for a in args[1:]] or [1, 32, 128]
    base = {k: v for k, v in os.environ.items() if not k.startswith("LOSSD_")}
    ports = {name: free_port() for name in ("plain", "lossd", "lossd-batch", *(f"floor-{us}" for us in floors))}
    lossd = [str(BIN / "lossd"), "serve", "--port"]
    servers = {
        "plain": start(
            [
                str(BIN / "uvicorn"),
                "plain_app:app",
                "--port",
                str(ports["plain"]),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            ports["plain"],
            base,
        ),
        "lossd": start(lossd + [str(ports["lossd"])], ports["lossd"], {**base, "LOSSD_DEVICES": "cpu"}),
        "lossd-batch": start(
            lossd + [str(ports["lossd-batch"])],
            ports["lossd-batch"],
            {**base, "LOSSD_DEVICES": "cpu", "LOSSD_INLINE_MAX_ELEMENTS": "0", "LOSSD_MAX_BATCH_DELAY_MS": "1"},
        ),
    }
    for us in floors:
        uvicorn = [str(BIN / "uvicorn"), "floor_app:app", "--log-level", "warning", "--no-access-log", "--port"]
        servers[f"floor-{us}"] = start(
            uvicorn + [str(ports[f"floor-{us}"])], ports[f"floor-{us}"], base | {"FLOOR_US": str(us)}
        )
    try:
        print(f"4-element MSE with gradient; {requests} requests per cell, {rounds} round(s), medians")
        print(f"{'concurrency':>11} {'server':<12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs plain':>10}")
        for c in levels:
            n = requests if c > 1 else requests // 3
            cells: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name in servers}
            for _ in range(rounds):  # interleaved, so that drift on a shared machine hits every server alike
                for name in random.sample(list(servers), len(servers)):
                    cells[name].append(asyncio.run(load(ports[name], n, c)))
            # each round's ratio to the plain endpoint in that round, then the median over rounds
            ratios = {
                name: statistics.median(r[0] / p[0] for r, p in zip(runs, cells["plain"], strict=True))
                for name, runs in cells.items()
            }
            for name, runs in cells.items():
                rps, p50, p99 = (statistics.median(r[k] for r in runs) for k in range(3))
                errors = sum(r[3] for r in runs)
                print(f"{c:>11} {name:<12}{rps:>9.0f}{p50:>9.2f}{p99:>9.2f}{errors:>8}{ratios[name]:>9.2f}x")
    finally:
        for proc in servers.values():
            stop(proc)


if __name__ == "__main__":
    main()
