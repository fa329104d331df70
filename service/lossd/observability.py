"""Metrics and request logs: what lossd counts, with the official Prometheus client.

One `Metrics` per app, on its own registry (so that apps built side by side in one process, as tests do,
count apart). With several API processes (`lossd serve --workers N`), `multiprocess_dir` gives them one
`PROMETHEUS_MULTIPROC_DIR`, set before any of them imports prometheus_client, and `GET /metrics` reads every
process's numbers through `MultiProcessCollector`.

`Metrics` is also the compute pool's `Observer`: the pool reports each computation (inline or in a worker,
with the worker's time in queue, batch size and device memory) and each worker's hello (its incarnation:
how many times it has been restarted). Nothing here knows of HTTP.
"""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE  # noqa: F401 - re-exported for the route
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

from .compute.frames import Hello, Stats

_ENV = "PROMETHEUS_MULTIPROC_DIR"
_LATENCY = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
_ELEMENTS = (4, 64, 1024, 16384, 262144, 1048576, 16777216)


@contextlib.contextmanager
def multiprocess_dir() -> Iterator[str]:
    """A clean folder for multiprocess metrics, in `PROMETHEUS_MULTIPROC_DIR` for the processes started inside."""
    given = os.environ.get(_ENV)
    path = given or tempfile.mkdtemp(prefix="lossd-metrics-")
    if given:  # stale files from an earlier run would add to this run's counts
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, exist_ok=True)
    os.environ[_ENV] = path
    try:
        yield path
    finally:
        if not given:
            os.environ.pop(_ENV, None)
            shutil.rmtree(path, ignore_errors=True)


def multiprocess_mode() -> bool:
    return bool(os.environ.get(_ENV))


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._children: dict[tuple[Any, tuple[str, ...]], Any] = {}
        r = self.registry
        self.requests = Counter(
            "lossd_requests",
            "HTTP requests answered, by loss (or route kind) and status.",
            ["loss", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "lossd_request_duration_seconds", "Time to answer a request.", ["loss"], buckets=_LATENCY, registry=r
        )
        self.computations = Counter(
            "lossd_computations",
            "Computations by loss and where they ran (inline or worker).",
            ["loss", "where"],
            registry=r,
        )
        self.queue_time = Histogram(
            "lossd_queue_seconds", "Time a job waited in its worker before computing.", buckets=_LATENCY, registry=r
        )
        self.batch_requests = Histogram(
            "lossd_batch_requests", "Requests computed together in one batch.", buckets=_SIZES, registry=r
        )
        self.batch_elements = Histogram(
            "lossd_batch_elements", "Input elements computed together in one batch.", buckets=_ELEMENTS, registry=r
        )
        self.queue_depth = Gauge(
            "lossd_queue_depth", "Jobs sent to workers and not yet answered.", registry=r, multiprocess_mode="livesum"
        )
        self.worker_restarts = Gauge(
            "lossd_worker_restarts",
            "Times each device worker has been replaced.",
            ["worker", "device"],
            registry=r,
            multiprocess_mode="max",
        )
        self.device_memory = Gauge(
            "lossd_device_memory_bytes",
            "Device memory held by tensors in the worker, as it last reported.",
            ["device"],
            registry=r,
            multiprocess_mode="mostrecent",
        )

    def child(self, metric: Any, *labels: str) -> Any:
        """`metric.labels(*labels)`, looked up once per label set: `labels()` costs more than the update."""
        found = self._children.get((metric, labels))
        if found is None:
            found = self._children[(metric, labels)] = metric.labels(*labels)
        return found

    # The pool's Observer.
    def job_done(self, loss: str, where: str, stats: Stats | None) -> None:
        self.child(self.computations, loss, where).inc()
        if stats is not None:
            self.queue_time.observe(stats.queued_s)
            self.batch_requests.observe(stats.batch_requests)
            self.batch_elements.observe(stats.batch_elements)
            if stats.device_memory_bytes is not None:
                self.device_memory.labels(stats.device).set(stats.device_memory_bytes)

    def worker_hello(self, hello: Hello) -> None:
        self.worker_restarts.labels(str(hello.worker), hello.device).set(hello.incarnation)

    def in_flight(self, n: int) -> None:
        self.queue_depth.set(n)

    def render(self) -> bytes:
        """The text exposition: this process's registry, or every API process's in multiprocess mode."""
        if multiprocess_mode():
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)
