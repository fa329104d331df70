"""The supervisor: starts the device workers and replaces any that dies.

One per deployment: the app's lifespan owns it with one API process; `lossd serve --workers N` starts it
once in the parent, before uvicorn, and hands the socket paths to the API processes (`LOSSD_POOL_SOCKETS`).
Workers are `spawn`ed (never forked: a CUDA context does not survive a fork), one or more per device; a
monitor thread waits on their sentinels and starts a replacement, with the next incarnation number, for
any that exits while the supervisor runs (SIGKILL, a segfault, a sticky CUDA error).
"""

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import shutil
import tempfile
import threading
import time
from multiprocessing.process import BaseProcess

from ..settings import Settings
from . import devices
from .worker import Config, main


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.devices = devices.detect(settings.devices)
        self._own_dir = settings.run_dir is None
        self.run_dir = settings.run_dir or tempfile.mkdtemp(prefix="lossd-")
        os.makedirs(self.run_dir, mode=0o700, exist_ok=True)
        self.configs = [
            Config(
                index=i,
                path=os.path.join(self.run_dir, f"worker-{i}.sock"),
                device=device,
                incarnation=0,
                torch_threads=settings.torch_threads,
                max_batch_elements=settings.max_batch_elements,
                max_batch_delay_ms=settings.max_batch_delay_ms,
            )
            for i, device in enumerate(d for d in self.devices for _ in range(settings.workers_per_device))
        ]
        self._procs: list[BaseProcess | None] = [None] * len(self.configs)
        self._started = [0.0] * len(self.configs)
        self.restarts = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._monitor: threading.Thread | None = None

    @property
    def paths(self) -> list[str]:
        return [c.path for c in self.configs]

    @property
    def pids(self) -> list[int | None]:
        return [p.pid if p is not None else None for p in self._procs]

    def start(self) -> None:
        for i in range(len(self.configs)):
            self._spawn(i)
        self._monitor = threading.Thread(target=self._watch, name="lossd-supervisor", daemon=True)
        self._monitor.start()

    def _spawn(self, i: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        proc = ctx.Process(target=main, args=(self.configs[i],), name=f"lossd-worker-{i}", daemon=True)
        proc.start()
        self._procs[i] = proc
        self._started[i] = time.monotonic()

    def _watch(self) -> None:
        due: dict[int, float] = {}  # worker index -> when to start its replacement
        quick = [0] * len(self.configs)  # consecutive deaths soon after a start: back off
        while not self._stop.is_set():
            with self._lock:
                alive = {p.sentinel: i for i, p in enumerate(self._procs) if p is not None}
            ready = multiprocessing.connection.wait(list(alive), timeout=0.1) if alive else []
            if not alive:
                time.sleep(0.1)
            with self._lock:
                if self._stop.is_set():
                    return
                now = time.monotonic()
                for sentinel in ready:
                    i = alive[sentinel]
                    proc = self._procs[i]
                    if proc is not None:
                        proc.join(timeout=1)
                    self._procs[i] = None
                    quick[i] = quick[i] + 1 if now - self._started[i] < 5 else 0
                    due[i] = now + (min(0.1 * 2 ** quick[i], 5.0) if quick[i] else 0.0)
                for i, when in list(due.items()):
                    if when <= now:
                        del due[i]
                        c = self.configs[i]
                        self.configs[i] = Config(**{**c.__dict__, "incarnation": c.incarnation + 1})
                        self.restarts += 1
                        self._spawn(i)

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Wait until every worker listens on its socket (it binds after its warm-up computation)."""
        deadline = time.monotonic() + timeout
        while not all(os.path.exists(path) for path in self.paths):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            procs = [p for p in self._procs if p is not None]
        for p in procs:
            p.terminate()
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
        if self._monitor is not None:
            self._monitor.join(timeout=5)
        if self._own_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        else:
            for path in self.paths:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
