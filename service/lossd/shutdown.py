"""Graceful shutdown: on SIGTERM (or SIGINT) the app says it is not ready at once, then uvicorn stops
accepting connections, lets the requests in flight finish within `shutdown_grace_s`, and only then runs
the lifespan's shutdown, which closes the compute pool. Nothing in flight is dropped on a rolling restart.

uvicorn installs its own signal handlers around the app's whole life (in the main thread of each API
process); `Drain.signals` chains in front of them for the lifespan's duration.
"""

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Drain:
    """Whether this API process is shutting down (readiness is then false)."""

    def __init__(self) -> None:
        self.draining = False

    @contextlib.contextmanager
    def signals(self) -> Iterator[None]:
        """Mark the process draining on SIGTERM or SIGINT, then hand the signal to the handler before us."""
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

        def handle(sig: int, frame: FrameType | None) -> None:
            self.draining = True
            before = previous[sig]
            if callable(before):
                before(sig, frame)
            elif before == signal.SIG_DFL:
                signal.signal(sig, before)
                signal.raise_signal(sig)

        for sig in SIGNALS:
            signal.signal(sig, handle)
        try:
            yield
        finally:
            for sig, before in previous.items():
                signal.signal(sig, before)
