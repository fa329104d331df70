"""A device worker: a process that owns one device for its whole life and computes the jobs sent to it.

LitServe's worker contract, made small: `setup` (device, threads, catalogue, a warm-up loss), then a loop
that collects the jobs that arrived together (`collect`, within `max_batch_delay_ms` and up to
`max_batch_elements`), drops those cancelled or past their deadline, computes the rest in compatible
groups (lossd.compute.batching) and answers each job on the connection that sent it.

It serves a Unix socket (lossd.compute.frames): every API process connects to it, so one worker per
device serves them all and holds the only CUDA context on its device. Large arrays arrive as shared
segments (lossd.compute.shm): the worker maps each once per connection and keeps the mapping (the API
process lends the same segments to job after job), and writes the value and gradients into the output
segments the API process made for them; a segment already gone (the request was cancelled) fails that
job alone. It knows nothing of HTTP; errors go
back as domain data. A sticky CUDA error ends the process (after failing the jobs it held with a
retryable `busy`), and the supervisor starts a fresh one.
"""

import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..catalogue import CATALOGUE
from ..catalogue.validate import Prepared
from ..errors import ComputeTimeout, InvalidRequest, LimitExceeded, LossdError, PoolBusy
from ..memory import keep_freed_memory
from . import batching, frames, shm
from .engine import Result


@dataclass(frozen=True)
class Config:
    index: int
    path: str
    device: str
    incarnation: int
    torch_threads: int = 1
    max_batch_elements: int = 1_048_576
    max_batch_delay_ms: float = 0.0


@dataclass
class _Item:
    job: frames.Job
    writer: asyncio.StreamWriter
    maps: shm.Mappings  # the connection's mappings of its API process's segments
    arrived: float = field(default_factory=time.monotonic)


def main(config: Config) -> None:
    """The worker process's entry point (multiprocessing `spawn` target)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(Worker(config).serve())


class Worker:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.device = torch.device(config.device)
        self.queue: asyncio.Queue[_Item] = asyncio.Queue()
        self.cancelled: set[tuple[int, int]] = set()  # (connection, job id)

    def setup(self) -> None:
        keep_freed_memory()  # large jobs reuse the memory of the last one (lossd.memory)
        torch.set_num_threads(self.config.torch_threads)
        if self.device.type == "cuda":
            torch.cuda.set_device(self.device)
        CATALOGUE.load()
        warm = frames.Job(0, "mse", _tiny(), {}, ("input",), None, "float32", (), time.monotonic() + 60)
        self.compute([warm])

    async def serve(self) -> None:
        self.setup()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.config.path)
        server = await asyncio.start_unix_server(self._connection, path=self.config.path)
        parent = os.getppid()
        loop = asyncio.create_task(self._loop())
        async with server:
            while os.getppid() == parent and not loop.done():  # orphaned: the supervisor is gone
                await asyncio.sleep(0.5)
        if loop.done() and loop.exception() is not None:
            raise loop.exception()  # type: ignore[misc]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        c = self.config
        frames.write(writer, ("hello", frames.Hello(c.index, str(self.device), c.incarnation)))
        maps = shm.Mappings()
        try:
            while True:
                message = await frames.read(reader)
                if message[0] == "job":
                    self.queue.put_nowait(_Item(message[1], writer, maps))
                elif message[0] == "cancel":
                    self.cancelled.add((id(writer), message[1]))
                elif message[0] == "drop":
                    maps.drop(message[1])
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            maps.clear()  # its API process is gone or closed its pool, which unlinked them
            writer.close()

    async def collect(self) -> list[_Item]:
        """The jobs that arrive together: the first, then more until the delay or the element cap."""
        items = [await self.queue.get()]
        size = items[0].job.elements
        cap, delay = self.config.max_batch_elements, self.config.max_batch_delay_ms / 1000
        end = time.monotonic() + delay
        while size < cap:
            if not self.queue.empty():
                items.append(self.queue.get_nowait())
            elif delay and (left := end - time.monotonic()) > 0:
                try:
                    items.append(await asyncio.wait_for(self.queue.get(), left))
                except TimeoutError:
                    break
            else:
                break
            size += items[-1].job.elements
        return items

    async def _loop(self) -> None:
        while True:
            items = await self.collect()
            await asyncio.sleep(0)  # let cancel frames that arrived with the jobs be read
            live = []
            now = time.monotonic()
            for item in items:
                key = (id(item.writer), item.job.id)
                if key in self.cancelled or item.writer.is_closing():
                    self.cancelled.discard(key)
                elif now > item.job.deadline:
                    self._send(item, ("err", _failed(item.job.id, ComputeTimeout("dropped unstarted"))))
                else:
                    live.append(item)
            if not live:
                continue
            started = time.monotonic()
            try:
                outcomes = self.compute([item.job for item in live], [item.maps for item in live])
            except _Sticky as e:
                for item in live:
                    self._send(item, ("err", _failed(item.job.id, PoolBusy(str(e), retry_after_s=1))))
                await asyncio.gather(*(item.writer.drain() for item in live), return_exceptions=True)
                os._exit(70)  # a sticky device error: the supervisor replaces this process
            spent = time.monotonic() - started
            memory = torch.cuda.memory_allocated(self.device) if self.device.type == "cuda" else None
            for item, (outcome, members, elements) in zip(live, outcomes, strict=True):
                stats = frames.Stats(started - item.arrived, spent, members, elements, memory, str(self.device))
                if isinstance(outcome, Result):
                    try:
                        self._send(item, ("ok", _done(item.job, outcome, stats, item.maps)))
                    except FileNotFoundError:
                        pass  # its output segments are gone: the request was cancelled, nobody waits
                    except OSError as e:
                        self._send(item, ("err", _failed(item.job.id, PoolBusy(f"cannot write the answer: {e}"))))
                else:
                    self._send(item, ("err", _failed(item.job.id, outcome, stats)))
            for writer in {id(item.writer): item.writer for item in live}.values():
                with contextlib.suppress(ConnectionError):
                    await writer.drain()

    def compute(
        self, jobs: list[frames.Job], maps: list[shm.Mappings] | None = None
    ) -> list[tuple[batching.Outcome, int, int]]:
        """Each job's outcome, with the size (requests, elements) of the batch it ran in. `maps`: each job's
        connection's mappings (default: segments mapped for this call alone)."""
        out: list[tuple[batching.Outcome, int, int] | None] = [None] * len(jobs)
        prepared: list[Prepared] = []
        index: list[int] = []  # position in `jobs` of each prepared job
        for i, job in enumerate(jobs):
            try:
                prepared.append(_prepare(job, maps[i] if maps else shm.Mappings()))
                index.append(i)
            except OSError as e:  # its segments were unlinked (cancelled, past its deadline) or cannot be mapped
                out[i] = (
                    PoolBusy(f"this request's shared memory cannot be read: {e}", retry_after_s=1),
                    1,
                    job.elements,
                )
        for positions in batching.group(prepared, self.config.max_batch_elements):
            group = [prepared[i] for i in positions]
            members = [index[i] for i in positions]
            elements = sum(p.elements for p in group)
            try:
                outcomes = batching.run_group(group, self.device)
            except Exception as e:
                outcomes = [_sticky_or_bug(e, self.device)] * len(group)
            for i, outcome in zip(members, outcomes, strict=True):
                if isinstance(outcome, InvalidRequest) and _is_sticky(outcome.__cause__, self.device):
                    raise _Sticky(str(outcome.__cause__))
                out[i] = (outcome, len(group), elements)
        return [o for o in out if o is not None]

    def _send(self, item: _Item, message: tuple[Any, ...]) -> None:
        if not item.writer.is_closing():
            frames.write(item.writer, message)


class _Sticky(Exception):
    """A CUDA error that leaves the context unusable: the process must be replaced."""


def _is_sticky(e: BaseException | None, device: torch.device) -> bool:
    return (
        device.type == "cuda" and e is not None and ("CUDA error" in str(e) or type(e).__name__ == "AcceleratorError")
    )


def _sticky_or_bug(e: Exception, device: torch.device) -> LossdError:
    if _is_sticky(e, device):
        raise _Sticky(str(e)) from e
    print(f"lossd worker: unexpected {type(e).__name__}: {e}", file=sys.stderr)
    return PoolBusy("the worker failed on this computation; this is a bug in lossd", retry_after_s=1)


def _tiny() -> dict[str, Any]:
    return {"input": np.array([1.0], dtype=np.float32), "target": np.array([0.0], dtype=np.float32)}


def _prepare(job: frames.Job, maps: shm.Mappings) -> Prepared:
    """The job with tensors over its arrays (shared segments mapped, not copied).

    Raises `OSError` (`FileNotFoundError` when a segment is already gone, the request cancelled)."""
    loss = CATALOGUE.resolve(job.loss)
    dtype = torch.float64 if job.dtype == "float64" else torch.float32

    def tensor(v: Any) -> torch.Tensor:
        return frames.to_torch(maps.view(v) if isinstance(v, shm.Shared) else v)

    params = {k: tensor(v) if _is_array(v) else v for k, v in job.params.items()}
    for spec in loss.params:
        params.setdefault(spec.name, spec.default)
    return Prepared(
        loss,
        {k: tensor(v) for k, v in job.inputs.items()},
        params,
        job.grad,
        None if job.grad_output is None else tensor(job.grad_output),
        dtype,
        job.value_shape,
        [],
    )


def _is_array(v: Any) -> bool:
    return isinstance(v, shm.Shared) or (type(v).__module__ == "numpy" and hasattr(v, "shape"))


def _done(job: frames.Job, r: Result, stats: frames.Stats, maps: shm.Mappings | None = None) -> frames.Done:
    """The answer; the value and gradients go into the job's output segments where it has them (and they fit).

    Raises `FileNotFoundError` when those segments are already gone."""
    maps = maps or shm.Mappings()

    def out(t: torch.Tensor, ref: shm.Shared | None) -> np.ndarray | shm.Shared:
        a = frames.to_numpy(t)
        return ref if ref is not None and maps.write(ref, a) else a

    value = out(r.value, job.value_out)
    grads = {k: out(g, job.grads_out.get(k)) for k, g in r.grads.items()}
    return frames.Done(job.id, value, grads, r.device, stats)


def _failed(job_id: int, e: LossdError, stats: frames.Stats | None = None) -> frames.Failed:
    stats = stats or frames.Stats()
    if isinstance(e, InvalidRequest):
        return frames.Failed(job_id, "invalid", e.detail, tuple((err.loc, err.msg) for err in e.errors), stats)
    if isinstance(e, LimitExceeded):
        return frames.Failed(job_id, "limit", e.detail, (), stats)
    if isinstance(e, ComputeTimeout):
        return frames.Failed(job_id, "timeout", e.detail, (), stats)
    return frames.Failed(job_id, "busy", e.detail, (), stats)
