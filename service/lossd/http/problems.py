"""Every error as an RFC 9457 problem (application/problem+json), mapped in one place."""

import logging
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Match

from ..errors import FieldError, InvalidRequest, LimitExceeded, LossdError, PointConflict, PoolBusy, UnknownLoss

log = logging.getLogger("lossd")

PROBLEM_MEDIA_TYPE = "application/problem+json"
_SLUGS = {
    400: "malformed-body",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    408: "body-timeout",
    409: "conflict",
    405: "method-not-allowed",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    429: "rate-limited",
    500: "internal-error",
    503: "busy",
    504: "timeout",
}


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    body = {
        "type": f"urn:lossd:problem:{_SLUGS.get(status, 'error')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def from_error(exc: LossdError) -> dict[str, Any]:
    """The problem body for a domain error."""
    extra: dict[str, Any] = {}
    if isinstance(exc, InvalidRequest):
        extra["errors"] = [{"loc": list(e.loc), "msg": e.msg} for e in exc.errors]
    elif isinstance(exc, UnknownLoss):
        extra["suggestions"] = exc.suggestions
    elif isinstance(exc, PointConflict):
        extra["errors"] = [{"loc": list(exc.loc), "msg": exc.detail}]
    elif isinstance(exc, LimitExceeded):
        extra["limit"] = exc.limit
        extra["limit_value"] = exc.value
    return problem(exc.status, exc.title, exc.detail, **extra)


def invalid(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> InvalidRequest:
    """A pydantic error as an `InvalidRequest`, `loc` from the body's root."""
    return InvalidRequest([FieldError(prefix + tuple(e["loc"]), _msg(e)) for e in exc.errors()])


def _msg(e: Any) -> str:
    msg = str(e["msg"])
    return msg.removeprefix("Value error, ")


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    # Ask each route whether it fully matches (path and method): included routers
    # are not flattened into `app.routes`, so their path regexes are not visible here.
    methods = []
    for method in _METHODS:
        scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": [], "query_string": b""}
        if any(route.matches(scope)[0] == Match.FULL for route in app.routes):
            methods.append(method)
    return methods


def response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def in_oip(path: str) -> bool:
    """Whether `path` belongs to the Open Inference Protocol (/v2), whose errors are `{"error": ...}`."""
    return path == "/v2" or path.startswith("/v2/")


def refusal(path: str, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    """A refusal as problem+json, or as the Open Inference Protocol's `{"error": ...}` under /v2."""
    if in_oip(path):
        return Response(orjson.dumps({"error": detail}), status, headers, media_type="application/json")
    return response(problem(status, title, detail), headers)


def install(app: FastAPI) -> None:
    """Route every error the app can meet to a problem response."""

    async def on_lossd(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LossdError)
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, PoolBusy) else None
        return response(from_error(exc), headers)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            detail = f"no route for {request.method} {request.url.path}"
        if exc.status_code == 405:
            # Starlette names only the first matching route's methods; list them all.
            allowed = _allowed_methods(app, request.url.path)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed on {request.url.path}; use {' or '.join(allowed)}"
        return refusal(request.url.path, exc.status_code, title, detail, headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [FieldError(tuple(e["loc"]), _msg(e)) for e in exc.errors()]
        return response(from_error(InvalidRequest(errors)))

    async def on_disconnect(request: Request, exc: Exception) -> Response:
        # Nobody is left to answer: note it in one line, not a traceback.
        log.info("client disconnected during %s %s", request.method, request.url.path)
        return response(problem(400, "Client disconnected", "the client closed the connection mid-request"))

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return response(problem(500, "Internal error", "the server failed; this is a bug in lossd"))

    app.add_exception_handler(LossdError, on_lossd)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ClientDisconnect, on_disconnect)
    app.add_exception_handler(Exception, on_crash)


async def handle(request: Request, exc: Exception) -> Response:
    """The problem response for `exc`, by the handler `install` registered for its nearest class (for code
    that runs outside FastAPI's exception middleware, as the compute lane does)."""
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        if cls in handlers:
            response: Response = await handlers[cls](request, exc)
            return response
    raise exc
