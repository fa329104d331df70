"""The compute pool: where prepared computations run, off the event loop unless tiny.

`Pool` is the interface the HTTP layer sees. `LocalPool` runs work in this
process: CPU computations of at most `inline_max_elements` run on the event
loop (the thread hop costs more than they do), everything else on a bounded
thread pool, with a queue limit (503) and the request timeout (504).
"""

import asyncio
import concurrent.futures
from typing import Any, Protocol

from ..catalogue.validate import Prepared
from ..errors import ComputeTimeout, PoolBusy
from ..settings import Settings
from . import devices
from .engine import Result, run


class Pool(Protocol):
    @property
    def ready(self) -> bool: ...

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
        if self._device.type == "cpu" and job.elements <= self._settings.inline_max_elements:
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
