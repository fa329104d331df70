"""How fast a big tensor body becomes a tensor: FastAPI's default path against lossd's.

Measures, side by side in one process, the time from request bytes to a
validated float tensor for a body of two tensors of N float32 values each:

  fastapi-default  json.loads + pydantic validation of list[float] (what a plain
                   FastAPI endpoint with a `list[float]` model does)
  lossd-plain      lossd's body parser + envelope validation + wire codec, plain JSON lists
  lossd-b64        the same, binary (base64) form

Run: .venv/bin/python bench/decode.py [N] [repeats]
"""

import base64
import json
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import orjson
from pydantic import BaseModel

from lossd.catalogue import CATALOGUE
from lossd.catalogue.validate import prepare
from lossd.codec import ElementBudget, Limits
from lossd.http.body import parse
from lossd.http.schemas import ComputeRequest


class PlainInputs(BaseModel):
    input: list[float]
    target: list[float]


class PlainRequest(BaseModel):
    inputs: PlainInputs


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    plain = orjson.dumps({"inputs": {"input": a.tolist(), "target": b.tolist()}})
    binary = orjson.dumps(
        {
            "inputs": {
                name: {"dtype": "float32", "shape": [n], "b64": base64.b64encode(t.tobytes()).decode()}
                for name, t in (("input", a), ("target", b))
            }
        }
    )
    loss = CATALOGUE.resolve("mse")
    limits = Limits(16_777_216, 8)

    def fastapi_default() -> None:
        PlainRequest.model_validate(json.loads(plain))

    def lossd(body: bytes) -> Callable[[], None]:
        def run() -> None:
            req = ComputeRequest.model_validate(parse(body))
            prepare(loss, req.inputs, req.params, req.grad, None, "float32", limits, ElementBudget(33_554_432))

        return run

    cases = {"fastapi-default": fastapi_default, "lossd-plain": lossd(plain), "lossd-b64": lossd(binary)}
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(repeats):  # interleaved, so drift on a shared machine hits every case alike
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["fastapi-default"])
    print(f"2 tensors x {n} float32 values; plain body {len(plain) / 1e6:.1f} MB, b64 body {len(binary) / 1e6:.1f} MB")
    print(f"{'path':<18}{'median ms':>10}{'vs default':>12}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<18}{med * 1e3:>10.1f}{base / med:>11.1f}x")


if __name__ == "__main__":
    main()
