"""The compute lane: `POST /v1/losses/{name}` and `POST /v2/models/{name}/infer` handed straight to their
route functions.

Small requests are what these routes mostly serve, and for them FastAPI's router and dependency solving cost
more than the loss itself (docs/benchmarks.md, "Where the time of a small request goes"). This middleware sits
inside the request-observability middleware (ids, metrics, the log line) and calls the same functions FastAPI
routes to, `routes.compute` and `oip.infer_in_lane`; errors become the same responses (`problems.handle`, and
the protocol's `{"error"}` under /v2). Every other method and path goes on to FastAPI, so 405s, 404s and the
OpenAPI document are FastAPI's as before.
"""

import re
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from . import oip, problems, routes

Route = Callable[[Request, str], Awaitable[Response]]
_PATHS: tuple[tuple[re.Pattern[str], Route], ...] = (
    (re.compile(r"/v1/losses/([^/]+)"), routes.compute),
    (re.compile(r"/v2/models/([^/]+)/infer"), oip.infer_in_lane),
)


class ComputeLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            for path, route in _PATHS:
                if match := path.fullmatch(scope["path"]):
                    await self._answer(route, match.group(1), scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _answer(self, route: Route, name: str, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await route(request, name)
        except Exception as exc:  # noqa: BLE001 - every error is answered as FastAPI's handlers would answer it
            response = await problems.handle(request, exc)
        await response(scope, receive, send)
