"""The request log's handler in `lossd serve` (lossd.http.observability.LineHandler)."""

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from lossd.app import create_app
from lossd.http.observability import LineHandler
from lossd.settings import Settings

SEED = {"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}, "grad": ["input"]}


class Stream(io.StringIO):
    """A stream that counts its writes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.fixture
def access() -> Iterator[tuple[logging.Logger, LineHandler, Stream]]:
    """`lossd.access` as `lossd serve` configures it, writing into a `Stream`; restored afterwards."""
    logger = logging.getLogger("lossd.access")
    saved = (logger.handlers[:], logger.propagate, logger.level, logger.filters[:])
    stream = Stream()
    handler = LineHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.handlers, logger.propagate, logger.filters = [handler], False, []
    logger.setLevel(logging.INFO)
    yield logger, handler, stream
    logger.handlers, logger.propagate, logger.filters = saved[0], saved[1], saved[3]
    logger.setLevel(saved[2])


def serve(requests: int, request_id: str = "r") -> None:
    async def go() -> None:
        app = create_app(Settings(pool="local"))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://lossd") as client:
                for i in range(requests):
                    r = await client.post("/v1/losses/mse", json=SEED, headers={"X-Request-ID": f"{request_id}{i}"})
                    assert r.status_code == 200

    asyncio.run(go())


def lines(stream: Stream) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def sole(access: tuple[logging.Logger, LineHandler, Stream]) -> None:
    """Only the LineHandler on the logger: pytest adds its capture handlers at the start of each test phase."""
    access[0].handlers = [access[1]]


def test_each_request_gets_one_json_line_in_order(access: tuple[logging.Logger, LineHandler, Stream]) -> None:
    sole(access)
    serve(5)
    got = lines(access[2])
    assert [line["request_id"] for line in got] == [f"r{i}" for i in range(5)]
    assert {"method": "POST", "path": "/v1/losses/mse", "loss": "mse", "status": 200}.items() <= got[0].items()


def test_lines_of_one_event_loop_turn_are_written_together() -> None:
    stream = Stream()
    handler = LineHandler(stream)

    async def turn() -> int:
        for i in range(3):
            handler.write_line(f"line {i}")
        written_before_the_turn_ends = stream.writes
        await asyncio.sleep(0)
        return written_before_the_turn_ends

    assert asyncio.run(turn()) == 0
    assert stream.writes == 1
    assert stream.getvalue() == "line 0\nline 1\nline 2\n"


def test_a_line_outside_an_event_loop_is_written_at_once() -> None:
    stream = Stream()
    LineHandler(stream).write_line("now")
    assert stream.getvalue() == "now\n"


def test_lines_still_buffered_at_shutdown_are_written() -> None:
    stream = Stream()
    handler = LineHandler(stream)

    async def turn() -> None:
        handler.write_line("last")
        handler.close()  # what logging.shutdown does at exit: flush, then close

    asyncio.run(turn())
    assert stream.getvalue() == "last\n"


@pytest.mark.parametrize("change", ["filter", "second handler", "propagate", "handler level"])
def test_a_logger_configured_otherwise_gets_records_through_logging(
    access: tuple[logging.Logger, LineHandler, Stream], change: str
) -> None:
    sole(access)
    logger, handler, stream = access
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    if change == "filter":
        logger.addFilter(lambda record: seen.append(record) or True)
    elif change == "second handler":
        logger.addHandler(Keep())
    elif change == "propagate":
        logger.propagate = True
        logging.getLogger().addHandler(keep := Keep())
    else:
        handler.setLevel(logging.WARNING)
        logger.addHandler(Keep())
    try:
        serve(2)
    finally:
        if change == "propagate":
            logging.getLogger().removeHandler(keep)
    assert [json.loads(r.getMessage())["request_id"] for r in seen] == ["r0", "r1"]
    if change != "handler level":
        assert [line["request_id"] for line in lines(stream)] == ["r0", "r1"]


def test_request_lines_skip_the_logging_machinery(
    access: tuple[logging.Logger, LineHandler, Stream], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_record(*args: object, **kwargs: object) -> None:
        raise AssertionError("a LogRecord was made")

    sole(access)
    monkeypatch.setattr(access[0], "info", no_record)
    serve(2)
    assert [line["request_id"] for line in lines(access[2])] == ["r0", "r1"]
