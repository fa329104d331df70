"""`ProcessPool`: the `Pool` that computes in supervised device worker processes.

Each API process holds one connection per worker (Unix socket, lossd.compute.frames), with a future per
job in flight (one item's failure is its own). Dispatch goes to the least-loaded connected worker. When a
worker's connection ends (it died), the jobs it held fail with `PoolBusy` (503, retryable) and the link
reconnects, with backoff, to the replacement the supervisor starts. Every other job is untouched.

Routing by cost (lossd.compute.pool.inline) keeps tiny CPU work on the event loop. Custom expressions
(not in the catalogue, so not resolvable in a worker by name) run on an in-process `LocalPool`.

Time: a job carries its deadline (request_timeout_s from submission); past it the API side answers 504
and tells the worker to drop it, and a worker never starts a job whose deadline has passed. A cancelled
submission (the client went away) sends the same cancel frame.
"""

import asyncio
import contextlib
import itertools
import time
from typing import Any, Protocol

import numpy as np
import torch

from ..catalogue import CATALOGUE
from ..catalogue.validate import Prepared
from ..errors import ComputeTimeout, FieldError, InvalidRequest, LimitExceeded, PoolBusy
from ..settings import Settings
from . import devices, frames, shm
from .engine import Result, run
from .pool import LocalPool, cost, inline
from .supervisor import Supervisor

PROBE_TTL_S = 1.0
PROBE_TIMEOUT_S = 2.0


class Observer(Protocol):
    """Where the pool reports what metrics want (lossd.observability implements it)."""

    def job_done(self, loss: str, where: str, stats: frames.Stats | None) -> None: ...

    def worker_hello(self, hello: frames.Hello) -> None: ...

    def in_flight(self, n: int) -> None: ...


class _Quiet:
    def job_done(self, loss: str, where: str, stats: frames.Stats | None) -> None:
        pass

    def worker_hello(self, hello: frames.Hello) -> None:
        pass

    def in_flight(self, n: int) -> None:
        pass


class _Link:
    """The connection to one worker, reconnecting for as long as the pool runs."""

    def __init__(self, path: str, observer: Observer) -> None:
        self.path = path
        self.observer = observer
        self.writer: asyncio.StreamWriter | None = None
        self.hello: frames.Hello | None = None
        self.inflight: dict[int, asyncio.Future[tuple[Any, ...]]] = {}
        self.connected = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        # Shared memory lent to this worker's jobs (lossd.compute.shm); the worker keeps its mappings of them.
        self.segments = shm.SegmentCache(on_discard=self._forget)

    async def run(self) -> None:
        backoff = 0.02
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(self.path)
            except OSError:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 0.5)
                continue
            try:
                message = await frames.read(reader)
                assert message[0] == "hello"
                self.hello = message[1]
                self.observer.worker_hello(message[1])
                self.writer = writer
                self.connected.set()
                backoff = 0.02
                while True:
                    message = await frames.read(reader)
                    future = self.inflight.pop(message[1].id, None)
                    if future is not None and not future.done():
                        future.set_result(message)
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                pass
            finally:
                self.connected.clear()
                self.writer = None
                writer.close()
                held, self.inflight = self.inflight, {}
                for future in held.values():
                    if not future.done():
                        future.set_exception(PoolBusy("the worker computing this request stopped; retry"))

    def send(self, message: tuple[Any, ...]) -> None:
        if self.writer is None or self.writer.is_closing():  # closing: the worker died, EOF not read yet
            raise PoolBusy("the worker is restarting; retry")
        frames.write(self.writer, message)

    def _forget(self, names: list[str]) -> None:
        # Unlinked segments: the worker drops its mappings (a new worker never had them).
        with contextlib.suppress(PoolBusy, ConnectionError):
            self.send(("drop", tuple(names)))


class ProcessPool:
    def __init__(self, settings: Settings, observer: Observer | None = None) -> None:
        self._settings = settings
        self._observer = observer or _Quiet()
        sockets = [p for p in (settings.pool_sockets or "").split(",") if p]
        self._supervisor = None if sockets else Supervisor(settings)
        self._paths = sockets or (self._supervisor.paths if self._supervisor else [])
        self._device_names = self._supervisor.devices if self._supervisor else devices.detect(settings.devices)
        # Routing looks at the workers' device: inline only when they compute on the CPU.
        self._device = torch.device("cpu" if self._device_names == ["cpu"] else self._device_names[0])
        self._local = LocalPool(settings)
        self._links: list[_Link] = []
        self._ids = itertools.count(1)
        self._held = 0
        self._probed: tuple[float, bool] = (0.0, False)
        self._probing: asyncio.Task[bool] | None = None

    @property
    def supervisor(self) -> Supervisor | None:
        return self._supervisor

    @property
    def ready(self) -> bool:
        return any(link.connected.is_set() for link in self._links)

    async def start(self) -> None:
        shm.sweep()  # what API processes killed before their requests ended left in /dev/shm
        if self._supervisor is not None:
            await asyncio.to_thread(self._supervisor.start)
        await self._local.start()
        self._links = [_Link(path, self._observer) for path in self._paths]
        for link in self._links:
            link.task = asyncio.create_task(link.run())
        if self._supervisor is None:
            return  # shared workers (started and awaited by `lossd serve`): /readyz tells when they answer
        # Start answering once every worker is up (or after a minute, answering 503 until they are).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(60):
                await asyncio.gather(*(link.connected.wait() for link in self._links))

    async def close(self) -> None:
        for link in self._links:
            if link.task is not None:
                link.task.cancel()
        await asyncio.gather(*(link.task for link in self._links if link.task), return_exceptions=True)
        for link in self._links:
            link.segments.close()
        await self._local.close()
        if self._supervisor is not None:
            await asyncio.to_thread(self._supervisor.stop)

    def runs_inline(self, job: Prepared) -> bool:
        return inline(job, self._device, self._settings)

    async def submit(self, job: Prepared) -> Result:
        if inline(job, self._device, self._settings):
            result = run(job, self._device)
            self._observer.job_done(job.loss.name, "inline", None)
            return result
        if _catalogued(job) is False:
            return await self._local.submit(job)
        return await self._remote(job, self._settings.request_timeout_s)

    async def _remote(self, job: Prepared, timeout: float) -> Result:
        s = self._settings
        links = [link for link in self._links if link.connected.is_set()]
        if not links:
            raise PoolBusy("no compute worker is ready; retry shortly", retry_after_s=1)
        if self._held >= s.max_queue + s.max_concurrency * len(self._links):
            raise PoolBusy(f"{self._held} computations are running or queued; try again shortly", retry_after_s=1)
        link = min(links, key=lambda link: len(link.inflight))
        job_id = next(self._ids)
        future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()
        segments = shm.Segments(link.segments)  # this job's shared memory, given back or unlinked below
        answered = False  # by the worker: it no longer touches the job's segments
        self._held += 1
        self._observer.in_flight(self._held)
        try:
            link.send(("job", _frame(job_id, job, time.monotonic() + timeout, segments)))
            link.inflight[job_id] = future
            try:
                message = await asyncio.wait_for(future, timeout)
            except TimeoutError:
                self._cancel(link, job_id)
                raise ComputeTimeout(f"the computation ran past request_timeout_s = {s.request_timeout_s}") from None
            except asyncio.CancelledError:
                self._cancel(link, job_id)  # the client went away: its queued work goes with it
                raise
            answered = True
            kind, payload = message
            self._observer.job_done(job.loss.name, "worker", payload.stats)
            if kind != "ok":
                raise _error(payload)
            return Result(
                _tensor(payload.value, segments),
                {k: _tensor(v, segments) for k, v in payload.grads.items()},
                payload.device,
            )
        finally:
            segments.close(reused=answered)
            self._held -= 1
            self._observer.in_flight(self._held)

    def _cancel(self, link: _Link, job_id: int) -> None:
        link.inflight.pop(job_id, None)
        with contextlib.suppress(PoolBusy, ConnectionError):
            link.send(("cancel", job_id))

    async def probe(self) -> bool:
        """A 1-element MSE with its gradient through a worker; cached for a second so probes cost little."""
        at, ok = self._probed
        if time.monotonic() - at < PROBE_TTL_S:
            return ok
        if self._probing is None or self._probing.done():
            self._probing = asyncio.create_task(self._probe())
        return await asyncio.shield(self._probing)

    async def _probe(self) -> bool:
        try:
            await self._remote(_probe_job(), PROBE_TIMEOUT_S)
            ok = True
        except Exception:
            ok = False
        self._probed = (time.monotonic(), ok)
        return ok

    def describe(self) -> dict[str, Any]:
        s = self._settings
        return {
            "kind": "process",
            "devices": self._device_names,
            "workers": len(self._links),
            "workers_ready": sum(link.connected.is_set() for link in self._links),
            "workers_per_device": s.workers_per_device,
            "max_concurrency": s.max_concurrency,
            "max_queue": s.max_queue,
            "inline_max_elements": s.inline_max_elements,
            "routing": "inline on the event loop when the device is the CPU and elements × (2 with gradients) ≤ "
            "inline_max_elements; otherwise a device worker",
            "max_batch_elements": s.max_batch_elements,
            "max_batch_delay_ms": s.max_batch_delay_ms,
            "torch_threads": s.torch_threads,
            "running_or_queued": self._held,
        }


def _catalogued(job: Prepared) -> bool:
    try:
        return CATALOGUE.resolve(job.loss.name) is job.loss
    except Exception:
        return False


def _frame(job_id: int, job: Prepared, deadline: float, segments: shm.Segments) -> frames.Job:
    """The job as a frame; its large arrays, in and out, in `segments` (lossd.compute.shm)."""

    def arr(a: np.ndarray) -> np.ndarray | shm.Shared:
        return segments.share(a) or a

    inputs = {k: frames.to_numpy(t) for k, t in job.inputs.items()}
    dtype = np.dtype(np.float64 if job.dtype == torch.float64 else np.float32)
    grads_out = {}
    for name in job.grad:  # a gradient has its input's shape and dtype
        if (out := segments.output(inputs[name].shape, inputs[name].dtype)) is not None:
            grads_out[name] = out
    return frames.Job(
        job_id,
        job.loss.name,
        {k: arr(a) for k, a in inputs.items()},
        {k: arr(frames.to_numpy(v)) if isinstance(v, torch.Tensor) else v for k, v in job.params.items()},
        job.grad,
        None if job.grad_output is None else arr(frames.to_numpy(job.grad_output)),
        dtype.name,
        tuple(job.value_shape),
        deadline,
        segments.output(tuple(job.value_shape), dtype),
        grads_out,
    )


def _tensor(v: np.ndarray | shm.Shared, segments: shm.Segments) -> torch.Tensor:
    # A value or gradient from an output segment is a zero-copy view that keeps its mapping alive.
    return frames.to_torch(segments.read(v) if isinstance(v, shm.Shared) else v)


def _error(f: frames.Failed) -> Exception:
    if f.kind == "invalid":
        return InvalidRequest([FieldError(tuple(loc), msg) for loc, msg in f.errors] or [FieldError((), f.detail)])
    if f.kind == "limit":
        return LimitExceeded("memory", None, f.detail)
    if f.kind == "timeout":
        return ComputeTimeout(f"the computation ran past its deadline ({f.detail})")
    return PoolBusy(f.detail, retry_after_s=1)


def _probe_job() -> Prepared:
    loss = CATALOGUE.resolve("mse")
    x = {"input": torch.ones(1), "target": torch.zeros(1)}
    return Prepared(loss, x, {"reduction": "mean"}, ("input",), None, torch.float32, (), [])


__all__ = ["ProcessPool", "cost", "inline"]
