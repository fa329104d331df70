"""What several of the client's tests share: comparing a `Result` with lossd's raw answer, and slow work."""

import math
from typing import Any

import httpx
import numpy as np

from lossd_client import Result


def call_kwargs(example: dict[str, Any]) -> dict[str, Any]:
    """A descriptor's example request as keyword arguments of its loss's method."""
    return {**example["inputs"], **(example.get("params") or {}), "grad": example.get("grad", False)}


def as_array(wire: Any) -> np.ndarray[Any, Any]:
    """A tensor from a raw JSON answer (plain lists with non-finite names), as float64."""

    def numbers(x: Any) -> Any:
        if isinstance(x, list):
            return [numbers(v) for v in x]
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(x, x) if isinstance(x, str) else x

    return np.asarray(numbers(wire), dtype=np.float64)


def assert_same(got: Result, want: dict[str, Any]) -> None:
    """`got` holds exactly the numbers of lossd's raw JSON answer `want`."""
    assert got.loss == want["loss"]
    assert list(got.shape) == want["shape"]
    assert got.dtype == want["dtype"]
    assert got.warnings == tuple(want.get("warnings", ()))
    if not want["shape"]:
        assert isinstance(got.value, float)
        np.testing.assert_array_equal(got.value, as_array(want["value"]))
    else:
        assert isinstance(got.value, np.ndarray)
        np.testing.assert_array_equal(got.value.astype(np.float64), as_array(want["value"]))
    assert sorted(got.grads) == sorted(want.get("grads") or {})
    for name, grad in (want.get("grads") or {}).items():
        np.testing.assert_array_equal(np.asarray(got.grads[name], dtype=np.float64), as_array(grad))


def slow_ctc(scale: float = 1) -> dict[str, Any]:
    """CTC inputs that take a CPU core about a second (scale 1; more as its square) to compute with their
    gradient: CTC's work grows with time steps × batch × target length."""
    rng = np.random.default_rng(0)
    t, n, c, s = int(1000 * scale), 32, 20, int(200 * scale)
    logits = rng.standard_normal((t, n, c)).astype(np.float32)
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return {
        "log_probs": log_probs,
        "targets": rng.integers(1, c, (n, s)),
        "input_lengths": np.full(n, t),
        "target_lengths": np.full(n, s),
    }


def pool_busy(url: str) -> bool:
    return bool(httpx.get(url + "/v1/info", timeout=10).json()["pool"]["running_or_queued"])


class Recorder:
    """httpx event hooks that record each request's method, path and body, and each answer's status."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        self.statuses: list[int] = []

    def request(self, request: httpx.Request) -> None:
        self.requests.append((request.method, request.url.path, request.content))

    def response(self, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)

    async def arequest(self, request: httpx.Request) -> None:
        self.request(request)

    async def aresponse(self, response: httpx.Response) -> None:
        self.response(response)

    def hooks(self) -> dict[str, Any]:
        return {"event_hooks": {"request": [self.request], "response": [self.response]}}

    def async_hooks(self) -> dict[str, Any]:
        return {"event_hooks": {"request": [self.arequest], "response": [self.aresponse]}}
