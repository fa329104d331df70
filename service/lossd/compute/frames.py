"""What travels between an API process and a device worker: length-prefixed frames of plain data.

A frame is a 4-byte big-endian length and a pickle (protocol 5) of a tuple of plain Python values and
numpy arrays; never a torch tensor, a `Loss` (catalogue entries hold lambdas) or an HTTP type. The loss
travels by its canonical name and is resolved from the catalogue in the worker. The sockets live in a
private folder (mode 0700) owned by the user running lossd, so only lossd's own processes read them.

    API → worker   ("job", Job)          ("cancel", job_id)          ("drop", segment names)
    worker → API   ("ok", Done)          ("err", Failed)          ("hello", Hello)

An array of `lossd.compute.shm.SHARED_MIN_BYTES` or more travels as a `Shared` reference to a segment the
API process owns instead (lossd.compute.shm); so do the value and gradients of such a job, written by the
worker into output segments the API process created for them. "drop" names segments the API process
unlinked, whose mappings the worker lets go.
"""

import asyncio
import pickle
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .shm import Shared

_HEADER = struct.Struct(">I")
MAX_FRAME = 1 << 31
_JOIN_MAX = 1 << 20  # bytes: below this, joining header and body costs less than a second buffer


@dataclass(frozen=True)
class Job:
    id: int
    loss: str
    inputs: dict[str, np.ndarray | Shared]
    params: dict[str, Any]  # tensors as numpy arrays (or Shared)
    grad: tuple[str, ...]
    grad_output: np.ndarray | Shared | None
    dtype: str  # "float32" | "float64"
    value_shape: tuple[int, ...]
    deadline: float  # time.monotonic() (system-wide on Linux): dropped unstarted past it
    value_out: Shared | None = None  # where to write the value; None: send it in the answer
    grads_out: dict[str, Shared] = field(default_factory=dict)  # the same, per gradient

    @property
    def elements(self) -> int:
        return sum(int(a.size) for a in self.inputs.values())


@dataclass(frozen=True)
class Stats:
    """What the worker tells the API process about how a job ran, for its metrics."""

    queued_s: float = 0.0
    compute_s: float = 0.0
    batch_requests: int = 1
    batch_elements: int = 0
    device_memory_bytes: int | None = None
    device: str = ""


@dataclass(frozen=True)
class Done:
    id: int
    value: np.ndarray | Shared  # Shared: written into the job's `value_out`
    grads: dict[str, np.ndarray | Shared]
    device: str
    stats: Stats = field(default_factory=Stats)


@dataclass(frozen=True)
class Failed:
    """A domain error as data: `kind` names the `lossd.errors` class to raise on the API side."""

    id: int
    kind: str  # "invalid" | "limit" | "busy" | "timeout"
    detail: str
    errors: tuple[tuple[tuple[str | int, ...], str], ...] = ()
    stats: Stats = field(default_factory=Stats)


@dataclass(frozen=True)
class Hello:
    worker: int
    device: str
    incarnation: int  # 0 on first start, +1 per restart


def to_numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def to_torch(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a)


def write(writer: asyncio.StreamWriter, message: tuple[Any, ...]) -> None:
    """Queue `message` on `writer` as one frame (the caller drains)."""
    body = pickle.dumps(message, protocol=5)
    if len(body) < _JOIN_MAX:
        writer.write(_HEADER.pack(len(body)) + body)  # measured faster than two buffers for small frames
    else:
        # Two buffers: uvloop (the API processes) sends them with one writev instead of copying the body
        # into a joined frame. Large frames are rare: large arrays travel in shared memory.
        writer.writelines([_HEADER.pack(len(body)), body])


async def read(reader: asyncio.StreamReader) -> tuple[Any, ...]:
    """The next message; raises `asyncio.IncompleteReadError` at EOF."""
    (size,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes")
    message: tuple[Any, ...] = pickle.loads(await reader.readexactly(size))
    return message
