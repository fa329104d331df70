"""The hop to the device worker: one large OIP binary and one large v1 b64 request, and two small ones,
against `lossd serve` from this tree and, optionally, from another source tree (the code before a change).

Each server is confined to CPU 0 with `taskset` (run this on CPU 1) and computes on the CPU. Requests go one
at a time, interleaved across the servers (in a shuffled order each round) and paths, so drift on a
shared machine hits every cell alike;
the first round is a warm-up. Prints the median milliseconds per request for each path and server.

    large-oip-binary  2 × 10⁶ float32 (input and target), MSE with the gradient of input, binary in and out
    large-v1-b64      the same through /v1 with b64 tensors in and out
    mid-worker        10⁴ elements per tensor: above the inline limit, below the shared-memory threshold
    small-inline      4 elements per tensor: computed on the event loop

Run: taskset -c 1 .venv/bin/python bench/hop.py [rounds] [--before SRC] [--local] [--paths a,b]
where SRC is a folder holding another tree's `lossd` package, e.g. made by
`git archive HEAD~1 service | tar -x -C /tmp/before` and passed as /tmp/before/service; --local adds
this tree with LOSSD_POOL=local (computed in the API process: the floor without a hop to a worker).

    taskset -c 0 .venv/bin/python bench/hop.py [rounds] --pool-only

times the hop alone: `ProcessPool.submit` from this process to one CPU worker (2 × 10⁶ and 2 × 10⁴
elements), beside the engine computing the same job in process. Prefix PYTHONPATH=SRC for another tree.
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import time

import httpx
import numpy as np
import torch
from load import BIN, free_port, start, stop
from suite import LARGE_N, oip_binary, v1_b64, v1_json

from lossd.catalogue import CATALOGUE
from lossd.catalogue.validate import Prepared
from lossd.compute.engine import run
from lossd.compute.process import ProcessPool
from lossd.settings import Settings


def bodies() -> dict[str, tuple[str, bytes, dict[str, str]]]:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(LARGE_N).astype(np.float32), rng.standard_normal(LARGE_N).astype(np.float32)
    return {
        "large-oip-binary": oip_binary(x, y),
        "large-v1-b64": v1_b64(x, y),
        "mid-worker": v1_b64(x[:10_000], y[:10_000]),
        "small-inline": v1_json(x[:4], y[:4]),
    }


async def pool_only(rounds: int) -> None:
    """The hop alone: `ProcessPool.submit` in this process (no HTTP), one CPU worker, against the engine."""
    CATALOGUE.load()
    pool = ProcessPool(Settings(devices="cpu", workers_per_device=1))
    await pool.start()
    print(f"{'elements':>10}{'engine ms':>12}{'pool ms':>12}")
    try:
        for n in (LARGE_N, 10_000):
            x = {"input": torch.randn(n), "target": torch.randn(n)}
            job = Prepared(CATALOGUE.resolve("mse"), x, {"reduction": "mean"}, ("input",), None, torch.float32, (), [])
            engine, hop = [], []
            for i in range(rounds + 1):
                t0 = time.perf_counter()
                run(job, torch.device("cpu"))
                t1 = time.perf_counter()
                await pool.submit(job)
                t2 = time.perf_counter()
                if i > 0:
                    engine.append(t1 - t0)
                    hop.append(t2 - t1)
                await asyncio.sleep(0)
            print(f"{2 * n:>10}{statistics.median(engine) * 1e3:>12.2f}{statistics.median(hop) * 1e3:>12.2f}")
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rounds", nargs="?", type=int, default=30)
    parser.add_argument("--before", help="a source folder whose lossd package is the 'before' server")
    parser.add_argument("--paths", help="comma-separated path names to run (default: all)")
    parser.add_argument("--pool-only", action="store_true", help="time ProcessPool.submit in this process instead")
    parser.add_argument("--local", action="store_true", help="also this tree with LOSSD_POOL=local: no hop at all")
    args = parser.parse_args()
    if args.pool_only:
        asyncio.run(pool_only(args.rounds))
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSD_")} | {"LOSSD_DEVICES": "cpu"}
    trees = {"after": env}
    if args.before:
        trees = {"before": {**env, "PYTHONPATH": args.before}, **trees}  # PYTHONPATH wins over the editable install
    if args.local:
        trees["local"] = {**env, "LOSSD_POOL": "local"}
    ports = {name: free_port() for name in trees}
    servers = {
        name: start([str(BIN / "lossd"), "serve", "--port", str(ports[name])], ports[name], tree_env)
        for name, tree_env in trees.items()
    }
    work = bodies()
    if args.paths:
        work = {name: work[name] for name in args.paths.split(",")}
    times: dict[tuple[str, str], list[float]] = {(p, t): [] for p in work for t in trees}
    rng = random.Random(0)
    try:
        with httpx.Client(timeout=300) as client:
            for i in range(args.rounds + 1):
                for path_name, (path, body, headers) in work.items():
                    order = list(trees)
                    rng.shuffle(order)  # no server always goes first
                    for tree in order:
                        url = f"http://127.0.0.1:{ports[tree]}{path}"
                        t0 = time.perf_counter()
                        r = client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
                        spent = time.perf_counter() - t0
                        assert r.status_code == 200, (tree, path_name, r.status_code, r.text[:300])
                        if i > 0:
                            times[(path_name, tree)].append(spent)
    finally:
        for proc in servers.values():
            stop(proc)
    print(f"{'path':<18}" + "".join(f"{t + ' ms':>12}" for t in trees), file=sys.stdout)
    for path_name in work:
        cells = "".join(f"{statistics.median(times[(path_name, t)]) * 1e3:>12.2f}" for t in trees)
        print(f"{path_name:<18}{cells}")


if __name__ == "__main__":
    main()
