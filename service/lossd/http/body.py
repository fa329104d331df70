"""Reading a JSON body the contract's way: media type, size limit, strict parsing.

FastAPI's default body handling accepts bare NaN, answers syntax errors and
wrong content types with 422, and parses big float arrays slowly; lossd reads
the raw bytes and parses them with orjson instead.
"""

import asyncio
import functools
import json
import math
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
import numpy as np
import orjson
from starlette.requests import Request

from ..codec import Overflow
from ..errors import BodyTimeout, LimitExceeded, MalformedBody, UnsupportedMediaType
from ..settings import Settings

T = TypeVar("T")
_ALIGN = 64  # bytes: a cache line, and more than any datatype's alignment


async def read_json(request: Request, max_body_bytes: int) -> Any:
    """The parsed body. Raises 415, 413, 408 or 400 problems as the contract says.

    Sets `request.state.offload` when the body is large enough that its
    parsing, validation and encoding should leave the event loop (`offload`).
    """
    check_media_type(request)
    return await offload(request, parse, await read_bytes(request, max_body_bytes))


async def read_bytes(request: Request, max_body_bytes: int, align_at: int | None = None) -> bytearray | memoryview:
    """The raw body, counted against `max_body_bytes` as it arrives. Raises 413 or 408 problems.

    With `align_at`, the body's byte `align_at` lies on a 64-byte boundary: binary tensors that start there
    (after a JSON header of any length) are read in place rather than copied to an aligned buffer.
    Sets `request.state.offload` when the body is over `offload_bytes`.
    """
    settings: Settings = request.app.state.settings
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > max_body_bytes:
        raise _too_large(max_body_bytes)
    chunks = []
    size = 0
    try:
        async with asyncio.timeout(settings.body_timeout_s):
            async for chunk in request.stream():  # counted as it arrives: chunked bodies have no length
                size += len(chunk)
                if size > max_body_bytes:
                    raise _too_large(max_body_bytes)
                chunks.append(chunk)
    except TimeoutError:
        raise BodyTimeout(f"the body did not arrive within body_timeout_s = {settings.body_timeout_s}") from None
    request.state.offload = size > settings.offload_bytes
    if align_at is not None and 0 < align_at < size:
        return join_aligned(chunks, size, align_at)
    return bytearray().join(chunks)  # mutable: tensors decoded from it share its memory


def join_aligned(chunks: list[bytes], size: int, align_at: int) -> memoryview:
    """`chunks` in one writable buffer whose byte `align_at` starts a 64-byte line: one copy, as a join."""
    buffer = np.empty(size + _ALIGN, dtype=np.uint8)  # not zeroed: every byte is written below
    start = -(buffer.ctypes.data + align_at) % _ALIGN
    body = memoryview(buffer)[start : start + size]
    at = 0
    for chunk in chunks:
        body[at : at + len(chunk)] = chunk
        at += len(chunk)
    return body


async def offload(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`, in a worker thread when this request's body was large."""
    if getattr(request.state, "offload", False):
        return await anyio.to_thread.run_sync(functools.partial(fn, *args))
    return fn(*args)


def parse(body: bytes) -> Any:
    """Parse JSON bytes; raises `MalformedBody`.

    A number literal beyond float64's range is not a syntax error: it parses as
    `Overflow`, so validation can answer 422 and name where it was.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as e:
        if "infinity" not in str(e):
            raise MalformedBody(f"the body is not valid JSON: {e}") from None
    try:
        value = json.loads(body, parse_float=_parse_float, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as e:
        raise MalformedBody(f"the body is not valid JSON: {e}") from None
    _check_unicode(value)
    return value


def _check_unicode(value: Any) -> None:
    """Refuse lone surrogates (`"\\ud800"`), as orjson does: the stdlib parser lets them through."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise MalformedBody("the body is not valid JSON: a string holds a lone surrogate") from None


def _parse_float(text: str) -> float:
    value = float(text)
    return Overflow(value) if math.isinf(value) else value


def _refuse_constant(name: str) -> None:
    raise ValueError(
        f"{name} is not JSON; send the string {'-Infinity' if name == '-Infinity' else name!r} inside tensor data"
    )


def check_media_type(request: Request) -> None:
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise UnsupportedMediaType(f"content encoding {encoding!r} is not accepted; send the body uncompressed")
    content_type = request.headers.get("content-type")
    if content_type is None:
        return
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        return
    raise UnsupportedMediaType(f"content type {media!r} is not accepted; send application/json")


def _too_large(limit: int) -> LimitExceeded:
    return LimitExceeded("max_body_bytes", limit, "the request body is too large")
