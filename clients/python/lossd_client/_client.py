"""`LossClient` and `AsyncLossClient`: the same API, over the generated `lossd_api`, sync and async.

What each adds to the generated client: tensors in (lists, NumPy arrays, torch tensors) and out (floats
and NumPy arrays in the caller's dtype), the binary form chosen by size, `/v1/batch` for many
computations (split to the server's limits), typed exceptions carrying the problem, and 503s retried after
`Retry-After` within a bounded budget. Requests are built and answers read by the same functions for both
clients; only the waiting differs.
"""

from __future__ import annotations  # help() shows `TensorLike`, not what it stands for

import asyncio
import email.utils
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

import httpx
import numpy as np

from lossd_api import Client as ApiClient
from lossd_api.api.catalogue import losses_get, losses_list
from lossd_api.api.compute import batch_compute, losses_compare, losses_compute
from lossd_api.api.service import service_info
from lossd_api.models import (
    BatchRequest,
    CompareRequest,
    ComputeRequest,
    LossesListHandlesImbalanceType0,
    LossesListInputKindType0,
    LossesListRobustToOutliersType0,
    LossesListTaskType0,
    Problem,
)
from lossd_api.types import UNSET, Response

from ._errors import ProblemError, RateLimited, ServiceBusy, Timeout, TransportError, from_problem
from ._losses import AsyncLosses, SyncLosses
from ._tensors import Encoded, TensorLike, caller_dtype, decode, encode, scalar

if TYPE_CHECKING:
    from ._runs import AsyncRun, Run

DEFAULT_URL = "http://127.0.0.1:8000"
Grad: TypeAlias = bool | Sequence[str]
ComputeDtype: TypeAlias = Literal["float32", "float64"]
Value: TypeAlias = float | np.ndarray[Any, Any]
# The server's defaults, used for splitting batches until /v1/info tells the limits in force.
_DEFAULT_LIMITS = {"max_batch_items": 256, "max_total_elements": 33_554_432, "max_body_bytes": 134_217_728}
_T = TypeVar("_T")


@dataclass(frozen=True)
class Result:
    """One computed loss.

    `value` is a float for a reduced (0-d) loss and a NumPy array for `reduction="none"`; `grads` holds one
    entry per input asked for, shaped like it. Arrays come back in the caller's dtype: a gradient in its
    input's floating dtype (NumPy or torch), otherwise in the compute dtype `dtype`.
    """

    loss: str
    value: Value
    shape: tuple[int, ...]
    dtype: str
    device: str
    grads: dict[str, Value] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    recorded: dict[str, Any] | None = None  # the run point the value was stored as (`record`), if any


@dataclass(frozen=True)
class Contributor:
    """One entry of a loss's unreduced form (`index` into it) and its share of the sum of |entries|."""

    index: tuple[int, ...]
    share: float


@dataclass(frozen=True)
class Compared:
    """One loss of a `compare`: its value (reduced as its params say) and the entries that contribute most,
    largest share first (None for a loss without an unreduced form, such as `rmse`)."""

    loss: str
    value: Value
    top_contributors: tuple[Contributor, ...] | None


@dataclass(frozen=True)
class Skipped:
    """A loss that `compare` did not run, and why."""

    loss: str
    reason: str


@dataclass(frozen=True)
class Comparison:
    """What `compare` answers: the losses run, in order, and those skipped."""

    results: tuple[Compared, ...]
    skipped: tuple[Skipped, ...]

    def __getitem__(self, loss: str) -> Compared:
        """The result of `loss` (its canonical name)."""
        for r in self.results:
            if r.loss == loss:
                return r
        raise KeyError(loss)


def _comparison(out: Mapping[str, Any]) -> Comparison:
    def value(wire: Any) -> Value:
        return decode(wire, np.dtype(np.float64)) if isinstance(wire, list | Mapping) else scalar(wire)

    def top(wire: Any) -> tuple[Contributor, ...] | None:
        if wire is None:
            return None
        return tuple(Contributor(tuple(c["index"]), scalar(c["share"])) for c in wire)

    return Comparison(
        results=tuple(Compared(r["loss"], value(r["value"]), top(r.get("top_contributors"))) for r in out["results"]),
        skipped=tuple(Skipped(s["loss"], s["reason"]) for s in out["skipped"]),
    )


def _compare_body(
    inputs: Mapping[str, TensorLike],
    losses: Sequence[str] | None,
    params: Mapping[str, Mapping[str, Any] | None] | None,
    dtype: ComputeDtype | None,
    top: int | None,
    binary: bool | None,
    threshold: int,
) -> CompareRequest:
    if isinstance(losses, str):
        raise TypeError("losses is a list of names: losses=[" + repr(losses) + "]")
    # inputs encoded as compute encodes them, float64 arrays computed in float64 unless `dtype` says otherwise
    prepared = _prepare(Computation("compare", dtype=dtype, binary=binary, **inputs), threshold).body
    body: dict[str, Any] = {"inputs": prepared["inputs"]}
    options = {"losses": None if losses is None else list(losses), "dtype": prepared.get("dtype"), "top": top}
    body.update({k: v for k, v in options.items() if v is not None})
    if params is not None:
        body["params"] = {k: dict(v) if v is not None else None for k, v in params.items()}
    return CompareRequest.from_dict(body)


def _flag(value: bool | None, kind: Any) -> Any:
    return UNSET if value is None else kind("true" if value else "false")


def _filters(
    task: str | None, input_kind: str | None, robust_to_outliers: bool | None, handles_imbalance: bool | None
) -> dict[str, Any]:
    return {
        "task": UNSET if task is None else LossesListTaskType0(task),
        "input_kind": UNSET if input_kind is None else LossesListInputKindType0(input_kind),
        "robust_to_outliers": _flag(robust_to_outliers, LossesListRobustToOutliersType0),
        "handles_imbalance": _flag(handles_imbalance, LossesListHandlesImbalanceType0),
    }


_DOC_COMPARE = """Several losses on the same inputs, side by side (`POST /v1/compare`).

        Args:
            inputs: the inputs by name (`input`, `target`, ...): lists, NumPy arrays or torch tensors.
            losses: the losses to run (names or aliases); None runs every loss whose inputs are these.
            params: each loss's params by its name, e.g. `{"huber": {"delta": 2.0}}`.
            dtype: "float32" (the server's default) or "float64".
            top: how many top contributors to return per loss (the server's default: 3).
            binary: force the binary form (True) or JSON (False); by default chosen by size.

        Returns:
            a `Comparison`: per loss its value and the entries with the largest share of it, and the losses
            skipped with the reason (a loss that fails on these inputs is skipped, not raised).

        Raises:
            InvalidRequest (an unknown loss, params for a loss not run, a malformed input), TooLarge, ServiceBusy,
            Timeout or TransportError.
"""


class Computation:
    """One loss to compute in a `batch`; it takes the same arguments as `compute`."""

    def __init__(
        self,
        loss: str,
        /,
        *,
        params: Mapping[str, Any] | None = None,
        grad: Grad = False,
        grad_output: TensorLike | None = None,
        dtype: ComputeDtype | None = None,
        binary: bool | None = None,
        **inputs: TensorLike,
    ) -> None:
        self.loss = loss
        self.inputs = inputs
        self.params = dict(params or {})
        self.grad = grad
        self.grad_output = grad_output
        self.dtype = dtype
        self.binary = binary

    def __repr__(self) -> str:
        return f"Computation({self.loss!r}, inputs={sorted(self.inputs)})"


@dataclass(frozen=True)
class _Request:
    """A computation as its request body, with what reading its answer needs."""

    loss: str
    body: dict[str, Any]
    callers: dict[str, np.dtype[Any] | None]
    elements: int
    size: int  # roughly, the body's bytes


def _prepare(c: Computation, threshold: int) -> _Request:
    # float64 when asked, or when an input is a float64 array or tensor; else the server's default, float32
    floating = [caller_dtype(x) for x in c.inputs.values()]
    dtype = c.dtype or ("float64" if any(d == np.float64 for d in floating) else None)
    list_float = np.float64 if dtype == "float64" else np.float32

    def enc(x: Any) -> Encoded:
        return encode(x, c.binary, threshold, list_float)

    inputs = {name: enc(x) for name, x in c.inputs.items()}
    params = {}
    extra = 0
    for k, v in c.params.items():
        if v is None:
            continue
        if isinstance(v, list | tuple | np.ndarray) or hasattr(v, "__array__"):
            e = enc(v)
            params[k], extra = e.wire, extra + e.elements
        else:
            params[k] = v
    body: dict[str, Any] = {"inputs": {name: e.wire for name, e in inputs.items()}}
    if params:
        body["params"] = params
    if c.grad is True or (c.grad and not isinstance(c.grad, bool)):
        body["grad"] = True if c.grad is True else list(c.grad)
    if c.grad_output is not None:
        e = enc(c.grad_output)
        body["grad_output"], extra = e.wire, extra + e.elements
    callers = {name: e.dtype for name, e in inputs.items()}
    if dtype is not None:
        body["dtype"] = dtype
    if any(e.binary for e in inputs.values()):
        body["output_encoding"] = "b64"
    elements = sum(e.elements for e in inputs.values()) + extra
    size = sum(len(v["b64"]) for e in inputs.values() if isinstance(v := e.wire, dict) and "b64" in v)
    if size < elements * 4:  # JSON lists: count them by their text
        size = len(json.dumps(body))
    return _Request(c.loss, body, callers, elements, size)


def _or(dtype: np.dtype[Any] | None, default: np.dtype[Any]) -> np.dtype[Any]:
    return default if dtype is None else dtype  # not `or`: a dtype without fields is falsy


def _result(req: _Request, out: Mapping[str, Any]) -> Result:
    compute = np.dtype(out["dtype"])
    floating = [d for d in req.callers.values() if d is not None]
    value_dtype = np.result_type(*floating) if floating else compute
    shape = tuple(out["shape"])
    value = scalar(out["value"]) if not shape else decode(out["value"], value_dtype)
    grads = {name: decode(wire, _or(req.callers.get(name), compute)) for name, wire in (out.get("grads") or {}).items()}
    return Result(
        loss=out["loss"],
        value=value,
        shape=shape,
        dtype=out["dtype"],
        device=out["device"],
        grads=grads,
        warnings=tuple(out.get("warnings") or ()),
        recorded=out.get("recorded"),
    )


def _problem(response: Response[Any]) -> ProblemError:
    if isinstance(response.parsed, Problem):
        return from_problem(response.parsed.to_dict())
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict) or "status" not in body:
        status = int(response.status_code)
        body = {
            "status": status,
            "title": "Unexpected answer",
            "detail": response.content[:500].decode(errors="replace"),
        }
    return from_problem(body)


def _ok(response: Response[_T]) -> _T:
    if int(response.status_code) == 200 and response.parsed is not None and not isinstance(response.parsed, Problem):
        return response.parsed
    raise _problem(response)


def _retry_after(headers: Mapping[str, str]) -> float:
    value = headers.get("retry-after", "1")
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 1.0
        return max(0.0, when.timestamp() - time.time())


_RETRIED = (429, 503)  # answers that say "try again after Retry-After"


def _busy(response: Response[Any], attempts: int) -> ServiceBusy:
    problem = _problem(response).problem
    kind = RateLimited if int(response.status_code) == 429 else ServiceBusy
    return kind(problem, _retry_after(response.headers), attempts)


def _chunks(reqs: list[_Request], pending: list[int], limits: Mapping[str, int]) -> list[list[int]]:
    """The pending requests in consecutive runs, each within the batch limits (one alone may still exceed them)."""
    out: list[list[int]] = []
    run: list[int] = []
    elements = size = 0
    room = int(limits["max_body_bytes"] * 0.9)
    for i in pending:
        req = reqs[i]
        full = len(run) >= limits["max_batch_items"]
        if run and (full or elements + req.elements > limits["max_total_elements"] or size + req.size > room):
            out.append(run)
            run, elements, size = [], 0, 0
        run.append(i)
        elements += req.elements
        size += req.size
    if run:
        out.append(run)
    return out


class _Batch:
    """A batch's progress: every item pending at first, then again those refused in their slot with a 503."""

    def __init__(self, reqs: list[_Request], settings: _Settings) -> None:
        self.reqs = reqs
        self.settings = settings
        self.out: list[Result | ProblemError | None] = [None] * len(reqs)
        self.pending = list(range(len(reqs)))
        self.attempt = 1
        self.started = time.monotonic()

    def runs(self, limits: Mapping[str, int]) -> list[tuple[list[int], BatchRequest]]:
        return [
            (run, BatchRequest.from_dict({"items": [{"loss": self.reqs[i].loss, **self.reqs[i].body} for i in run]}))
            for run in _chunks(self.reqs, self.pending, limits)
        ]

    def record(self, run: list[int], response: Response[Any]) -> None:
        results = _ok(response).to_dict()["results"]
        for i, out in zip(run, results, strict=True):
            self.out[i] = from_problem(out["error"]) if "error" in out else _result(self.reqs[i], out)

    def wait(self) -> float | None:
        """Seconds to wait before sending the busy items again, or None when done."""
        busy = [i for i in self.pending if isinstance(self.out[i], ServiceBusy)]
        s = self.settings
        if not busy or self.attempt > s.retries or time.monotonic() - self.started + 1.0 > s.retry_budget_s:
            return None
        self.pending, self.attempt = busy, self.attempt + 1
        return 1.0  # a slot's problem has no Retry-After: the server's own value for a full pool

    def results(self) -> list[Result | ProblemError]:
        return [r for r in self.out if r is not None]


class _Settings:
    def __init__(
        self,
        base_url: str,
        timeout: float | httpx.Timeout | None,
        retries: int,
        retry_budget_s: float,
        binary_threshold: int,
        headers: Mapping[str, str] | None,
        httpx_args: Mapping[str, Any] | None,
        api_key: str | None = None,
    ) -> None:
        if retries < 0 or retry_budget_s < 0:
            raise ValueError("retries and retry_budget_s must not be negative")
        sent = dict(headers or {})
        if api_key is not None:
            sent["Authorization"] = f"Bearer {api_key}"
        self.api = ApiClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            headers=sent,
            httpx_args=dict(httpx_args or {}),
        )
        self.base_url = base_url
        self.retries = retries
        self.retry_budget_s = retry_budget_s
        self.binary_threshold = binary_threshold
        self.limits: dict[str, int] | None = None

    def plan(self, response: Response[Any], attempt: int, started: float) -> float | None:
        """How long to wait before trying again, or None to stop: 503s and 429s only, within the retry budget."""
        if int(response.status_code) not in _RETRIED or attempt > self.retries:
            return None
        wait = _retry_after(response.headers)
        if time.monotonic() - started + wait > self.retry_budget_s:
            return None
        return wait


_DOC_ARGS = """
    Args:
        base_url: where lossd answers.
        timeout: seconds (or an `httpx.Timeout`) to wait for each answer; None waits for ever.
        retries: how many times a 503 (pool full) or 429 (key over its rate) is retried, each after its
            `Retry-After`.
        retry_budget_s: the most time spent waiting between retries, in all; past it the 503 (`ServiceBusy`) or
            429 (`RateLimited`) is raised.
        binary_threshold: NumPy arrays, torch tensors and lists of this many elements or more travel in the
            binary form (and their answers too); smaller ones as JSON.
        headers: sent with every request.
        api_key: where lossd has access control on, the key, sent as `Authorization: Bearer <key>`.
        httpx_args: passed on to the `httpx` client (transport, event_hooks, limits, …).
"""


class LossClient(SyncLosses):
    """A client for lossd.

    >>> with LossClient("http://127.0.0.1:8000") as client:
    ...     r = client.compute("mse", input=[2.5, 4.8, 6.9, 9.5], target=[3, 5, 7, 9], grad=True)
    >>> r.value
    0.13749998807907104
    >>> r.grads["input"]
    array([-0.25      , -0.0999999 , -0.04999995,  0.25      ], dtype=float32)

    Each loss has its own method too (`client.mse(...)`, `client.cross_entropy(...)`), with its catalogue
    entry as its documentation.
    """

    __doc__ = (__doc__ or "") + _DOC_ARGS

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        timeout: float | httpx.Timeout | None = 60.0,
        retries: int = 3,
        retry_budget_s: float = 30.0,
        binary_threshold: int = 1024,
        headers: Mapping[str, str] | None = None,
        httpx_args: Mapping[str, Any] | None = None,
        api_key: str | None = None,
    ) -> None:
        self._s = _Settings(base_url, timeout, retries, retry_budget_s, binary_threshold, headers, httpx_args, api_key)

    def compute(
        self,
        loss: str,
        /,
        *,
        params: Mapping[str, Any] | None = None,
        grad: Grad = False,
        grad_output: TensorLike | None = None,
        dtype: ComputeDtype | None = None,
        binary: bool | None = None,
        **inputs: TensorLike,
    ) -> Result:
        """Compute `loss` (a name or alias) on the keyword `inputs`, and the gradients `grad` asks for.

        Args:
            loss: the loss's name, torch.nn class name or functional name.
            params: the torch.nn class's constructor arguments (None: PyTorch's defaults).
            grad: True for every differentiable input, or the names of the inputs to differentiate.
            grad_output: the vector of a vector-Jacobian product, shaped like the value.
            dtype: "float32" or "float64"; by default float64 when an input is a float64 array, else float32.
            binary: force the binary form (True) or JSON (False); by default chosen by size.
            inputs: the loss's inputs by their torch.nn.functional names: lists, NumPy arrays or torch tensors.

        Raises:
            InvalidRequest, UnknownLoss, TooLarge, ServiceBusy, ComputeTimeout (each a ProblemError),
            Timeout or TransportError.
        """
        c = Computation(loss, params=params, grad=grad, grad_output=grad_output, dtype=dtype, binary=binary, **inputs)
        req = _prepare(c, self._s.binary_threshold)
        body = ComputeRequest.from_dict(req.body)
        response = self._send(lambda: losses_compute.sync_detailed(req.loss, client=self._s.api, body=body))
        return _result(req, _ok(response).to_dict())

    def batch(self, computations: Iterable[Computation]) -> list[Result | ProblemError]:
        """Compute many losses through `/v1/batch`, in order: each a `Result`, or the `ProblemError` of its
        own refusal (returned, not raised). Large lists are split to the server's limits (from `/v1/info`), and
        items refused for a full pool (503 in their slot) are sent again, within the retry budget."""
        reqs = [_prepare(c, self._s.binary_threshold) for c in computations]
        if not reqs:
            return []
        batch, limits = _Batch(reqs, self._s), self._limits()
        while True:
            for run, body in batch.runs(limits):
                batch.record(run, self._send(partial(batch_compute.sync_detailed, client=self._s.api, body=body)))
            wait = batch.wait()
            if wait is None:
                return batch.results()
            time.sleep(wait)

    def compare(
        self,
        *,
        losses: Sequence[str] | None = None,
        params: Mapping[str, Mapping[str, Any] | None] | None = None,
        dtype: ComputeDtype | None = None,
        top: int | None = None,
        binary: bool | None = None,
        **inputs: TensorLike,
    ) -> Comparison:
        body = _compare_body(inputs, losses, params, dtype, top, binary, self._s.binary_threshold)
        return _comparison(
            _ok(self._send(lambda: losses_compare.sync_detailed(client=self._s.api, body=body))).to_dict()
        )

    compare.__doc__ = _DOC_COMPARE

    def losses(
        self,
        *,
        task: str | None = None,
        input_kind: str | None = None,
        robust_to_outliers: bool | None = None,
        handles_imbalance: bool | None = None,
    ) -> list[dict[str, Any]]:
        """The catalogue: every loss's descriptor (formula, when to use it, inputs, params, traits, an example),
        or those matching every filter given: `task` ("regression", "classification", ...), `input_kind`
        ("values", "logits", "probabilities", ...), `robust_to_outliers`, `handles_imbalance`. An unknown task or
        kind is a ValueError, before anything is sent."""
        f = _filters(task, input_kind, robust_to_outliers, handles_imbalance)
        return list(_ok(self._send(lambda: losses_list.sync_detailed(client=self._s.api, **f))).to_dict()["losses"])

    def describe(self, loss: str) -> dict[str, Any]:
        """One loss's descriptor."""
        return _ok(self._send(lambda: losses_get.sync_detailed(loss, client=self._s.api))).to_dict()

    def info(self) -> dict[str, Any]:
        """The server's versions, devices, pool settings and limits."""
        return _ok(self._send(lambda: service_info.sync_detailed(client=self._s.api))).to_dict()

    def run(self, name: str, *, tags: Mapping[str, str] | None = None) -> Run:
        """A new run named `name` (need not be unique), labelled with `tags`, whose curves lossd keeps: log
        points with `run.log(step, train=...)`, let lossd compute and keep them with `run.compute(...,
        series=, step=)`, read them back with `run.diagnosis()`, `run.series(name)`, `run.plot(path)`."""
        from ._runs import create_run  # _runs builds on this module

        return create_run(self, name, tags)

    def get_run(self, run_id: str) -> Run:
        """The run `run_id` (`NotFound` if there is none)."""
        from ._runs import get_run

        return get_run(self, run_id)

    def close(self) -> None:
        self._s.api.get_httpx_client().close()

    def __enter__(self) -> LossClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _loss(self, loss: str, inputs: dict[str, Any], params: dict[str, Any], **options: Any) -> Result:
        return self.compute(loss, params=params, **options, **inputs)

    def _limits(self) -> dict[str, int]:
        if self._s.limits is None:
            self._s.limits = {k: self.info()["limits"].get(k, v) for k, v in _DEFAULT_LIMITS.items()}
        return self._s.limits

    def _send(self, call: Callable[[], Response[_T]]) -> Response[_T]:
        started, attempt = time.monotonic(), 1
        while True:
            try:
                response = call()
            except httpx.TimeoutException as e:
                raise Timeout(f"no answer from {self._s.base_url} in time: {e}") from e
            except httpx.TransportError as e:
                raise TransportError(f"could not reach {self._s.base_url}: {e}") from e
            wait = self._s.plan(response, attempt, started)
            if wait is None:
                if int(response.status_code) in _RETRIED:
                    raise _busy(response, attempt)
                return response
            time.sleep(wait)
            attempt += 1


class AsyncLossClient(AsyncLosses):
    """The async twin of `LossClient`: the same methods, each a coroutine.

    >>> async with AsyncLossClient("http://127.0.0.1:8000") as client:
    ...     r = await client.mse(input=[2.5, 4.8, 6.9, 9.5], target=[3, 5, 7, 9], grad=True)
    """

    __doc__ = (__doc__ or "") + _DOC_ARGS

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        timeout: float | httpx.Timeout | None = 60.0,
        retries: int = 3,
        retry_budget_s: float = 30.0,
        binary_threshold: int = 1024,
        headers: Mapping[str, str] | None = None,
        httpx_args: Mapping[str, Any] | None = None,
        api_key: str | None = None,
    ) -> None:
        self._s = _Settings(base_url, timeout, retries, retry_budget_s, binary_threshold, headers, httpx_args, api_key)

    async def compute(
        self,
        loss: str,
        /,
        *,
        params: Mapping[str, Any] | None = None,
        grad: Grad = False,
        grad_output: TensorLike | None = None,
        dtype: ComputeDtype | None = None,
        binary: bool | None = None,
        **inputs: TensorLike,
    ) -> Result:
        """Compute `loss` on the keyword `inputs`: see `LossClient.compute`."""
        c = Computation(loss, params=params, grad=grad, grad_output=grad_output, dtype=dtype, binary=binary, **inputs)
        req = _prepare(c, self._s.binary_threshold)
        body = ComputeRequest.from_dict(req.body)
        response = await self._send(lambda: losses_compute.asyncio_detailed(req.loss, client=self._s.api, body=body))
        return _result(req, _ok(response).to_dict())

    async def batch(self, computations: Iterable[Computation]) -> list[Result | ProblemError]:
        """Compute many losses through `/v1/batch`: see `LossClient.batch`."""
        reqs = [_prepare(c, self._s.binary_threshold) for c in computations]
        if not reqs:
            return []
        batch, limits = _Batch(reqs, self._s), await self._limits()
        while True:
            for run, body in batch.runs(limits):
                send = self._send(partial(batch_compute.asyncio_detailed, client=self._s.api, body=body))
                batch.record(run, await send)
            wait = batch.wait()
            if wait is None:
                return batch.results()
            await asyncio.sleep(wait)

    async def compare(
        self,
        *,
        losses: Sequence[str] | None = None,
        params: Mapping[str, Mapping[str, Any] | None] | None = None,
        dtype: ComputeDtype | None = None,
        top: int | None = None,
        binary: bool | None = None,
        **inputs: TensorLike,
    ) -> Comparison:
        body = _compare_body(inputs, losses, params, dtype, top, binary, self._s.binary_threshold)
        response = await self._send(lambda: losses_compare.asyncio_detailed(client=self._s.api, body=body))
        return _comparison(_ok(response).to_dict())

    compare.__doc__ = _DOC_COMPARE

    async def losses(
        self,
        *,
        task: str | None = None,
        input_kind: str | None = None,
        robust_to_outliers: bool | None = None,
        handles_imbalance: bool | None = None,
    ) -> list[dict[str, Any]]:
        """The catalogue, or the losses matching every filter given: see `LossClient.losses`."""
        f = _filters(task, input_kind, robust_to_outliers, handles_imbalance)
        response = await self._send(lambda: losses_list.asyncio_detailed(client=self._s.api, **f))
        return list(_ok(response).to_dict()["losses"])

    async def describe(self, loss: str) -> dict[str, Any]:
        """One loss's descriptor."""
        return _ok(await self._send(lambda: losses_get.asyncio_detailed(loss, client=self._s.api))).to_dict()

    async def info(self) -> dict[str, Any]:
        """The server's versions, devices, pool settings and limits."""
        return _ok(await self._send(lambda: service_info.asyncio_detailed(client=self._s.api))).to_dict()

    async def run(self, name: str, *, tags: Mapping[str, str] | None = None) -> AsyncRun:
        """A new run: see `LossClient.run`."""
        from ._runs import async_create_run

        return await async_create_run(self, name, tags)

    async def get_run(self, run_id: str) -> AsyncRun:
        """The run `run_id` (`NotFound` if there is none)."""
        from ._runs import async_get_run

        return await async_get_run(self, run_id)

    async def aclose(self) -> None:
        await self._s.api.get_async_httpx_client().aclose()

    async def __aenter__(self) -> AsyncLossClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _loss(self, loss: str, inputs: dict[str, Any], params: dict[str, Any], **options: Any) -> Result:
        return await self.compute(loss, params=params, **options, **inputs)

    async def _limits(self) -> dict[str, int]:
        if self._s.limits is None:
            limits = (await self.info())["limits"]
            self._s.limits = {k: limits.get(k, v) for k, v in _DEFAULT_LIMITS.items()}
        return self._s.limits

    async def _send(self, call: Callable[[], Awaitable[Response[_T]]]) -> Response[_T]:
        started, attempt = time.monotonic(), 1
        while True:
            try:
                response = await call()
            except httpx.TimeoutException as e:
                raise Timeout(f"no answer from {self._s.base_url} in time: {e}") from e
            except httpx.TransportError as e:
                raise TransportError(f"could not reach {self._s.base_url}: {e}") from e
            wait = self._s.plan(response, attempt, started)
            if wait is None:
                if int(response.status_code) in _RETRIED:
                    raise _busy(response, attempt)
                return response
            await asyncio.sleep(wait)
            attempt += 1


__all__ = [
    "DEFAULT_URL",
    "AsyncLossClient",
    "Compared",
    "Comparison",
    "Computation",
    "ComputeDtype",
    "Contributor",
    "Grad",
    "LossClient",
    "Result",
    "Skipped",
]
