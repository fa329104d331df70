"""The compute pool: where prepared computations run, off the event loop unless tiny.

`Pool` is the interface the HTTP layer sees. Two implementations:

- `ProcessPool` (lossd.compute.process, the default): device worker processes, supervised, with dynamic
  batching, crash isolation and a readiness probe that computes a real loss.
- `LocalPool`: work in this process, on a bounded thread pool, with a queue limit (503) and the request
  timeout (504). No crash isolation; for development and as the fallback of custom expressions.

Both route by cost with `inline`: the one place that decides which work stays on the event loop.
"""

import asyncio
import concurrent.futures
from typing import Any, Protocol

import torch

from ..catalogue.validate import Prepared
from ..errors import ComputeTimeout, PoolBusy
from ..settings import Settings
from . import devices
from .engine import Result, run


def cost(job: Prepared) -> int:
    """The work of `job` in input elements, doubled when gradients are asked for (a backward pass)."""
    return job.elements * (2 if job.grad else 1)


def inline(job: Prepared, device: torch.device, settings: Settings) -> bool:
    """The routing rule: run `job` on the event loop instead of handing it to the pool.

    Only on the CPU, and only when `cost(job)` is at most `inline_max_elements` (default 4096): below
    that, forward and backward take tens of microseconds, less than a process hop (~0.1–1 ms) or a thread
    hop (which costs FastAPI 10–16 % of throughput and its p99); see docs/benchmarks.md, "Routing by cost".
    GPU work, large work and work whose cost is unknown always go to the pool.
    """
    return device.type == "cpu" and cost(job) <= settings.inline_max_elements


class Pool(Protocol):
    @property
    def ready(self) -> bool: ...

    async def probe(self) -> bool:
        """Whether the pool takes work now, proved by computing a tiny loss through it."""
        ...

    def runs_inline(self, job: Prepared) -> bool:
        """Whether `submit(job)` computes on the event loop (no wait to cancel)."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, job: Prepared) -> Result:
        """Compute `job`. Raises `PoolBusy`, `ComputeTimeout`, or `InvalidRequest` from the engine."""
        ...

    def describe(self) -> dict[str, Any]: ...


class LocalPool:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._device = devices.resolve(settings.device)
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._held = 0  # submitted to the executor and not yet finished

    @property
    def ready(self) -> bool:
        return self._executor is not None

    def runs_inline(self, job: Prepared) -> bool:
        return inline(job, self._device, self._settings)

    async def start(self) -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self._settings.max_concurrency, thread_name_prefix="lossd-compute"
        )

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    async def submit(self, job: Prepared) -> Result:
        executor = self._executor
        if executor is None:
            raise PoolBusy("the compute pool is not running", retry_after_s=1)
        if inline(job, self._device, self._settings):
            return run(job, self._device)
        s = self._settings
        if self._held >= s.max_concurrency + s.max_queue:
            raise PoolBusy(f"{self._held} computations are running or queued; try again shortly", retry_after_s=1)
        self._held += 1
        future = asyncio.get_running_loop().run_in_executor(executor, run, job, self._device)
        future.add_done_callback(self._release)
        try:
            # shield: a timed-out computation keeps its slot until its thread is done.
            return await asyncio.wait_for(asyncio.shield(future), timeout=s.request_timeout_s)
        except TimeoutError:
            raise ComputeTimeout(f"the computation ran past request_timeout_s = {s.request_timeout_s}") from None

    async def probe(self) -> bool:
        if self._executor is None:
            return False
        try:
            await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(self._executor, _probe), 2)
        except Exception:
            return False
        return True

    def _release(self, _: object) -> None:
        self._held -= 1

    def describe(self) -> dict[str, Any]:
        s = self._settings
        return {
            "kind": "local",
            "device": str(self._device),
            "max_concurrency": s.max_concurrency,
            "max_queue": s.max_queue,
            "inline_max_elements": s.inline_max_elements,
            "running_or_queued": self._held,
        }


def _probe() -> None:
    x = torch.ones(1, requires_grad=True)
    torch.autograd.grad(torch.nn.functional.mse_loss(x, torch.zeros(1)), [x])
