"""Graceful shutdown: on SIGTERM (or SIGINT) the app says it is not ready at once, then uvicorn stops
accepting connections, lets the requests in flight finish within `shutdown_grace_s`, and only then runs
the lifespan's shutdown, which closes the compute pool. Nothing in flight is dropped on a rolling restart.

uvicorn installs its own signal handlers around the app's whole life (in the main thread of each API
process); `Drain.signals` chains in front of them for the lifespan's duration.
"""

import asyncio
import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http import problems

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


class AnswerCancelled:
    """ASGI middleware: a request still running when the grace period ends (uvicorn then cancels it) is
    answered with a retryable 503 problem instead of uvicorn's plain-text 500, so that a load balancer sends
    it again to another replica. A request whose answer has started is left to end as it does."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except asyncio.CancelledError:
            if started or not self.drain.draining:
                raise
            detail = "lossd is shutting down: this request ran past shutdown_grace_s; send it again"
            body = problems.problem(503, "Service unavailable", detail)
            await problems.response(body, {"Retry-After": "1", "Connection": "close"})(scope, receive, send)
