"""Access control, off by default: API keys as bearer tokens, per-key rate limits, and CORS.

With `LOSSD_API_KEYS_FILE` set, every request needs `Authorization: Bearer <key>`, except the health probes
and the documentation pages (they hold no data; Swagger UI at /docs has an "Authorize" button). Routes are
closed by default: a route added later is protected without saying so. The file holds hashes, never keys:

    # <key id> <sha256 hex of the key>
    ci-runner 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

`lossd keys new ID --file PATH` makes a random key, appends its line to PATH and prints the key once;
`lossd keys hash ID` prints the line for a key read from standard input. Keys are random (256 bits), so a
plain SHA-256 is enough: there is no password to guess.

Answers, as problem+json: 401 with `WWW-Authenticate: Bearer` for a missing or unknown key; 403 for a
known key that `LOSSD_METRICS_KEYS` does not allow on /metrics; 429 with `Retry-After` for a key over
its rate (`LOSSD_RATE_LIMIT_PER_S`, `LOSSD_RATE_LIMIT_BURST`: a token bucket per key and per API
process). The key itself is never logged: the request log names the key id.

`caller_key` (`CallerKeyDep`) is the one way a route learns who called: the key id, or None when access
control is off.
"""

import hashlib
import hmac
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ..settings import Settings
from . import problems

_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")
# Open whatever the keys: the probes an orchestrator sends, and the documentation (no data in it).
OPEN_PATHS = frozenset(
    {"/healthz", "/readyz", "/v2/health/live", "/v2/health/ready", "/", "/docs", "/redoc", "/choose", "/openapi.json"}
)
OPEN_PREFIXES = ("/static/",)
CHALLENGE = 'Bearer realm="lossd"'


class KeyFileError(ValueError):
    """The keys file cannot be read or has a malformed line."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "lossd_" + secrets.token_urlsafe(32)


def key_line(key_id: str, key: str) -> str:
    """The keys file's line for `key`."""
    if not _ID.match(key_id):
        raise KeyFileError(f"key id {key_id!r}: use 1 to 64 letters, digits, '.', '_' or '-'")
    if not key:
        raise KeyFileError("the key is empty")
    return f"{key_id} {hash_key(key)}"


@dataclass(frozen=True)
class Keys:
    """Key ids by the SHA-256 of their key."""

    hashes: dict[str, str]  # hash -> id

    @classmethod
    def load(cls, path: str) -> "Keys":
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise KeyFileError(f"cannot read {path}: {e.strerror}") from None
        hashes: dict[str, str] = {}
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2 or not _ID.match(parts[0]) or not _HEX.match(parts[1].lower()):
                raise KeyFileError(f"{path}, line {n}: expected '<key id> <sha256 hex>'")
            if parts[0] in hashes.values():
                raise KeyFileError(f"{path}, line {n}: key id {parts[0]!r} appears twice")
            hashes[parts[1].lower()] = parts[0]
        if not hashes:
            raise KeyFileError(f"{path} holds no key: nobody could call lossd")
        return cls(hashes)

    def find(self, key: str) -> str | None:
        """The id of `key`, or None; compares every stored hash in constant time."""
        digest = hash_key(key)
        found = None
        for stored, key_id in self.hashes.items():
            if hmac.compare_digest(stored, digest):
                found = key_id
        return found


class TokenBuckets:
    """A token bucket per key: `burst` requests at once, refilled at `rate` a second."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, when)

    def take(self, key_id: str) -> float:
        """0 when the key may go ahead (a token is spent), else the seconds until it may."""
        now = self.clock()
        tokens, then = self._buckets.get(key_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1:
            self._buckets[key_id] = (tokens - 1, now)
            return 0.0
        self._buckets[key_id] = (tokens, now)
        return (1 - tokens) / self.rate


class AccessControl:
    """The ASGI middleware that checks the bearer key, the /metrics allowance and the key's rate."""

    def __init__(self, app: ASGIApp, keys: Keys, metrics_keys: str | None, buckets: TokenBuckets | None) -> None:
        self.app = app
        self.keys = keys
        self.metrics_open = metrics_keys is None
        self.metrics_ids = None if metrics_keys in (None, "*") else frozenset(metrics_keys.split(","))
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # lossd serves none; closed by default like any other route
            await send({"type": "websocket.close", "code": 1008})
            return
        path = scope["path"] if scope["type"] == "http" else ""
        if (
            not path  # the lifespan
            or path in OPEN_PATHS
            or path.startswith(OPEN_PREFIXES)
            or (path == "/metrics" and self.metrics_open)
        ):
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        key_id = None if token is None else self.keys.find(token)
        if key_id is None:
            challenge = CHALLENGE if token is None else CHALLENGE + ', error="invalid_token"'
            detail = "send an API key: Authorization: Bearer <key>" if token is None else "the API key is not valid"
            await problems.refusal(path, 401, "Unauthorized", detail, {"WWW-Authenticate": challenge})(
                scope, receive, send
            )
            return
        scope.setdefault("state", {})["key_id"] = key_id  # named in the request log, 403s and 429s included
        if path == "/metrics" and self.metrics_ids is not None and key_id not in self.metrics_ids:
            detail = f"key {key_id!r} may not read /metrics (LOSSD_METRICS_KEYS)"
            await problems.refusal(path, 403, "Forbidden", detail)(scope, receive, send)
            return
        wait = self.buckets.take(key_id) if self.buckets is not None else 0.0
        if wait > 0:
            retry = max(1, math.ceil(wait))
            detail = f"key {key_id!r} is over its rate of {self.buckets.rate:g} requests a second"  # type: ignore[union-attr]
            await problems.refusal(path, 429, "Too many requests", detail, {"Retry-After": str(retry)})(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


def install(app: FastAPI, settings: Settings) -> None:
    """Add access control (with API keys) and CORS (with origins) to `app`; neither, by default.

    Call before the request-log middleware is added, so that it stays outermost and logs 401s and 429s.
    """
    if settings.api_keys_file:
        buckets = (
            TokenBuckets(settings.rate_limit_per_s, settings.rate_limit_burst) if settings.rate_limit_per_s else None
        )
        app.add_middleware(
            AccessControl,
            keys=Keys.load(settings.api_keys_file),
            metrics_keys=settings.metrics_keys,
            buckets=buckets,
        )
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        # Outside access control: a browser's preflight carries no key.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )


async def caller_key(request: Request) -> str | None:
    """The id of the API key that made this request; None when access control is off."""
    key_id: str | None = request.scope.get("state", {}).get("key_id")
    return key_id


CallerKeyDep = Annotated[str | None, Depends(caller_key)]
