"""The compute lane: `POST /v1/losses/{name}` handed straight to its route function.

Small requests are what this route mostly serves, and for them FastAPI's router and dependency solving cost
more than the loss itself (docs/benchmarks.md, "Where the time of a small request goes"). This middleware sits
inside the request-observability middleware (ids, metrics, the log line) and calls the same function FastAPI
routes to, `routes.compute`; errors become the same problem responses (`problems.handle`). Every other method
and path goes on to FastAPI, so 405s, 404s and the OpenAPI document are FastAPI's as before.
"""

import re

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from . import problems, routes

_PATH = re.compile(r"/v1/losses/([^/]+)")


class ComputeLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _PATH.fullmatch(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if match is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await routes.compute(request, match.group(1))
        except Exception as exc:  # noqa: BLE001 - every error is answered as FastAPI's handlers would answer it
            response = await problems.handle(request, exc)
        await response(scope, receive, send)
