"""GET /metrics (Prometheus text), request ids and the one structured log line per request."""

import asyncio
import json
import logging
import time
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry import trace

from lossd.app import create_app
from lossd.settings import Settings

from conftest import Server

SEED = {"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}, "grad": ["input"]}
INFER = {
    "inputs": [
        {"name": "input", "shape": [2], "datatype": "FP32", "data": [1.0, 2.0]},
        {"name": "target", "shape": [2], "datatype": "FP32", "data": [1.5, 2.0]},
    ]
}


@pytest.fixture(scope="module")
def mclient() -> Iterator[httpx.Client]:
    """A server of its own, so that no other test moves its counters."""
    with Server(Settings()) as s, httpx.Client(base_url=s.url, timeout=60) as c:
        yield c


def sample(client: httpx.Client, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_are_prometheus_text(mclient: httpx.Client) -> None:
    r = mclient.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=")
    for family in (
        "lossd_requests",
        "lossd_request_duration_seconds",
        "lossd_queue_seconds",
        "lossd_batch_requests",
        "lossd_batch_elements",
        "lossd_queue_depth",
        "lossd_worker_restarts",
        "lossd_device_memory_bytes",
    ):
        assert f"# TYPE {family}" in r.text, family


@pytest.mark.parametrize(
    ("path", "body", "loss", "status"),
    [
        ("/v1/losses/mse", SEED, "mse", "200"),
        ("/v1/losses/MSELoss", SEED, "mse", "200"),  # an alias counts under the canonical name
        ("/v1/losses/mse", {"inputs": {}}, "mse", "422"),
        ("/v1/losses/nope", SEED, "unknown", "404"),
        ("/v2/models/MSELoss/infer", INFER, "mse", "200"),  # the Open Inference Protocol counts by loss too
        ("/v2/models/mse/versions/1/infer", INFER, "mse", "200"),
        ("/v2/models/nope/infer", INFER, "unknown", "404"),
        ("/v1/custom", {"expression": "mean((input - target) ** 2)", **SEED}, "custom", "200"),
    ],
)
def test_requests_are_counted_by_loss_and_status(
    mclient: httpx.Client, path: str, body: dict[str, object], loss: str, status: str
) -> None:
    name = f'lossd_requests_total{{loss="{loss}",status="{status}"}}'
    latency = f'lossd_request_duration_seconds_count{{loss="{loss}"}}'
    before, before_latency = sample(mclient, name), sample(mclient, latency)
    assert mclient.post(path, json=body).status_code == int(status)
    assert sample(mclient, name) == before + 1
    assert sample(mclient, latency) == before_latency + 1


def test_metrics_do_not_count_themselves(mclient: httpx.Client) -> None:
    assert "/metrics" not in mclient.get("/metrics").text
    before = sum(
        float(line.rsplit(" ", 1)[1])
        for line in mclient.get("/metrics").text.splitlines()
        if line.startswith('lossd_requests_total{loss="-"')
    )
    mclient.get("/metrics")
    after = sum(
        float(line.rsplit(" ", 1)[1])
        for line in mclient.get("/metrics").text.splitlines()
        if line.startswith('lossd_requests_total{loss="-"')
    )
    assert after == before


def test_a_large_request_shows_in_the_pool_metrics(mclient: httpx.Client) -> None:
    n = 10_000
    before = sample(mclient, "lossd_batch_elements_count")
    r = mclient.post("/v1/losses/mse", json={"inputs": {"input": [1.0] * n, "target": [0.0] * n}, "grad": True})
    assert r.status_code == 200
    assert sample(mclient, "lossd_batch_elements_count") == before + 1
    assert sample(mclient, 'lossd_computations_total{loss="mse",where="worker"}') >= 1
    assert sample(mclient, "lossd_queue_depth") == 0
    assert sample(mclient, 'lossd_worker_restarts{device="cpu",worker="0"}') == 0


def test_a_request_id_is_echoed_or_made(mclient: httpx.Client) -> None:
    r = mclient.post("/v1/losses/mse", json=SEED, headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    made = mclient.get("/healthz").headers["x-request-id"]
    assert len(made) == 32 and made != mclient.get("/healthz").headers["x-request-id"]
    # A header that could forge log lines is replaced, not echoed.
    assert mclient.get("/healthz", headers={"X-Request-ID": 'a"b'}).headers["x-request-id"] != 'a"b'


def test_one_json_line_per_request(mclient: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    def mine() -> list[dict[str, object]]:
        lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "lossd.access"]
        return [line for line in lines if line["request_id"] == "line-1"]

    with caplog.at_level(logging.INFO, logger="lossd.access"):
        mclient.post("/v1/losses/mse", json=SEED, headers={"X-Request-ID": "line-1"})
        deadline = time.monotonic() + 5
        while not mine() and time.monotonic() < deadline:  # the line is written once the response is sent
            time.sleep(0.01)
    lines = mine()
    assert len(lines) == 1
    line = lines[0]
    assert {k: line[k] for k in ("method", "path", "loss", "status")} == {
        "method": "POST",
        "path": "/v1/losses/mse",
        "loss": "mse",
        "status": 200,
    }
    assert line["duration_ms"] >= 0


@pytest.mark.parametrize(("enabled", "looked_up"), [(False, False), (True, True)])
def test_opentelemetry_providers_are_looked_up_only_when_enabled(
    monkeypatch: pytest.MonkeyPatch, enabled: bool, looked_up: bool
) -> None:
    calls = []

    def provider() -> trace.TracerProvider:
        calls.append(1)
        return trace.NoOpTracerProvider()

    async def compute() -> int:
        app = create_app(Settings(pool="local", opentelemetry=enabled))
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://lossd") as c:
                return (await c.post("/v1/losses/mse", json=SEED)).status_code

    monkeypatch.setattr(trace, "get_tracer_provider", provider)
    assert asyncio.run(compute()) == 200
    assert bool(calls) is looked_up
