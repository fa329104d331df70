"""Per request: an id (accepted from `X-Request-ID` or made), echoed back, one structured log line, and the
request counter and latency histogram. A plain ASGI middleware (Starlette's `BaseHTTPMiddleware` costs a
task per request). `/metrics` itself is not counted.
"""

import asyncio
import contextlib
import copy
import logging
import re
import time
import uuid
from typing import Any

import orjson
import uvicorn.config
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..catalogue import CATALOGUE
from ..errors import UnknownLoss
from ..observability import Metrics

log = logging.getLogger("lossd.access")
_ID = re.compile(r"^[A-Za-z0-9._:/+=@-]{1,128}$")
_SKIP = frozenset({"/metrics"})


_INFER = re.compile(r"/v2/models/([^/]+)(?:/versions/[^/]+)?/infer")


def loss_label(method: str, path: str) -> str:
    """The `loss` label of a request: the canonical loss for a compute (v1 or the Open Inference Protocol),
    else the kind of route (bounded set)."""
    name = None
    if method == "POST":
        if path.startswith("/v1/losses/"):
            name = path.removeprefix("/v1/losses/")
        elif infer := _INFER.fullmatch(path):
            name = infer.group(1)
    if name is not None:
        try:
            return CATALOGUE.resolve(name).name
        except UnknownLoss:
            return "unknown"
    if path in ("/v1/batch", "/v1/compare", "/v1/custom", "/v1/custom/check"):
        return path.removeprefix("/v1/")
    return "-"


class RequestObservability:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        text = given.decode("latin-1") if given is not None else ""
        request_id = text if _ID.match(text) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        recorded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, recorded
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body" and not message.get("more_body") and not recorded:
                # Counted and logged before the last bytes leave: a client that reads /metrics next sees it.
                recorded = True
                if path not in _SKIP:
                    self._record(scope, path, status, time.perf_counter() - started, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if not recorded and path not in _SKIP:
                self._record(scope, path, status, time.perf_counter() - started, request_id)

    def _record(self, scope: Scope, path: str, status: int, seconds: float, request_id: str) -> None:
        method: str = scope["method"]
        loss = loss_label(method, path)
        m = self.metrics
        m.child(m.requests, loss, str(status)).inc()
        m.child(m.latency, loss).observe(seconds)
        if log.isEnabledFor(logging.INFO):
            line: dict[str, Any] = {
                "request_id": request_id,
                "method": method,
                "path": path,
                "loss": loss,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
            }
            key_id = scope["state"].get("key_id")  # the key's id (lossd.http.auth), never the key
            if key_id is not None:
                line["key"] = key_id
            text = orjson.dumps(line).decode()
            handler = LineHandler.sole(log)
            if handler is not None:
                handler.write_line(text)
            else:
                log.info(text)


class LineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The request log's handler in `lossd serve`: a `StreamHandler` that request lines can also reach
    without a `LogRecord`, written together once per turn of the event loop.

    Made and handled one at a time, the line cost a small request about a sixth of its throughput on one
    core (docs/benchmarks.md, "Where the time of a small request goes"): half of it the logging machinery,
    half one write to stderr per line. Where `lossd.access` is configured otherwise (other handlers, filters,
    propagation), lines go through `logging` as usual.
    """

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self._lines: list[str] = []

    @classmethod
    def sole(cls, logger: logging.Logger) -> "LineHandler | None":
        """The logger's handler when it is its only one and nothing else would see or filter its records."""
        handlers = logger.handlers
        if len(handlers) != 1 or logger.propagate or logger.filters:
            return None
        handler = handlers[0]
        if type(handler) is not cls or handler.filters or handler.level > logging.INFO:
            return None
        return handler

    def write_line(self, text: str) -> None:
        """`text` as one line, as `emit` would write a record of it formatted as `%(message)s`."""
        self._lines.append(text)
        if len(self._lines) == 1:  # the first line of this turn: write them all when the turn ends
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no event loop in this thread: write it now
                self.flush()

    def flush(self) -> None:
        if self._lines:
            text = self.terminator.join(self._lines) + self.terminator
            self._lines.clear()
            with self.lock, contextlib.suppress(OSError, ValueError):  # a broken stream loses lines, not requests
                self.stream.write(text)
        super().flush()


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration plus one JSON line per request on stderr; uvicorn applies it in every
    API process it starts (`lossd serve`)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["lossd"] = {"format": "%(message)s"}
    config["handlers"]["lossd"] = {
        "class": f"{__name__}.LineHandler",
        "formatter": "lossd",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["lossd.access"] = {"handlers": ["lossd"], "level": "INFO", "propagate": False}
    return config
