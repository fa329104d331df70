"""The process pool over real HTTP: workers compute, batching changes no answer, a full queue is a 503, a slow
one a 504, a killed worker costs only the requests it held, and readiness is proved by computing."""

import concurrent.futures
import os
import signal
import socket
import threading
import time
from typing import Any

import httpx
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lossd.catalogue import CATALOGUE
from lossd.compute.process import ProcessPool
from lossd.settings import Settings
from test_conformance import _expected

from cases.all import CASES
from conftest import Server
from wire import assert_close, from_wire, to_wire

SEED = {"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}, "grad": ["input"]}
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def pool_of(server: Server) -> ProcessPool:
    pool = server.server.config.app.state.pool  # the app the Server helper built
    assert isinstance(pool, ProcessPool)
    return pool


def metric(client: httpx.Client, line_start: str) -> float:
    """The sum of the samples in /metrics whose line starts with `line_start`."""
    text = client.get("/metrics").text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start))


def test_the_workers_compute_and_say_so(wclient: httpx.Client) -> None:
    before = metric(wclient, 'lossd_computations_total{loss="mse",where="worker"}')
    r = wclient.post("/v1/losses/mse", json=SEED)
    assert r.status_code == 200, r.text
    assert r.json()["value"] == 0.13749998807907104
    assert r.json()["grads"]["input"] == [-0.25, -0.09999990463256836, -0.04999995231628418, 0.25]
    assert metric(wclient, 'lossd_computations_total{loss="mse",where="worker"}') == before + 1
    pool = wclient.get("/v1/info").json()["pool"]
    assert pool["kind"] == "process" and pool["workers"] == 2 and pool["workers_ready"] == 2


def test_readyz_computes_through_a_worker(wclient: httpx.Client) -> None:
    r = wclient.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready"}


def test_a_bad_item_in_a_batch_never_fails_its_neighbours(wclient: httpx.Client) -> None:
    items = [{"loss": "mse", **SEED}, {"loss": "mse", "inputs": {"input": [1.0, 2.0], "target": [1.0, 2.0, 3.0]}}] * 3
    r = wclient.post("/v1/batch", json={"items": items})
    results = r.json()["results"]
    assert [("error" in x) for x in results] == [False, True] * 3
    assert all(x["value"] == 0.13749998807907104 for x in results[::2])


# Batchable losses, and a few that run alone, sent together from concurrent clients.
BATCHED = sorted({loss.name for loss in CATALOGUE if loss.batchable} | {"cross_entropy", "ctc", "rmse", "dice"})


@pytest.mark.parametrize("name", BATCHED)
@settings(max_examples=4)
@given(data=st.data())
def test_batched_answers_equal_unbatched_ones(wclient: httpx.Client, name: str, data: st.DataObject) -> None:
    differentiable = {i.name for i in CATALOGUE.resolve(name).inputs if i.differentiable or i.role == "class_target"}
    dtype_name = data.draw(st.sampled_from(sorted(DTYPES)), label="dtype")
    dtype = DTYPES[dtype_name]
    cases = [data.draw(CASES[name].strategy, label=f"case {i}") for i in range(4)]
    grads = data.draw(st.booleans(), label="grad")
    bodies, wants = [], []
    for case in cases:
        bodies.append(
            {
                "inputs": {n: to_wire(t, "typed") for n, t in case.inputs.items()},
                "params": {
                    k: to_wire(v.to(dtype), "typed") if isinstance(v, torch.Tensor) else v
                    for k, v in case.params.items()
                },
                "grad": grads,
                "dtype": dtype_name,
            }
        )
        wants.append(_expected(name, case.inputs, case.params, dtype, differentiable if grads else set(), None))
    barrier = threading.Barrier(len(bodies))

    def post(body: dict[str, Any]) -> httpx.Response:
        barrier.wait()
        return wclient.post(f"/v1/losses/{name}", json=body)

    with concurrent.futures.ThreadPoolExecutor(len(bodies)) as ex:
        answers = list(ex.map(post, bodies))
    for r, (want, want_grads) in zip(answers, wants, strict=True):
        assert r.status_code == 200, r.text
        got = r.json()
        assert got["shape"] == list(want.shape)
        assert_close(from_wire(got["value"]), want, dtype, "value")
        assert sorted(got.get("grads", {})) == sorted(want_grads)
        for n, g in want_grads.items():
            assert_close(from_wire(got["grads"][n]), g, dtype, f"grad {n}")


def test_concurrent_compatible_requests_are_computed_together(wclient: httpx.Client) -> None:
    before_count = metric(wclient, "lossd_batch_requests_count")
    before_sum = metric(wclient, "lossd_batch_requests_sum")
    n = 8
    barrier = threading.Barrier(n)

    def post(i: int) -> httpx.Response:
        body = {"inputs": {"input": [float(i)] * (i + 1), "target": [0.0] * (i + 1)}, "grad": ["input"]}
        barrier.wait()
        return wclient.post("/v1/losses/mse", json=body)

    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        answers = list(ex.map(post, range(n)))
    for i, r in enumerate(answers):
        assert r.status_code == 200, r.text
        assert r.json()["value"] == float(i) ** 2
        assert r.json()["grads"]["input"] == pytest.approx([2.0 * i / (i + 1)] * (i + 1), rel=1e-6)
    count = metric(wclient, "lossd_batch_requests_count") - before_count
    total = metric(wclient, "lossd_batch_requests_sum") - before_sum
    assert count == n and total > n  # each job reports its batch's size: some batch held more than one


def test_sigkill_of_a_worker_loses_only_what_it_held(workers: Server, wclient: httpx.Client) -> None:
    pool = pool_of(workers)
    assert pool.supervisor is not None
    victim = pool.supervisor.pids[0]
    assert victim is not None
    restarts = metric(wclient, "lossd_worker_restarts{")
    stop = threading.Event()
    n = 3000
    body = {"inputs": {"input": [1.5] * n, "target": [0.5] * n}, "grad": ["input"]}

    def load() -> list[httpx.Response]:
        out = []
        with httpx.Client(base_url=workers.url, timeout=60) as c:
            while not stop.is_set():
                out.append(c.post("/v1/losses/mse", json=body))
        return out

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        running = [ex.submit(load) for _ in range(8)]
        time.sleep(0.5)
        os.kill(victim, signal.SIGKILL)
        time.sleep(0.5)
        stop.set()
        answers = [r for f in running for r in f.result()]
    ok = [r for r in answers if r.status_code == 200]
    lost = [r for r in answers if r.status_code != 200]
    assert all(r.json()["value"] == 1.0 for r in ok)
    assert all(r.status_code == 503 and r.headers["retry-after"] for r in lost), [r.text for r in lost]
    assert all(r.json()["status"] == 503 for r in lost)
    assert len(lost) <= 8  # at most the requests in flight when it died
    assert len(ok) > len(lost)
    deadline = time.monotonic() + 15
    while wclient.get("/readyz").status_code != 200 or pool.describe()["workers_ready"] < 2:
        assert time.monotonic() < deadline, "the pool was not ready again within 15 s"
        time.sleep(0.1)
    assert pool.supervisor.pids[0] != victim
    assert metric(wclient, "lossd_worker_restarts{") == restarts + 1
    assert wclient.post("/v1/losses/mse", json=body).json()["value"] == 1.0


def _hold(settings_: Settings) -> Server:
    # A worker that waits up to a second for companions holds each job that long: a real, valid configuration
    # that keeps work queued for as long as a test needs to look at it.
    return Server(settings_)


def _wait_held(client: httpx.Client, n: int) -> None:
    deadline = time.monotonic() + 10
    while client.get("/v1/info").json()["pool"]["running_or_queued"] < n:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_full_queue_is_a_503_with_retry_after() -> None:
    s = Settings(inline_max_elements=0, max_queue=0, max_concurrency=1, max_batch_delay_ms=1000)
    with _hold(s) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            first = ex.submit(client.post, "/v1/losses/mse", json=SEED)
            _wait_held(client, 1)
            r = client.post("/v1/losses/mse", json=SEED)
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "1"
            assert r.headers["content-type"] == "application/problem+json"
            assert first.result().status_code == 200
        # Tiny CPU work stays on the event loop and is never refused for a full pool queue.
        assert metric(client, 'lossd_requests_total{loss="mse",status="503"}') == 1


def test_past_the_request_timeout_is_a_504_and_the_work_is_dropped() -> None:
    s = Settings(inline_max_elements=0, request_timeout_s=0.3, max_batch_delay_ms=1000)
    with _hold(s) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        t0 = time.monotonic()
        r = client.post("/v1/losses/mse", json=SEED)
        assert r.status_code == 504, r.text
        assert r.json()["status"] == 504
        assert time.monotonic() - t0 < 0.9  # answered at the deadline, not when the worker got to it
        assert metric(client, "lossd_computations_total{") == 0  # dropped unstarted (the probe aside)


def test_readyz_is_503_while_no_worker_can_take_work(tmp_path: Any) -> None:
    # API processes that connect to workers that are not there (yet): not ready, and compute answers 503.
    s = Settings(inline_max_elements=0, pool_sockets=str(tmp_path / "nobody.sock"))
    with Server(s) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        r = client.post("/v1/losses/mse", json=SEED)
        assert r.status_code == 503 and r.headers["retry-after"] == "1"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/losses/mse", b'{"inputs": {"input": [1.0, 2.0], "target": [0.0, 0.0]}}'),
        ("/v1/batch", b'{"items": [{"loss": "mse", "inputs": {"input": [1.0, 2.0], "target": [0.0, 0.0]}}]}'),
        ("/v1/compare", b'{"inputs": {"input": [1.0, 2.0], "target": [0.0, 0.0]}, "losses": ["mse", "l1"]}'),
    ],
    ids=["compute", "batch", "compare"],
)
def test_a_client_that_disconnects_takes_its_queued_work_with_it(path: str, body: bytes) -> None:
    s = Settings(inline_max_elements=0, max_batch_delay_ms=1000)
    with _hold(s) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
            sock.sendall(head.encode() + body)
            _wait_held(client, 1)
            t0 = time.monotonic()
        while client.get("/v1/info").json()["pool"]["running_or_queued"] > 0:
            assert time.monotonic() - t0 < 0.8, "the queued work outlived its client"
            time.sleep(0.01)
        assert client.post("/v1/losses/mse", json=SEED).json()["value"] == 0.13749998807907104
