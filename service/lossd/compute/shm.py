"""Large arrays between an API process and a device worker, through shared memory instead of the socket.

An array of at least `SHARED_MIN_BYTES` travels as a file in /dev/shm (tmpfs: memory, never disk), written
by one process and mapped by the other; the frame carries only its `Shared` reference (file name, dtype,
shape). Smaller arrays
stay in the pickled frame, where they cost less than creating and mapping a file.

Why plain files mapped with mmap, and not `multiprocessing.shared_memory`: on Python 3.11 every
`SharedMemory`, created or attached, is registered with a resource_tracker process that unlinks it and
warns at exit, so a worker that attaches to the API's segment would tear it down under its owner (the
`track=False` switch only arrived in 3.13). A memfd has no name: it would have to cross the socket as a
file descriptor (SCM_RIGHTS), which asyncio streams do not carry. A named file has exactly the lifetime
its owner gives it and can be listed, so a test can prove that none is left behind.

Lifetime: the API process owns every segment, the outputs' included. `Segments` creates them (mode 0600,
named `lossd-<pid namespace>-<api pid>-<random>`) and unlinks them all in `close()`, which the pool calls in a `finally`
(answer, error, 504, cancelled request, dead worker). Unlinking removes the name only: a mapping stays
valid until its last user lets it go, so an answer read as a zero-copy view of an output segment lives as
long as the tensor that views it, and a worker still computing a cancelled job writes into memory nobody
reads, then frees it. A worker that finds a segment gone (its request was cancelled) fails that job alone.

An API process that is killed cannot unlink its segments; the next pool to start in this user's lossd
removes those of API processes that no longer run (`sweep`).

Memory: segments are filled with write(2), never through a fresh mapping: the kernel allocates and copies
in one pass (about half the cost of faulting in a new mapping page by page), and a full /dev/shm is an
`OSError` (ENOSPC) that sends the array in the frame instead, never a SIGBUS. Only segments whose bytes were
all written are mapped, with MAP_POPULATE (one call maps every page instead of one fault per page).
"""

import contextlib
import functools
import mmap
import os
import secrets
from dataclasses import dataclass
from math import prod

import numpy as np

DIR = "/dev/shm"
PREFIX = "lossd-"
SHARED_MIN_BYTES = 256 * 1024  # below this, pickling into the frame is cheaper than a file and two mappings


@dataclass(frozen=True)
class Shared:
    """A reference to an array in a shared segment: what a frame carries in the array's place."""

    name: str  # file name in DIR
    dtype: str  # numpy dtype string, e.g. "<f4"
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """Elements, as `np.ndarray.size`."""
        return prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * np.dtype(self.dtype).itemsize


@functools.cache
def _namespace() -> str:
    """This process's pid namespace (its inode): pids only name processes within it."""
    try:
        return os.readlink("/proc/self/ns/pid").split("[")[-1].rstrip("]")
    except OSError:
        return "0"


def owner_prefix(pid: int | None = None) -> str:
    """The start of the names of the segments that process `pid` (default: this one) owns."""
    return f"{PREFIX}{_namespace()}-{os.getpid() if pid is None else pid}-"


@functools.cache
def available() -> bool:
    """Whether this system has a writable /dev/shm (Linux); elsewhere every array travels in the frame."""
    return os.path.isdir(DIR) and os.access(DIR, os.W_OK)


def _view(mm: mmap.mmap, ref: Shared) -> np.ndarray:
    return np.frombuffer(mm, dtype=np.dtype(ref.dtype), count=ref.size).reshape(ref.shape)


def _map(ref: Shared) -> np.ndarray:
    """A writable, zero-copy array over segment `ref`; the mapping lives as long as the array.

    Raises `FileNotFoundError` when the segment is gone."""
    fd = os.open(os.path.join(DIR, ref.name), os.O_RDWR)
    try:
        mm = mmap.mmap(fd, ref.nbytes, flags=mmap.MAP_SHARED | _POPULATE)
    finally:
        os.close(fd)  # the mapping keeps the memory; the descriptor is not needed
    return _view(mm, ref)


def _write_all(fd: int, a: np.ndarray) -> None:
    data = memoryview(np.ascontiguousarray(a)).cast("B")
    while data:
        data = data[os.write(fd, data) :]


_POPULATE = getattr(mmap, "MAP_POPULATE", 0)  # Linux; elsewhere pages are faulted in as read


class Segments:
    """The shared segments of one job, owned by the API process that sends it.

    `share` and `output` return None (the caller sends the array in the frame) when the array is small or
    no segment can be made. `close()` unlinks every segment; call it in a `finally`. Not thread-safe: one
    job, one event loop.
    """

    def __init__(self, min_bytes: int = SHARED_MIN_BYTES) -> None:
        self.min_bytes = min_bytes
        self.names: list[str] = []

    def _create(self, a_shape: tuple[int, ...], dtype: np.dtype) -> tuple[Shared, int] | None:
        """A new empty segment and an open descriptor for it (the caller closes it)."""
        if prod(a_shape) * dtype.itemsize < self.min_bytes or not available():
            return None  # the common case, decided before any system call
        ref = Shared(f"{owner_prefix()}{secrets.token_hex(8)}", dtype.str, tuple(a_shape))
        try:
            fd = os.open(os.path.join(DIR, ref.name), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            return None
        self.names.append(ref.name)  # from here on, close() removes it whatever happens next
        return ref, fd

    def share(self, a: np.ndarray) -> Shared | None:
        """A segment holding a copy of `a`, or None to send `a` in the frame."""
        made = self._create(a.shape, a.dtype)
        if made is None:
            return None
        ref, fd = made
        try:
            _write_all(fd, a)
            return ref
        except OSError:  # /dev/shm is full
            return None
        finally:
            os.close(fd)

    def output(self, shape: tuple[int, ...], dtype: np.dtype) -> Shared | None:
        """An empty segment (no memory used until written) for the worker to write a result into, or None."""
        made = self._create(shape, dtype)
        if made is None:
            return None
        ref, fd = made
        os.close(fd)
        return ref

    def read(self, ref: Shared) -> np.ndarray:
        """Output `ref`, written by the worker, as a zero-copy array that stays valid after `close()`."""
        if ref.name not in self.names:
            raise ValueError(f"{ref.name} is not a segment of this job")
        return _map(ref)

    def close(self) -> None:
        """Unlink every segment of this job. Mappings still viewed by results stay valid until freed."""
        for name in self.names:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(DIR, name))
        self.names = []


def sweep() -> list[str]:
    """Unlink this user's segments whose owning API process (the pid in the name) no longer runs.

    Returns the names removed. Segments of live processes, of other pid namespaces (another container
    sharing /dev/shm, whose pids mean nothing here) and other users' files are left alone."""
    if not available():
        return []
    removed = []
    ours = f"{PREFIX}{_namespace()}-"
    for entry in os.scandir(DIR):
        owner = entry.name.removeprefix(ours).split("-", 1)[0]
        if not entry.name.startswith(ours) or not owner.isdigit() or _alive(int(owner)):
            continue
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to remove
            if entry.stat(follow_symlinks=False).st_uid == os.getuid():
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def attach(ref: Shared) -> np.ndarray:
    """The worker's zero-copy view of an input segment; the mapping lives as long as the array.

    Raises `FileNotFoundError` when the owner has already unlinked it (the request was cancelled).
    """
    return _map(ref)


def write(ref: Shared, a: np.ndarray) -> bool:
    """Write `a` into the output segment `ref`; False (send it in the frame) when its dtype or shape differ
    or /dev/shm is full.

    Raises `FileNotFoundError` when the owner has already unlinked it.
    """
    if a.dtype.str != ref.dtype or tuple(a.shape) != ref.shape:
        return False
    fd = os.open(os.path.join(DIR, ref.name), os.O_WRONLY)  # no O_CREAT: never recreate an unlinked segment
    try:
        _write_all(fd, a)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
