"""Errors as typed exceptions carrying the problem, timeouts, and 503s retried after `Retry-After` within a
bounded budget, against a real lossd (the busy one has one compute slot and no queue)."""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import lossd_client as lc
from lossd_client import AsyncLossClient, LossClient

from .conftest import Served
from .helpers import Recorder, pool_busy, slow_ctc

SEED = {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}
# Over the busy server's inline_max_elements (4096): it needs the pool's one slot.
POOLED = {"input": np.full(5000, 2.0), "target": np.full(5000, 1.5)}


@pytest.mark.parametrize(
    ("problem", "cls"),
    [
        ({"status": 400, "title": "Malformed request body"}, lc.MalformedRequest),
        ({"status": 404, "title": "Not found"}, lc.NotFound),
        ({"status": 404, "title": "Unknown loss", "suggestions": ["mse"]}, lc.UnknownLoss),
        ({"status": 405, "title": "Method not allowed"}, lc.MethodNotAllowed),
        ({"status": 413, "title": "Request too large", "limit": "max_dims", "limit_value": 8}, lc.TooLarge),
        ({"status": 415, "title": "Unsupported media type"}, lc.UnsupportedMediaType),
        ({"status": 422, "title": "Invalid request", "errors": [{"loc": ["inputs"], "msg": "x"}]}, lc.InvalidRequest),
        ({"status": 503, "title": "Service busy"}, lc.ServiceBusy),
        ({"status": 504, "title": "Computation timed out"}, lc.ComputeTimeout),
        ({"status": 500, "title": "Internal error"}, lc.ServerError),
        ({"status": 502, "title": "Bad gateway"}, lc.ServerError),
        ({"status": 409, "title": "Conflicting point"}, lc.Conflict),
        ({"status": 410, "title": "Gone"}, lc.ProblemError),  # a status without a class of its own
    ],
)
def test_each_status_has_its_exception(problem: dict[str, Any], cls: type[lc.ProblemError]) -> None:
    from lossd_client._errors import from_problem

    e = from_problem({"type": "urn:x", "detail": "d", **problem})
    assert type(e) is cls and isinstance(e, lc.ProblemError) and isinstance(e, lc.LossdError)
    assert (e.status, e.title, e.detail, e.problem["type"]) == (problem["status"], problem["title"], "d", "urn:x")


def test_an_unknown_loss(client: LossClient) -> None:
    with pytest.raises(lc.UnknownLoss) as caught:
        client.compute("mse_los", **SEED)
    e = caught.value
    assert e.status == 404 and e.type == "urn:lossd:problem:not-found" and e.suggestions[0] == "mse"
    assert "mse_los" in str(e) and e.problem["suggestions"] == e.suggestions


def test_an_invalid_request_names_each_field(client: LossClient) -> None:
    with pytest.raises(lc.InvalidRequest) as caught:
        client.mse(SEED["input"], ["1.5", 1, 1, 1], reduction="avg")  # type: ignore[arg-type]
    assert {e.loc for e in caught.value.errors} == {("params", "reduction"), ("inputs", "target", 0)}
    assert caught.value.status == 422 and caught.value.problem["errors"]


def test_over_a_limit(busy_lossd: Served) -> None:
    with LossClient(busy_lossd.url) as client, pytest.raises(lc.TooLarge) as caught:
        client.mse(np.zeros((1, 1, 1, 1, 2)), 0.0)
    assert (caught.value.limit, caught.value.limit_value) == ("max_dims", 4)


def test_no_server() -> None:
    from .conftest import _free_port

    with LossClient(f"http://127.0.0.1:{_free_port()}", timeout=5) as client, pytest.raises(lc.TransportError):
        client.mse(**SEED)


def test_the_clients_timeout(lossd: Served) -> None:
    with LossClient(lossd.url, timeout=0.2) as client, pytest.raises(lc.Timeout):
        client.ctc(**slow_ctc(1), grad=True)


# --- a busy server: one slot, held by a slow CTC (its answer a 504 after 1 s, its slot held till it is done) ---


def _wait_idle(url: str) -> None:
    deadline = time.monotonic() + 60
    while pool_busy(url):
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.fixture()
def occupied(busy_lossd: Served) -> Iterator[dict[str, Any]]:
    """The busy server's only slot held by a computation; yields what happened to it once it is done."""
    outcome: dict[str, Any] = {}

    def hold() -> None:
        with LossClient(busy_lossd.url, retries=0) as client:
            try:
                client.ctc(**slow_ctc(1.5), grad=True)
            except lc.LossdError as e:
                outcome["error"] = e

    _wait_idle(busy_lossd.url)
    thread = threading.Thread(target=hold)
    thread.start()
    deadline = time.monotonic() + 30
    while not pool_busy(busy_lossd.url):
        assert time.monotonic() < deadline and thread.is_alive(), f"the slow computation never took the slot: {outcome}"
        time.sleep(0.02)
    outcome["thread"] = thread
    yield outcome
    thread.join()
    _wait_idle(busy_lossd.url)


def test_a_full_pool(busy_lossd: Served, occupied: dict[str, Any]) -> None:
    """While the slot is held: no retries, or a budget shorter than Retry-After, raise the 503 at once; with
    retries, sync, async and batch calls each wait Retry-After and get through once the slot is free. The
    holder itself gets the server's 504."""
    url = busy_lossd.url
    started = time.monotonic()
    with LossClient(url, retries=0) as client, pytest.raises(lc.ServiceBusy) as caught:
        client.mse(**POOLED)
    assert (caught.value.status, caught.value.retry_after, caught.value.attempts) == (503, 1.0, 1)
    with LossClient(url, retries=10, retry_budget_s=0.5) as client, pytest.raises(lc.ServiceBusy) as caught:
        client.mse(**POOLED)  # Retry-After (1 s) would pass the budget (0.5 s): no wait at all
    assert caught.value.attempts == 1
    with LossClient(url, retries=0) as client:
        pooled, inline = client.batch([lc.Computation("l1", **POOLED), lc.Computation("l1", input=[1.0], target=[0.0])])
    assert isinstance(pooled, lc.ServiceBusy) and isinstance(inline, lc.Result)  # each item on its own
    assert time.monotonic() - started < 1.0

    recs = {name: Recorder() for name in ("sync", "async", "batch")}
    got: dict[str, Any] = {}

    def sync() -> None:
        with LossClient(url, retries=20, retry_budget_s=60, httpx_args=recs["sync"].hooks()) as client:
            got["sync"] = client.mse(**POOLED, grad=True)

    def async_() -> None:
        async def main() -> lc.Result:
            async with AsyncLossClient(url, retries=20, httpx_args=recs["async"].async_hooks()) as client:
                return await client.mse(**POOLED, grad=True)

        got["async"] = asyncio.run(main())

    def batch() -> None:
        with LossClient(url, retries=20, retry_budget_s=60, httpx_args=recs["batch"].hooks()) as client:
            got["batch"] = client.batch([lc.Computation("l1", **POOLED), lc.Computation("l1", input=[1.0], target=[0])])

    threads = [threading.Thread(target=f) for f in (sync, async_, batch)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    for name in ("sync", "async"):
        assert got[name].value == 0.25 and got[name].grads["input"].shape == (5000,), name
        statuses = recs[name].statuses
        assert statuses[0] == 503 and statuses[-1] == 200 and set(statuses[:-1]) == {503}, (name, statuses)
    assert [r.value for r in got["batch"] if isinstance(r, lc.Result)] == [0.5, 1.0]
    batches = [json.loads(body)["items"] for _, path, body in recs["batch"].requests if path == "/v1/batch"]
    assert len(batches) >= 2 and all(len(items) == 1 for items in batches[1:])  # only the refused item again
    # each retry waited its Retry-After (1 s)
    assert time.monotonic() - started >= len(recs["sync"].statuses) - 1

    occupied["thread"].join()
    assert isinstance(occupied.get("error"), lc.ComputeTimeout), occupied
    assert occupied["error"].status == 504 and "request_timeout_s" in occupied["error"].detail


def test_the_async_client_raises_the_same_exceptions(lossd: Served) -> None:
    async def main() -> None:
        async with AsyncLossClient(lossd.url) as client:
            with pytest.raises(lc.UnknownLoss):
                await client.compute("mse_los", **SEED)
            with pytest.raises(lc.InvalidRequest):
                await client.mse(**SEED, reduction="avg")  # type: ignore[arg-type]
        async with AsyncLossClient(lossd.url, timeout=0.2) as client:
            with pytest.raises(lc.Timeout):
                await client.ctc(**slow_ctc(1), grad=True)

    asyncio.run(main())
