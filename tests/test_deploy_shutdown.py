"""Graceful shutdown (lossd.shutdown): on SIGTERM, not ready at once, no new connections, every request in
flight answered within `LOSSD_SHUTDOWN_GRACE_S`, then exit."""

import asyncio
import http.client
import json
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import torch

from lossd.app import create_app
from lossd.settings import Settings
from lossd.shutdown import Drain

from conftest import lossd_env, start_serve


class Upload:
    """An MSE request whose body goes out in two halves: the second only once `release` is set, so it is
    surely in flight (accepted, half read) when the test sends the signal."""

    def __init__(self, url: str, n: int, seed: int, release: threading.Event) -> None:
        g = torch.Generator().manual_seed(seed)
        self.x, self.y = torch.randn(n, generator=g), torch.randn(n, generator=g)
        self.body = json.dumps({"inputs": {"input": self.x.tolist(), "target": self.y.tolist()}, "grad": ["input"]})
        self.port = int(url.rsplit(":", 1)[1])
        self.release = release
        self.half_sent = threading.Event()
        self.status: int | None = None
        self.answer: dict[str, Any] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _chunks(self) -> Iterator[bytes]:
        data = self.body.encode()
        yield data[: len(data) // 2]
        self.half_sent.set()
        self.release.wait(60)
        yield data[len(data) // 2 :]

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            headers = {"Content-Type": "application/json", "Content-Length": str(len(self.body.encode()))}
            conn.request("POST", "/v1/losses/mse", body=self._chunks(), headers=headers)
            response = conn.getresponse()
            self.status = response.status
            self.answer = json.loads(response.read())
        except BaseException as e:  # reported by the test, in the main thread
            self.error = e
            self.half_sent.set()
        finally:
            conn.close()

    def check(self) -> None:
        assert self.error is None, repr(self.error)
        assert self.status == 200, self.answer
        x = self.x.clone().requires_grad_()
        want = torch.nn.MSELoss()(x, self.y)
        (grad,) = torch.autograd.grad(want, x)
        assert torch.allclose(torch.tensor(self.answer["value"]), want.detach(), rtol=1e-5, atol=1e-6)
        assert torch.allclose(torch.tensor(self.answer["grads"]["input"]), grad, rtol=1e-5, atol=1e-6)


def wait_accepted(url: str, timeout_s: float = 30) -> None:
    """Wait until the server has accepted every connection made to it: its listening socket's accept queue
    (`rx_queue` of a LISTEN row in /proc/net/tcp) is empty. The kernel completes a connection before the
    server accepts it, and one still queued when the server closes its socket is reset: never the
    server's to answer."""
    port = f"{int(url.rsplit(':', 1)[1]):04X}"
    deadline = time.monotonic() + timeout_s
    while True:
        rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
        queued = [int(r[4].split(":")[1], 16) for r in rows if r[1].endswith(":" + port) and r[3] == "0A"]
        assert queued, f"nothing listens on port {int(port, 16)}"
        if not any(queued):
            return
        assert time.monotonic() < deadline, "the server did not accept its connections"
        time.sleep(0.01)


def refused_or_not_ready(url: str) -> bool:
    try:
        return httpx.get(url + "/readyz", timeout=5).status_code == 503
    except httpx.TransportError:
        return True


@pytest.mark.parametrize("workers", [1, 2], ids=["one-api-process", "two-api-processes"])
def test_sigterm_answers_every_request_in_flight_and_takes_no_new_work(tmp_path: Path, workers: int) -> None:
    log = tmp_path / "lossd.log"
    env = lossd_env(LOSSD_DEVICES="cpu", LOSSD_SHUTDOWN_GRACE_S="30")
    proc, url = start_serve(log, ["--workers", str(workers)], env, ready="/readyz")
    release = threading.Event()
    try:
        # Small ones run inline, large ones in the device worker: both kinds held at the signal.
        uploads = [Upload(url, n, seed, release) for seed, n in enumerate([64, 64, 200_000, 200_000, 400_000, 50_000])]
        for u in uploads:
            u.thread.start()
        for u in uploads:
            assert u.half_sent.wait(60)
        wait_accepted(url)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # uvicorn looks at its exit flag every 0.1 s
        assert refused_or_not_ready(url)  # new work goes elsewhere...
        release.set()  # ...while the requests it holds finish arriving, and are answered
        for u in uploads:
            u.thread.join(120)
        returncode = proc.wait(timeout=60)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for u in uploads:
        u.check()
    assert returncode in (0, -signal.SIGTERM)
    text = log.read_text()
    assert "timeout graceful shutdown exceeded" not in text and "Traceback" not in text, text


def test_past_the_grace_period_lossd_exits_anyway(tmp_path: Path) -> None:
    log = tmp_path / "lossd.log"
    proc, url = start_serve(log, env=lossd_env(LOSSD_POOL="local", LOSSD_SHUTDOWN_GRACE_S="1"))
    release = threading.Event()
    stuck = Upload(url, 64, 0, release)  # its second half never comes
    try:
        stuck.thread.start()
        assert stuck.half_sent.wait(60)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        waited = time.monotonic() - started
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert 1 <= waited < 10
    assert "timeout graceful shutdown exceeded" in log.read_text()


def test_a_request_cut_off_by_the_grace_period_is_a_retryable_503(tmp_path: Path) -> None:
    log = tmp_path / "lossd.log"
    proc, url = start_serve(log, env=lossd_env(LOSSD_POOL="local", LOSSD_SHUTDOWN_GRACE_S="1"))
    try:
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=30) as sock:
            body = b'{"inputs": {"input": [1.0, 2.0], "target": [0.0, 0.0]}}'
            head = "POST /v1/losses/mse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            sock.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body[:10])  # the rest never comes
            wait_accepted(url)
            proc.send_signal(signal.SIGTERM)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503"), answer
    assert b"retry-after: 1" in head.lower() and b"application/problem+json" in head.lower()
    assert json.loads(payload)["status"] == 503


def test_the_drain_marks_the_process_and_hands_the_signal_on() -> None:
    seen: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda sig, frame: seen.append(sig))  # stands in for uvicorn's
    try:
        drain = Drain()
        with drain.signals():
            assert not drain.draining
            signal.raise_signal(signal.SIGTERM)
            assert drain.draining
        assert seen == [signal.SIGTERM]
        signal.raise_signal(signal.SIGTERM)  # after the lifespan, the handler before it is back
        assert seen == [signal.SIGTERM, signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, before)


def test_readiness_is_503_from_the_moment_sigterm_arrives() -> None:
    app = create_app(Settings(pool="local"))
    before = signal.signal(signal.SIGTERM, lambda sig, frame: None)  # stands in for uvicorn's exit flag

    async def probe() -> tuple[int, int, httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://lossd") as c:
                ready = (await c.get("/readyz")).status_code
                signal.raise_signal(signal.SIGTERM)
                live = (await c.get("/healthz")).status_code
                return ready, live, await c.get("/readyz")

    try:
        ready, live, draining = asyncio.run(probe())
    finally:
        signal.signal(signal.SIGTERM, before)
    assert (ready, live) == (200, 200)  # alive throughout: a liveness probe must not kill a draining pod
    assert draining.status_code == 503
    assert draining.headers["content-type"] == "application/problem+json"
    assert draining.headers["retry-after"] == "1"
