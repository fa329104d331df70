"""Large arrays between an API process and a device worker, through shared memory instead of the socket.

An array of at least `SHARED_MIN_BYTES` travels as a file in /dev/shm (tmpfs: memory, never disk), written
by one process and mapped by the other; the frame carries only its `Shared` reference (file name, dtype,
shape). Smaller arrays stay in the pickled frame, where they cost less than a copy into a segment.

Why plain files mapped with mmap, and not `multiprocessing.shared_memory`: on Python 3.11 every
`SharedMemory`, created or attached, is registered with a resource_tracker process that unlinks it and
warns at exit, so a worker that attaches to the API's segment would tear it down under its owner (the
`track=False` switch only arrived in 3.13). A memfd has no name: it would have to cross the socket as a
file descriptor (SCM_RIGHTS), which asyncio streams do not carry. A named file has exactly the lifetime
its owner gives it and can be listed, so a test can prove that none is left behind.

Reuse: a new file costs far more than the copy into it (the kernel allocates and zeroes every page, then
frees them at unlink: about 4 ms per 8 MB here, against 0.2 ms for the copy), so segments are kept. Each
API process keeps, per worker connection, a `SegmentCache` of segments it created and mapped once; the
worker keeps its own mapping of each (`Mappings`) for as long as the connection lasts. A job borrows
segments (`Segments`) and gives them back when the worker has answered it, since a worker touches a job's
segments only before it answers. An output that becomes the answer is lent to the tensor that views it,
zero-copy, and goes back when the last view of it is freed. A job that ends without the worker's answer
(504, cancelled request, dead worker) may still be read or written by the worker: its segments are
unlinked, never handed out again, and the worker is told to drop its mappings of them.

Lifetime: the API process owns every segment, the outputs' included. `SegmentCache` creates them (mode 0600,
named `lossd-<pid namespace>-<api pid>-<random>`, never reused as a name) and unlinks them all in
`close()`, which the pool calls when it closes. Unlinking removes the name only: a mapping stays valid
until its last user lets it go. A worker that finds a segment gone fails that job alone.

An API process that is killed cannot unlink its segments; the next pool to start in this user's lossd
removes those of API processes that no longer run (`sweep`).

Memory: a segment's pages are all allocated when it is made (posix_fallocate), so a full /dev/shm is an
`OSError` (ENOSPC) that sends the array in the frame instead, never a SIGBUS on a later write; then both
sides map it with MAP_POPULATE (one call maps every page instead of one fault per page). Sizes are
rounded up to quarter steps between powers of two, so requests of nearby sizes share segments; idle
segments beyond `IDLE_MAX_BYTES` per connection are unlinked.
"""

import asyncio
import contextlib
import functools
import mmap
import os
import secrets
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import prod

import numpy as np

DIR = "/dev/shm"
PREFIX = "lossd-"
SHARED_MIN_BYTES = 256 * 1024  # below this, pickling into the frame is cheaper than a copy into a segment
IDLE_MAX_BYTES = 64 * 1024 * 1024  # per worker connection (compose gives /dev/shm 1 GB for them all)


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


_POPULATE = getattr(mmap, "MAP_POPULATE", 0)  # Linux; elsewhere pages are faulted in as touched


def _view(mm: mmap.mmap, ref: Shared) -> np.ndarray:
    return np.frombuffer(mm, dtype=np.dtype(ref.dtype), count=ref.size).reshape(ref.shape)


def _capacity(nbytes: int) -> int:
    """`nbytes` rounded up to a quarter step between powers of two (at most 25% more), then to whole pages."""
    base = 1 << max(nbytes - 1, 1).bit_length() - 1
    size = next(base * m // 4 for m in (5, 6, 7, 8) if base * m // 4 >= nbytes)
    return -(-size // mmap.PAGESIZE) * mmap.PAGESIZE


class Segment:
    """One file in DIR, mapped in the API process that made it for as long as the file lives."""

    __slots__ = ("capacity", "mm", "name")

    def __init__(self, name: str, capacity: int, mm: mmap.mmap) -> None:
        self.name, self.capacity, self.mm = name, capacity, mm

    def ref(self, dtype: np.dtype, shape: tuple[int, ...]) -> Shared:
        return Shared(self.name, dtype.str, tuple(shape))

    def view(self, ref: Shared) -> np.ndarray:
        return _view(self.mm, ref)


def _create(capacity: int) -> Segment | None:
    """A new segment with all its pages allocated, or None (/dev/shm full or missing)."""
    name = f"{owner_prefix()}{secrets.token_hex(8)}"
    path = os.path.join(DIR, name)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    try:
        os.posix_fallocate(fd, 0, capacity)  # ENOSPC now rather than SIGBUS on a later write
        return Segment(name, capacity, mmap.mmap(fd, capacity, flags=mmap.MAP_SHARED | _POPULATE))
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return None
    finally:
        os.close(fd)  # the mapping keeps the memory; the descriptor is not needed


class SegmentCache:
    """The segments an API process shares with one worker connection: made once, lent to job after job.

    Runs on one event loop; a lent output's view may be freed on any thread, and gives its segment back
    through that loop. `on_discard` hears the names of segments unlinked while the worker may map them.
    """

    def __init__(
        self,
        min_bytes: int = SHARED_MIN_BYTES,
        idle_max_bytes: int = IDLE_MAX_BYTES,
        on_discard: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.min_bytes = min_bytes
        self.idle_max_bytes = idle_max_bytes
        self.on_discard = on_discard
        self.idle: dict[int, list[Segment]] = {}  # capacity -> free segments
        self.idle_bytes = 0
        self.busy: dict[str, Segment] = {}  # lent to a job or to an answer's view
        self.closed = False

    @property
    def names(self) -> set[str]:
        """Every segment this cache owns, idle or lent."""
        return set(self.busy) | {s.name for free in self.idle.values() for s in free}

    def acquire(self, nbytes: int) -> Segment | None:
        """A segment of at least `nbytes` that no one else uses, or None (small array, or no memory)."""
        if nbytes < self.min_bytes or self.closed or not available():
            return None  # the common case, decided before any system call
        capacity = _capacity(nbytes)
        if free := self.idle.get(capacity):
            seg = free.pop()
            self.idle_bytes -= capacity
        elif (seg := _create(capacity)) is None and self.idle_bytes:
            self._unlink(self._take_idle())  # /dev/shm is full: what is idle makes room
            seg = _create(capacity)
        if seg is not None:
            self.busy[seg.name] = seg
        return seg

    def release(self, seg: Segment) -> None:
        """Take `seg` back: no process reads or writes it any more. Idle, or unlinked over the cap."""
        if self.busy.pop(seg.name, None) is None:
            return  # closed meanwhile: already unlinked
        if self.idle_bytes + seg.capacity > self.idle_max_bytes:
            self._unlink([seg])
            return
        self.idle.setdefault(seg.capacity, []).append(seg)
        self.idle_bytes += seg.capacity

    def discard(self, segs: Iterable[Segment]) -> None:
        """Unlink segments a worker may still read or write (their job ended unanswered): never lent again."""
        self._unlink([seg for seg in segs if self.busy.pop(seg.name, None) is not None])

    def lend(self, seg: Segment, ref: Shared) -> np.ndarray:
        """A zero-copy view of `ref` in `seg`; `seg` comes back when the view and everything viewing it are freed."""
        view = seg.view(ref)
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        weakref.finalize(view, _returned, self, seg, loop).atexit = False
        return view

    def close(self) -> None:
        """Unlink every segment. Views still held stay valid until freed; nothing is lent after this."""
        self.closed = True
        for seg in [*self._take_idle(), *self.busy.values()]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(DIR, seg.name))
        self.busy = {}

    def _take_idle(self) -> list[Segment]:
        segs = [seg for free in self.idle.values() for seg in free]
        self.idle, self.idle_bytes = {}, 0
        return segs

    def _unlink(self, segs: list[Segment]) -> None:
        for seg in segs:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(DIR, seg.name))
        if segs and self.on_discard is not None:
            self.on_discard([seg.name for seg in segs])


def _returned(cache: SegmentCache, seg: Segment, loop: asyncio.AbstractEventLoop | None) -> None:
    if loop is None:
        cache.release(seg)
        return
    with contextlib.suppress(RuntimeError):  # the loop is closed: so is the pool, which unlinked it
        loop.call_soon_threadsafe(cache.release, seg)


class Segments:
    """The shared segments of one job, borrowed from a `SegmentCache` (default: a private one, unlinked at
    `close()`).

    `share` and `output` return None (the caller sends the array in the frame) when the array is small or
    no segment can be had. Call `close(reused=...)` in a `finally`. Not thread-safe: one job, one event loop.
    """

    def __init__(self, cache: SegmentCache | None = None, min_bytes: int = SHARED_MIN_BYTES) -> None:
        self.private = cache is None
        self.cache = SegmentCache(min_bytes, idle_max_bytes=0) if cache is None else cache
        self.held: dict[str, Segment] = {}
        self.lent: dict[str, np.ndarray] = {}

    @property
    def names(self) -> list[str]:
        return [*self.held, *self.lent]

    def share(self, a: np.ndarray) -> Shared | None:
        """A segment holding a copy of `a`, or None to send `a` in the frame."""
        seg = self.cache.acquire(a.nbytes)
        if seg is None:
            return None
        self.held[seg.name] = seg
        ref = seg.ref(a.dtype, a.shape)
        np.copyto(seg.view(ref), a, casting="no")
        return ref

    def output(self, shape: tuple[int, ...], dtype: np.dtype) -> Shared | None:
        """A segment for the worker to write a result into, or None."""
        seg = self.cache.acquire(prod(shape) * dtype.itemsize)
        if seg is None:
            return None
        self.held[seg.name] = seg
        return seg.ref(dtype, shape)

    def read(self, ref: Shared) -> np.ndarray:
        """Output `ref`, written by the worker, as a zero-copy array that stays valid after `close()`.

        The segment is lent to the array: it is lent again only once the array and its views are freed."""
        if ref.name in self.lent:
            return self.lent[ref.name]
        if ref.name not in self.held:
            raise ValueError(f"{ref.name} is not a segment of this job")
        self.lent[ref.name] = view = self.cache.lend(self.held.pop(ref.name), ref)
        return view

    def close(self, reused: bool = False) -> None:
        """End of the job. `reused`: the worker answered it, so its segments go back to the cache for the
        next job; otherwise the worker may still use them and they are unlinked."""
        segs, self.held, self.lent = list(self.held.values()), {}, {}
        if reused:
            for seg in segs:
                self.cache.release(seg)
        else:
            self.cache.discard(segs)
        if self.private:
            self.cache.close()


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
        if not entry.name.startswith(ours) or not (owner.isascii() and owner.isdigit()) or _alive(int(owner)):
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


class Mappings:
    """A worker's mappings of the segments one API process sends it, kept from job to job (the API process
    lends the same segments again) until dropped or the connection ends."""

    def __init__(self) -> None:
        self.maps: dict[str, mmap.mmap] = {}

    def view(self, ref: Shared) -> np.ndarray:
        """A writable, zero-copy array over segment `ref`.

        Raises `FileNotFoundError` when a segment not yet mapped is gone (its request was cancelled)."""
        mm = self.maps.get(ref.name)
        if mm is None:
            mm = self.maps[ref.name] = _map(ref.name)
        if ref.nbytes > len(mm):
            raise OSError(f"segment {ref.name} holds {len(mm)} bytes, not {ref.nbytes}")
        return _view(mm, ref)

    def write(self, ref: Shared, a: np.ndarray) -> bool:
        """Write `a` into output segment `ref`; False (send it in the frame) when its dtype or shape differ."""
        if a.dtype.str != ref.dtype or tuple(a.shape) != ref.shape:
            return False
        np.copyto(self.view(ref), a, casting="no")
        return True

    def drop(self, names: Iterable[str]) -> None:
        """Forget segments their owner unlinked; views in use keep their memory until freed."""
        for name in names:
            self.maps.pop(name, None)

    def clear(self) -> None:
        self.maps = {}


def _map(name: str) -> mmap.mmap:
    fd = os.open(os.path.join(DIR, name), os.O_RDWR)  # never O_CREAT: an unlinked segment stays gone
    try:
        size = os.fstat(fd).st_size
        if not size:
            raise OSError(f"segment {name} is empty")
        return mmap.mmap(fd, size, flags=mmap.MAP_SHARED | _POPULATE)
    finally:
        os.close(fd)
