"""Where a server's time goes: py-spy samples of `lossd serve` and its device worker under load.

    small             4-element MSE with gradient, v1 JSON, at concurrency 32 (bench/load.py's request)
    large-oip-binary  2 × 10⁶ float32 MSE with the gradient, OIP binary in and out, one request at a time
    large-v1-b64      the same through /v1 with b64 tensors

Starts `lossd serve` on CPU 0 (computing on the CPU), warms it up, then samples it and its worker with py-spy
(`--subprocesses`, `--function`, `--nonblocking`) for a number of seconds while this process drives the load
(run it on CPU 1).
Prints, for each process, where its samples fall (each sample goes to the place of its innermost frame that
is in one of `PLACES`) and the functions with the most samples of their own. py-spy counts a process that is
ready to run as busy: with the API process and its worker sharing CPU 0, a process that has just woken the
other (a write to the worker's socket, the worker's answer) is sampled where it waits for the core.

Run: taskset -c 1 .venv/bin/python bench/profile.py small|large-oip-binary|large-v1-b64 [--seconds S] [--raw FILE]
py-spy comes with the bench extra (`make bench` installs it); it needs ptrace (root, or a kernel.yama
ptrace_scope of 0).
"""

import argparse
import asyncio
import collections
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from load import BIN, free_port, load, start, stop

RATE = 250  # samples a second, read with --nonblocking: the server is never paused, its stacks may come torn

# Each sample goes to the place of its innermost frame that is in one of these (first match, from the leaf out):
# stacks read without pausing the process are often cut short, but the innermost frames are always there. A frame reads
# "function (file:line)", its file shortened to the package path.
PLACES: tuple[tuple[str, str], ...] = (
    # uvloop is C: its time (sockets, epoll, callbacks) lands on the frame that runs the loop
    ("the event loop (uvloop: sockets, epoll)", r"^Runner\.run \(asyncio/"),
    ("PyTorch: backward (autograd)", r"\(torch/autograd/"),
    ("PyTorch: forward and tensor ops", r"\(torch/"),
    ("lossd: encoding the answer", r"^(encode\w*|_encode) \(lossd/(codec|http/oip)"),
    ("lossd: validation (codec, catalogue checks)", r"\(lossd/(codec|catalogue/|oip/)"),
    ("lossd: the compute engine and pool", r"\(lossd/compute/"),
    ("lossd: request id, metrics, request log", r"\(lossd/(observability|http/observability)|\(prometheus_client/"),
    ("lossd: HTTP layer (routes, body, lane)", r"\(lossd/"),
    ("pydantic", r"\(pydantic"),
    ("Starlette and FastAPI", r"\((starlette|fastapi)/"),
    ("uvicorn (HTTP protocol, sending)", r"\(uvicorn/"),
    ("logging", r"\(logging/"),
    ("asyncio and the rest", r""),
)
# Threads waiting for work: py-spy samples some of them although they hold no CPU.
IDLE = re.compile(
    r"^(\w*Selector\.select|Condition\.wait|_worker \(concurrent/futures/thread|WorkerThread\.run \(anyio|"
    r"Event\.wait|Queue\.get|wait \(multiprocessing/connection|poll \(multiprocessing/connection)"
)


def bodies(kind: str) -> tuple[str, bytes, dict[str, str]]:
    import numpy as np
    from suite import LARGE_N, oip_binary, v1_b64

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(LARGE_N).astype(np.float32), rng.standard_normal(LARGE_N).astype(np.float32)
    return oip_binary(x, y) if kind == "large-oip-binary" else v1_b64(x, y)


def drive(kind: str, port: int, until: float) -> int:
    """Requests until `until` (monotonic); returns how many were answered."""
    if kind == "small":
        done = 0
        while time.monotonic() < until:
            asyncio.run(load(port, 1000, 32))
            done += 1000
        return done
    path, body, headers = bodies(kind)
    done = 0
    with httpx.Client(timeout=300) as client:
        while time.monotonic() < until:
            r = client.post(
                f"http://127.0.0.1:{port}{path}", content=body, headers={"Content-Type": "application/json", **headers}
            )
            if r.status_code != 200:
                raise RuntimeError(f"{r.status_code}: {r.text[:300]}")
            done += 1
    return done


def parse(raw: str) -> dict[str, list[tuple[list[str], int]]]:
    """py-spy's raw lines (`frame;frame;... count`), by process: the API process, or a worker."""
    by_process: dict[str, list[tuple[list[str], int]]] = collections.defaultdict(list)
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        # a child's stacks start with its parent's "process PID:cmdline" frame, then its own
        process = next((f for f in reversed(frames) if f.startswith("process ")), "process")
        process = "API process" if "lossd serve" in process else f"worker {process.split(':')[0]}"
        by_process[process].append(([f for f in frames if not f.startswith(("process ", "thread "))], int(count)))
    return by_process


def short(frame: str) -> str:
    """A frame with its file shortened to the package path."""
    return re.sub(r"\((?:.*/(?:site-packages|service|lib/python3\.\d+)/)?(.*?)\)", r"(\1)", frame)


def place(frames: list[str], places: list[tuple[str, re.Pattern[str]]]) -> str:
    """The place of a stack: that of its innermost frame matching one (the last place matches anything)."""
    for frame in reversed(frames):
        for name, rx in places[:-1]:
            if rx.search(frame):
                return name
    return places[-1][0]


def report(samples: list[tuple[list[str], int]], top: int) -> None:
    samples = [([short(f) for f in frames], n) for frames, n in samples if frames]
    samples = [(frames, n) for frames, n in samples if not IDLE.search(frames[-1])]
    total = sum(n for _, n in samples)
    if not total:
        print("  idle")
        return
    places = [(name, re.compile(pattern)) for name, pattern in PLACES]
    shares: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    for frames, count in samples:
        own[frames[-1]] += count
        shares[place(frames, places)] += count
    print(f"  {total} samples; where they fall (the innermost frame in each place):")
    for name, n in shares.most_common():
        print(f"  {100 * n / total:6.1f} %  {name}")
    print("  functions with the most samples of their own:")
    for frame, n in own.most_common(top):
        print(f"  {100 * n / total:6.1f} %  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("small", "large-oip-binary", "large-v1-b64"))
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--top", type=int, default=15, help="how many functions to list by their own samples")
    parser.add_argument("--raw", help="also keep py-spy's raw samples in this file")
    args = parser.parse_args()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSD_")} | {"LOSSD_DEVICES": "cpu"}
    server = start([str(BIN / "lossd"), "serve", "--port", str(port)], port, env)
    try:
        drive(args.kind, port, time.monotonic() + 3)  # warm-up: first calls, caches, the worker's pages
        raw = Path(args.raw) if args.raw else Path(tempfile.mkdtemp()) / "samples.txt"
        spy = [str(BIN / "py-spy"), "record", "--pid", str(server.pid), "--subprocesses", "--function"]
        spy += [
            "--nonblocking",
            "--rate",
            str(RATE),
            "--duration",
            str(int(args.seconds)),
            "--format",
            "raw",
            "--output",
            str(raw),
        ]
        answered = [0]
        until = time.monotonic() + args.seconds + 2  # load from before py-spy attaches to after it stops
        loader = threading.Thread(target=lambda: answered.__setitem__(0, drive(args.kind, port, until)))
        loader.start()
        time.sleep(1)
        subprocess.run(spy, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        loader.join()
    finally:
        stop(server)
    print(f"{args.kind}: {answered[0]} requests in {args.seconds + 3:.0f} s of load, {args.seconds:.0f} s sampled")
    for process, samples in sorted(parse(raw.read_text()).items(), key=lambda kv: -sum(n for _, n in kv[1])):
        print(process)
        report(samples, args.top)


if __name__ == "__main__":
    sys.exit(main())
