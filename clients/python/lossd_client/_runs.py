"""Runs: a training run's curves kept by lossd (`client.run(...)`), sync and async.

    run = client.run("linear-regression", tags={"lr": "0.01"})
    run.log(epoch, train=train_loss)                                   # points you computed
    run.compute("mse", input=pred, target=y, series="validation", step=epoch)   # computed and kept by lossd
    run.diagnosis().status                                             # "improving", "overfitting", ...
    run.plot("curves.png")

Requests are built and answers read by the same functions for `Run` and `AsyncRun`, through the generated
`lossd_api.api.runs`; only the waiting differs. 503s are retried and problems raised as for every other call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np

from lossd_api.api.compute import losses_compute
from lossd_api.api.runs import runs_create, runs_delete, runs_diagnosis, runs_get, runs_plot, runs_points, runs_series
from lossd_api.models import ComputeRequest, PointsWrite, RunCreate, RunsDiagnosisMode, RunsPlotFmt
from lossd_api.types import UNSET, Response

from ._client import Computation, ComputeDtype, Grad, Result, _ok, _prepare, _problem, _result
from ._tensors import TensorLike

if TYPE_CHECKING:
    from ._client import AsyncLossClient, LossClient

_WIRE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_PLOT_FORMATS = {".png": "png", ".svg": "svg"}


@dataclass(frozen=True)
class Best:
    """A series' best finite point."""

    step: int
    value: float


@dataclass(frozen=True)
class Diagnosis:
    """What a run's curves say (`GET /v1/runs/{id}/diagnosis`).

    `status` is `insufficient_data`, `diverged`, `overfitting`, `plateau` or `improving`; `monitor` the series
    judged (None when the run has none to judge), `train` the training series beside it (or None); `best` the
    monitor's best point; `stop_at` the step where PyTorch Lightning's `EarlyStopping` would have stopped;
    `diverged_at` the first non-finite step; `overfitting_since` the step of the monitor's best point when,
    after it, the monitor stopped improving while train kept improving; `generalization_gap` the monitor's
    last value minus train's at the nearest step at or before it.
    """

    status: str
    monitor: str | None
    train: str | None
    best: Best | None
    stop_at: int | None
    diverged_at: int | None
    overfitting_since: int | None
    generalization_gap: float | None


@dataclass(frozen=True)
class Series:
    """One curve as read (`GET /v1/runs/{id}/series/{name}`): NumPy arrays of one length, in step order.

    `count` is the number of points stored. With at most `max_points` stored, `values` are the points and
    `min` = `max` = `values`; with more, each entry is a bucket of consecutive points: its first step, its
    mean, min and max. `smoothed` is TensorBoard's debiased moving average of `values`. NaN and ±inf are kept.
    """

    name: str
    count: int
    steps: np.ndarray[Any, np.dtype[np.int64]]
    values: np.ndarray[Any, np.dtype[np.float64]]
    min: np.ndarray[Any, np.dtype[np.float64]]
    max: np.ndarray[Any, np.dtype[np.float64]]
    smoothed: np.ndarray[Any, np.dtype[np.float64]]


def _number(value: Any) -> float:
    return _WIRE[value] if isinstance(value, str) else float(value)


def _numbers(values: Sequence[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([_number(v) for v in values], dtype=np.float64)


def _wire(value: Any, series: str) -> float | str:
    """A logged value as JSON carries it; a 0-d array or tensor is taken as its number."""
    if isinstance(value, bool) or isinstance(value, str):
        raise TypeError(f"{series}: a loss value is a number, not {value!r}")
    number = float(value.item() if hasattr(value, "item") else value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return number


def _points_body(step: int, values: Mapping[str, Any], time: float | str | None, replace: bool) -> PointsWrite:
    if not values:
        raise ValueError("log needs at least one series' value: run.log(3, train=0.41)")
    extra = {} if time is None else {"time": time}
    body: dict[str, Any] = {
        "points": [{"series": s, "step": step, "value": _wire(v, s), **extra} for s, v in values.items()]
    }
    if replace:
        body["on_conflict"] = "replace"
    return PointsWrite.from_dict(body)


def _diagnosis(out: Mapping[str, Any]) -> Diagnosis:
    best = out.get("best")
    gap = out.get("generalization_gap")
    return Diagnosis(
        status=out["status"],
        monitor=out.get("monitor"),
        train=out.get("train"),
        best=None if best is None else Best(int(best["step"]), _number(best["value"])),
        stop_at=out.get("stop_at"),
        diverged_at=out.get("diverged_at"),
        overfitting_since=out.get("overfitting_since"),
        generalization_gap=None if gap is None else _number(gap),
    )


def _series(out: Mapping[str, Any]) -> Series:
    return Series(
        name=out["series"],
        count=int(out["count"]),
        steps=np.array(out["steps"], dtype=np.int64),
        values=_numbers(out["values"]),
        min=_numbers(out["min"]),
        max=_numbers(out["max"]),
        smoothed=_numbers(out["smoothed"]),
    )


def _unset(**options: Any) -> dict[str, Any]:
    """Keyword arguments for a generated function: each option left None is UNSET (the server's default)."""
    return {k: UNSET if v is None else v for k, v in options.items()}


def _diagnosis_options(
    monitor: str | None, train: str | None, mode: str | None, patience: int | None, min_delta: float | None
) -> dict[str, Any]:
    return _unset(
        monitor=monitor,
        train=train,
        mode=None if mode is None else RunsDiagnosisMode(mode),
        patience=patience,
        min_delta=min_delta,
    )


def _plot_format(path: str | Path) -> RunsPlotFmt:
    suffix = Path(path).suffix.lower()
    if suffix not in _PLOT_FORMATS:
        raise ValueError(f"plot writes a .png or a .svg file, not {str(path)!r}")
    return RunsPlotFmt(_PLOT_FORMATS[suffix])


def _plot_options(series: Sequence[str] | str | None, smoothing: float | None, log_y: bool) -> dict[str, Any]:
    names = [series] if isinstance(series, str) else series
    return _unset(series=None if names is None else ",".join(names), smoothing=smoothing, log_y=log_y)


def _record_body(
    loss: str,
    run: str,
    series: str,
    step: int,
    threshold: int,
    params: Mapping[str, Any] | None,
    grad: Grad,
    dtype: ComputeDtype | None,
    binary: bool | None,
    inputs: Mapping[str, TensorLike],
) -> tuple[Any, ComputeRequest]:
    c = Computation(loss, params=params, grad=grad, dtype=dtype, binary=binary, **inputs)
    req = _prepare(c, threshold)
    return req, ComputeRequest.from_dict({**req.body, "record": {"run": run, "series": series, "step": step}})


def _answer(response: Response[Any]) -> Any:
    """A 2xx answer's parsed model as a dict (None for a 204), else the problem raised."""
    if 200 <= int(response.status_code) < 300:
        parsed = response.parsed
        return parsed.to_dict() if hasattr(parsed, "to_dict") else None
    raise _problem(response)


def _content(response: Response[Any]) -> bytes:
    if int(response.status_code) == 200:
        return response.content
    raise _problem(response)


def _wrap(status: int, content: bytes, headers: Any) -> Response[Any]:
    """A raw answer as the generated functions answer, to read its problem."""
    return Response(status_code=HTTPStatus(status), content=content, headers=headers, parsed=None)


def create_run(client: LossClient, name: str, tags: Mapping[str, str] | None) -> Run:
    body = RunCreate.from_dict({"name": name, "tags": dict(tags or {})})
    return Run(client, _answer(client._send(lambda: runs_create.sync_detailed(client=client._s.api, body=body))))


def get_run(client: LossClient, run_id: str) -> Run:
    return Run(client, _answer(client._send(lambda: runs_get.sync_detailed(run_id, client=client._s.api))))


async def async_create_run(client: AsyncLossClient, name: str, tags: Mapping[str, str] | None) -> AsyncRun:
    body = RunCreate.from_dict({"name": name, "tags": dict(tags or {})})
    response = await client._send(lambda: runs_create.asyncio_detailed(client=client._s.api, body=body))
    return AsyncRun(client, _answer(response))


async def async_get_run(client: AsyncLossClient, run_id: str) -> AsyncRun:
    return AsyncRun(
        client, _answer(await client._send(lambda: runs_get.asyncio_detailed(run_id, client=client._s.api)))
    )


class _RunBase:
    def __init__(self, out: Mapping[str, Any]) -> None:
        self.id: str = out["id"]
        self.name: str = out["name"]
        self.tags: dict[str, str] = dict(out.get("tags") or {})
        self.created_at: str = out["created_at"]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, name={self.name!r})"


class Run(_RunBase):
    """A run on a lossd server: made by `LossClient.run(...)` or found by `LossClient.get_run(id)`.

    `id`, `name`, `tags` and `created_at` (RFC 3339) are the server's. Raises the client's exceptions:
    `NotFound` for a run deleted meanwhile, `Conflict` for a point stored with another value, ...
    """

    def __init__(self, client: LossClient, out: Mapping[str, Any]) -> None:
        super().__init__(out)
        self._client = client
        self._api = client._s.api

    def log(
        self,
        step: int,
        values: Mapping[str, Any] | None = None,
        /,
        *,
        time: float | str | None = None,
        replace: bool = False,
        **series_values: Any,
    ) -> int:
        """Store one value per series at `step`: `run.log(3, train=0.41, validation=0.52)`, or a mapping for
        names that are not identifiers (`run.log(3, {"val/focal": 0.2})`). Values are numbers, 0-d arrays or
        tensors; NaN and ±inf are stored as such. `time`: Unix seconds or RFC 3339 (default: the server's
        clock). Sending a stored point again with the same value changes nothing; with another value it is a
        `Conflict`, unless `replace=True`. Returns how many points were accepted."""
        body = _points_body(step, {**(values or {}), **series_values}, time, replace)
        send = self._client._send
        return int(_answer(send(lambda: runs_points.sync_detailed(self.id, client=self._api, body=body)))["accepted"])

    def compute(
        self,
        loss: str,
        /,
        *,
        series: str,
        step: int,
        params: Mapping[str, Any] | None = None,
        grad: Grad = False,
        dtype: ComputeDtype | None = None,
        binary: bool | None = None,
        **inputs: TensorLike,
    ) -> Result:
        """Compute `loss` on `inputs` as `LossClient.compute` does, and store the value lossd computed as the
        point (`series`, `step`) of this run. The loss must reduce to one number. Returns the `Result`."""
        s = self._client._s
        req, body = _record_body(loss, self.id, series, step, s.binary_threshold, params, grad, dtype, binary, inputs)
        response = self._client._send(lambda: losses_compute.sync_detailed(req.loss, client=s.api, body=body))
        return _result(req, _ok(response).to_dict())

    def diagnosis(
        self,
        *,
        monitor: str | None = None,
        train: str | None = None,
        mode: str | None = None,
        patience: int | None = None,
        min_delta: float | None = None,
    ) -> Diagnosis:
        """What the curves say; each option left None takes the server's default (monitor `validation`, else
        the only series; train `train`; mode `min`; patience 5; min_delta 0)."""
        options = _diagnosis_options(monitor, train, mode, patience, min_delta)
        call = partial(runs_diagnosis.sync_detailed, self.id, client=self._api, **options)
        return _diagnosis(_answer(self._client._send(call)))

    def series(self, name: str, *, max_points: int | None = None, smoothing: float | None = None) -> Series:
        """One curve, reduced on the server to `max_points` buckets when longer, smoothed with `smoothing`."""
        options = _unset(max_points=max_points, smoothing=smoothing)
        call = partial(runs_series.sync_detailed, self.id, name, client=self._api, **options)
        return _series(_answer(self._client._send(call)))

    def summary(self) -> dict[str, Any]:
        """The run as the server describes it now: its series' counts, last and best points, and `status`."""
        out: dict[str, Any] = _answer(self._client._send(partial(runs_get.sync_detailed, self.id, client=self._api)))
        return out

    def plot(
        self,
        path: str | Path,
        *,
        series: Sequence[str] | str | None = None,
        smoothing: float | None = None,
        log_y: bool = False,
    ) -> Path:
        """Save the run's plot to `path`, a PNG or an SVG as its suffix says (`.png`, `.svg`): `series` (default:
        all), smoothed with `smoothing`, on a log axis with `log_y`. Returns the path."""
        fmt = _plot_format(path)
        call = partial(
            runs_plot.sync_detailed, self.id, fmt, client=self._api, **_plot_options(series, smoothing, log_y)
        )
        out = Path(path)
        out.write_bytes(_content(self._client._send(call)))
        return out

    def export(self, path: str | Path) -> Path:
        """Save every point as CSV (`series,step,value,time`) to `path`, as it streams in. Returns the path."""
        out = Path(path)
        # streamed to the file as it arrives: the generated function would hold the whole run in memory
        with self._api.get_httpx_client().stream("GET", f"/v1/runs/{quote(self.id, safe='')}/export.csv") as r:
            if r.status_code != 200:
                raise _problem(_wrap(r.status_code, r.read(), r.headers))
            with out.open("wb") as f:
                for chunk in r.iter_bytes():
                    f.write(chunk)
        return out

    def delete(self) -> None:
        """Delete the run and its points."""
        _answer(self._client._send(partial(runs_delete.sync_detailed, self.id, client=self._api)))


class AsyncRun(_RunBase):
    """The async twin of `Run`, made by `AsyncLossClient.run(...)`: the same methods, each awaited."""

    def __init__(self, client: AsyncLossClient, out: Mapping[str, Any]) -> None:
        super().__init__(out)
        self._client = client
        self._api = client._s.api

    async def log(
        self,
        step: int,
        values: Mapping[str, Any] | None = None,
        /,
        *,
        time: float | str | None = None,
        replace: bool = False,
        **series_values: Any,
    ) -> int:
        """Store one value per series at `step`: see `Run.log`."""
        body = _points_body(step, {**(values or {}), **series_values}, time, replace)
        response = await self._client._send(lambda: runs_points.asyncio_detailed(self.id, client=self._api, body=body))
        return int(_answer(response)["accepted"])

    async def compute(
        self,
        loss: str,
        /,
        *,
        series: str,
        step: int,
        params: Mapping[str, Any] | None = None,
        grad: Grad = False,
        dtype: ComputeDtype | None = None,
        binary: bool | None = None,
        **inputs: TensorLike,
    ) -> Result:
        """Compute `loss` and store lossd's value as the point (`series`, `step`): see `Run.compute`."""
        s = self._client._s
        req, body = _record_body(loss, self.id, series, step, s.binary_threshold, params, grad, dtype, binary, inputs)
        response = await self._client._send(lambda: losses_compute.asyncio_detailed(req.loss, client=s.api, body=body))
        return _result(req, _ok(response).to_dict())

    async def diagnosis(
        self,
        *,
        monitor: str | None = None,
        train: str | None = None,
        mode: str | None = None,
        patience: int | None = None,
        min_delta: float | None = None,
    ) -> Diagnosis:
        """What the curves say: see `Run.diagnosis`."""
        options = _diagnosis_options(monitor, train, mode, patience, min_delta)
        call = partial(runs_diagnosis.asyncio_detailed, self.id, client=self._api, **options)
        return _diagnosis(_answer(await self._client._send(call)))

    async def series(self, name: str, *, max_points: int | None = None, smoothing: float | None = None) -> Series:
        """One curve: see `Run.series`."""
        options = _unset(max_points=max_points, smoothing=smoothing)
        call = partial(runs_series.asyncio_detailed, self.id, name, client=self._api, **options)
        return _series(_answer(await self._client._send(call)))

    async def summary(self) -> dict[str, Any]:
        """The run as the server describes it now: see `Run.summary`."""
        call = partial(runs_get.asyncio_detailed, self.id, client=self._api)
        out: dict[str, Any] = _answer(await self._client._send(call))
        return out

    async def plot(
        self,
        path: str | Path,
        *,
        series: Sequence[str] | str | None = None,
        smoothing: float | None = None,
        log_y: bool = False,
    ) -> Path:
        """Save the run's plot to `path` (`.png` or `.svg`): see `Run.plot`."""
        fmt = _plot_format(path)
        options = _plot_options(series, smoothing, log_y)
        call = partial(runs_plot.asyncio_detailed, self.id, fmt, client=self._api, **options)
        out = Path(path)
        out.write_bytes(_content(await self._client._send(call)))
        return out

    async def delete(self) -> None:
        """Delete the run and its points."""
        _answer(await self._client._send(partial(runs_delete.asyncio_detailed, self.id, client=self._api)))
