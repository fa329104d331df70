"""The benchmark suite (`make bench`): one run, every path side by side, small and large requests.

Servers, each started here and confined to CPU 0 with `taskset` (run this on CPU 1, as `make bench` does):
  plain      bench/plain_app.py: MSE and gradient behind a FastAPI endpoint with a pydantic body, and the
             orjson + numpy reference endpoint (the same JSON answer as lossd's, no validation)
  litserve   bench/litserve_app.py: the same MSE and gradient in LitServe (one CPU worker)
  lossd      `lossd serve`, default settings, through v1 JSON, v1 b64 and the OIP binary extension
  lossd-local  `lossd serve` with LOSSD_POOL=local (large requests computed in a thread, no worker hop)

Small: a 4-element MSE with its gradient; throughput, p50 and p99 at each concurrency, over keep-alive
connections (bench/load.py's generator), and the same computation in-process, one call at a time.
Large: two tensors of 10⁶ float32 values (2 × 10⁶ in all), MSE with the gradient of `input`, one request
at a time, median ms per request; in-process is the computation alone, from arrays already in memory.

Prints the tables and the targets of docs/benchmarks.md, writes the numbers (JSON) and a plot (PNG).

Run: taskset -c 1 .venv/bin/python bench/suite.py [--small N] [--large R] [--png PATH] [--json PATH]
"""

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
import torch
import torch.nn.functional as F
from load import BIN, free_port, http_request, load, start, stop

HERE = Path(__file__).parent
LARGE_N = 1_000_000  # per tensor: input and target, 2 × 10⁶ values in all
SMALL = ([2.5, 4.8, 6.9, 9.5], [3.0, 5.0, 7.0, 9.0])


# --- request bodies, per path -----------------------------------------------------------------------------


def v1_json(x: np.ndarray, y: np.ndarray) -> tuple[str, bytes, dict[str, str]]:
    body = {"inputs": {"input": x.tolist(), "target": y.tolist()}, "grad": ["input"]}
    return "/v1/losses/mse", orjson.dumps(body), {}


def v1_b64(x: np.ndarray, y: np.ndarray) -> tuple[str, bytes, dict[str, str]]:
    def typed(a: np.ndarray) -> dict[str, Any]:
        return {"dtype": "float32", "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode()}

    body = {"inputs": {"input": typed(x), "target": typed(y)}, "grad": ["input"], "output_encoding": "b64"}
    return "/v1/losses/mse", orjson.dumps(body), {}


def oip_binary(x: np.ndarray, y: np.ndarray) -> tuple[str, bytes, dict[str, str]]:
    header = orjson.dumps(
        {
            "inputs": [
                {"name": n, "shape": list(a.shape), "datatype": "FP32", "parameters": {"binary_data_size": a.nbytes}}
                for n, a in (("input", x), ("target", y))
            ],
            "parameters": {"grad": "input", "binary_data_output": True},
        }
    )
    headers = {"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(header))}
    return "/v2/models/mse/infer", header + x.tobytes() + y.tobytes(), headers


def reference(x: np.ndarray, y: np.ndarray) -> tuple[str, bytes, dict[str, str]]:
    return "/reference/mse", v1_json(x, y)[1], {}


# path name -> (server, body builder)
PATHS: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], tuple[str, bytes, dict[str, str]]]]] = {
    "plain-fastapi": ("plain", v1_json),
    "orjson+numpy": ("plain", reference),
    "litserve": ("litserve", v1_json),
    "lossd-v1-json": ("lossd", v1_json),
    "lossd-v1-b64": ("lossd", v1_b64),
    "lossd-oip-binary": ("lossd", oip_binary),
    # the same service with LOSSD_POOL=local: computed in a thread of the API process, no hop to a worker
    "local-v1-json": ("lossd-local", v1_json),
    "local-v1-b64": ("lossd-local", v1_b64),
    "local-oip-binary": ("lossd-local", oip_binary),
}
SMALL_PATHS = ["plain-fastapi", "litserve", "lossd-v1-json", "lossd-v1-b64", "lossd-oip-binary"]


def in_process(x: list[float] | np.ndarray, y: list[float] | np.ndarray) -> tuple[float, np.ndarray]:
    """The computation alone: tensors from the given values, forward, backward, the value and gradient out."""
    tx = torch.as_tensor(x, dtype=torch.float32).requires_grad_(True)
    value = F.mse_loss(tx, torch.as_tensor(y, dtype=torch.float32))
    (g,) = torch.autograd.grad(value, [tx])
    return value.item(), g.numpy()


# --- servers -----------------------------------------------------------------------------------------------


def start_servers(ports: dict[str, int]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSD_")}
    uvicorn = [str(BIN / "uvicorn"), "plain_app:app", "--log-level", "warning", "--no-access-log"]
    return {
        "plain": start(uvicorn + ["--port", str(ports["plain"])], ports["plain"], env),
        "litserve": start([sys.executable, "litserve_app.py", str(ports["litserve"])], ports["litserve"], env),
        "lossd": start(
            [str(BIN / "lossd"), "serve", "--port", str(ports["lossd"])],
            ports["lossd"],
            {**env, "LOSSD_DEVICES": "cpu"},
        ),
        "lossd-local": start(
            [str(BIN / "lossd"), "serve", "--port", str(ports["lossd-local"])],
            ports["lossd-local"],
            {**env, "LOSSD_POOL": "local"},
        ),
    }


# --- measurements ------------------------------------------------------------------------------------------


def small(ports: dict[str, int], requests: int, levels: list[int]) -> dict[str, dict[int, tuple]]:
    x, y = (np.array(v, dtype=np.float32) for v in SMALL)
    out: dict[str, dict[int, tuple]] = {"in-process": {1: _in_process_small(requests)}}
    for c in levels:
        for name in SMALL_PATHS:
            server, build = PATHS[name]
            path, body, headers = build(x, y)
            n = requests if c > 1 else requests // 3
            out.setdefault(name, {})[c] = asyncio.run(load(ports[server], n, c, http_request(path, body, headers)))
    return out


def _in_process_small(requests: int) -> tuple[float, float, float, int]:
    latencies = []
    t0 = time.perf_counter()
    for _ in range(requests):
        t = time.perf_counter()
        in_process(*SMALL)
        latencies.append(time.perf_counter() - t)
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    return requests / wall, statistics.median(latencies) * 1e3, q[98] * 1e3, 0


def large(ports: dict[str, int], repeats: int) -> dict[str, float]:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(LARGE_N).astype(np.float32), rng.standard_normal(LARGE_N).astype(np.float32)
    bodies = {name: PATHS[name][1](x, y) for name in PATHS}
    times: dict[str, list[float]] = {"in-process": [], **{name: [] for name in PATHS}}
    with httpx.Client(timeout=300) as client:
        for i in range(repeats + 1):  # interleaved, so drift on a shared machine hits every path alike
            for name in times:
                t0 = time.perf_counter()
                if name == "in-process":
                    in_process(x, y)
                else:
                    if i > 1 and name in ("plain-fastapi", "litserve"):
                        continue  # seconds per request: two samples tell the story
                    path, body, headers = bodies[name]
                    url = f"http://127.0.0.1:{ports[PATHS[name][0]]}{path}"
                    r = client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
                    assert r.status_code == 200, (name, r.status_code, r.text[:300])
                if i > 0:  # the first round warms every path up
                    times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) * 1e3 for name, ts in times.items()}


# --- report ------------------------------------------------------------------------------------------------


def report(small_rows: dict[str, dict[int, tuple]], large_ms: dict[str, float], levels: list[int]) -> list[str]:
    lines = ["small: 4-element MSE with gradient", f"{'concurrency':>11} {'path':<18}{'req/s':>9}{'p50 ms':>9}"]
    lines[-1] += f"{'p99 ms':>9}{'errors':>8}"
    for c in [1, *[c for c in levels if c != 1]]:
        for name, cells in small_rows.items():
            if c in cells:
                rps, p50, p99, errors = cells[c]
                lines.append(f"{c:>11} {name:<18}{rps:>9.0f}{p50:>9.2f}{p99:>9.2f}{errors:>8}")
    lines += ["", "large: 2 x 10^6 float32 values (input and target), MSE with the gradient of input"]
    lines.append(f"{'path':<18}{'ms/request':>11}")
    lines += [f"{name:<18}{ms:>11.1f}" for name, ms in large_ms.items()]
    ref = large_ms["orjson+numpy"]
    lit32 = small_rows["litserve"].get(32, (float("nan"),))[0]
    lossd32 = small_rows["lossd-v1-json"].get(32, (float("nan"),))[0]
    lines += [
        "",
        "targets",
        f"  v1 JSON / orjson+numpy reference  {large_ms['lossd-v1-json'] / ref:6.2f}  (target <= 1.25)",
        f"  plain FastAPI / v1 JSON           {large_ms['plain-fastapi'] / large_ms['lossd-v1-json']:6.2f}  (>= 3)",
        f"  v1 b64 ms                         {large_ms['lossd-v1-b64']:6.1f}  (target <= 30)",
        f"  OIP binary ms                     {large_ms['lossd-oip-binary']:6.1f}  (target <= 12)",
        f"  lossd v1 JSON / LitServe req/s, c=32  {lossd32 / lit32:6.2f}  (target >= 4)",
    ]
    return lines


def plot(small_rows: dict[str, dict[int, tuple]], large_ms: dict[str, float], levels: list[int], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    names = [n for n in small_rows if n != "in-process"]
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        xs = [j + i * width for j in range(len(levels))]
        left.bar(xs, [small_rows[name].get(c, (0,))[0] for c in levels], width, label=name)
    left.set_xticks([j + 0.4 - width / 2 for j in range(len(levels))], [f"concurrency {c}" for c in levels])
    left.set_ylabel("requests/s (higher is better)")
    left.set_title("small: 4-element MSE with gradient")
    left.legend(fontsize=8)
    order = sorted(large_ms, key=large_ms.__getitem__)
    right.barh(order, [large_ms[n] for n in order], color="tab:orange")
    right.set_xscale("log")
    right.set_xlabel("ms per request, log scale (lower is better)")
    right.set_title("large: 2 x 10^6 float32, MSE with gradient")
    for i, name in enumerate(order):
        right.text(large_ms[name], i, f" {large_ms[name]:.1f}", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2000, help="requests per small cell (a third at concurrency 1)")
    parser.add_argument("--large", type=int, default=5, help="large requests per path")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32, 128])
    parser.add_argument("--png", type=Path, default=HERE.parent / "docs" / "benchmarks.png")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args()
    ports = {name: free_port() for name in ("plain", "litserve", "lossd", "lossd-local")}
    servers = start_servers(ports)
    try:
        small_rows = small(ports, args.small, args.concurrency)
        large_ms = large(ports, args.large)
    finally:
        for proc in servers.values():
            stop(proc)
    print("\n".join(report(small_rows, large_ms, args.concurrency)))
    print(f"load average after the run: {os.getloadavg()[0]:.1f} (2 cores)")
    plot(small_rows, large_ms, args.concurrency, args.png)
    if args.json is not None:
        args.json.write_text(json.dumps({"small": small_rows, "large_ms": large_ms}, indent=1))


if __name__ == "__main__":
    main()
