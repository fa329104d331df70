"""The `scale` topology without containers: lossd replicas behind Debian's nginx, running the very
deploy/nginx/lossd.conf that docker-compose.yml mounts, on 127.0.0.1.

A bounded load runs through nginx while one replica is sent SIGTERM (a rolling restart: it comes back on
its port) and then the other is SIGKILLed with its children (a crash): every answer is correct (checked
against torch), no request is lost (computations are pure, so nginx may retry every one), and the
SIGTERM'd replica drops nothing it held."""

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import torch

from test_deploy_shutdown import Upload, wait_accepted
from test_pool_serve import _children

from conftest import free_port, lossd_env, start_serve

NGINX = shutil.which("nginx")
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed: `make deploy-tools` as root")
ROOT = Path(__file__).resolve().parents[1]
THREADS = 4
MAX_REQUESTS = 2000  # the load is bounded even if the scenario stalls
SIZES = (16, 100_000)  # inline on the event loop, and through the device worker
# Each worker-bound job waits up to a second for others to batch with (answers stay exact): long enough
# that a replica seen computing is still computing when the test, slowed by its own load, kills it.
REPLICA_ENV = {"LOSSD_DEVICES": "cpu", "LOSSD_SHUTDOWN_GRACE_S": "30", "LOSSD_MAX_BATCH_DELAY_MS": "1000"}


class Nginx:
    """Debian's nginx, unprivileged where it can be: its files in `folder`, the site from deploy/nginx."""

    def __init__(self, folder: Path, upstreams: list[int]) -> None:
        self.folder = folder
        self.port = free_port()
        (folder / "lossd").mkdir()
        (folder / "lossd/listen.conf").write_text(f"listen 127.0.0.1:{self.port};\n")
        servers = "".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n" for p in upstreams)
        (folder / "lossd/upstreams.conf").write_text(servers)
        temp = "".join(
            f"{kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (folder / "nginx.conf").write_text(
            # As root, nginx's workers would become `nobody`, who cannot enter pytest's private folders.
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log error;\n"
            + "events { worker_connections 512; }\n"
            + "http {\n"
            + temp
            + 'log_format upstreams \'$msec $status "$upstream_addr" "$upstream_status" $http_x_test_id\';\n'
            + f"access_log {folder}/access.log upstreams;\n"
            + f"include {ROOT}/deploy/nginx/lossd.conf;\n"
            + "}\n"
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Nginx":
        conf = str(self.folder / "nginx.conf")
        self.proc = subprocess.Popen(
            [str(NGINX), "-p", str(self.folder), "-e", str(self.folder / "error.log"), "-c", conf]
        )
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, (self.folder / "error.log").read_text()
            try:
                if httpx.get(self.url + "/nginx-health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def errors_about(self, port: int) -> list[str]:
        text = (self.folder / "error.log").read_text()
        return [line for line in text.splitlines() if f"127.0.0.1:{port}" in line]

    def attempts(self) -> list[tuple[list[str], list[str], int]]:
        """Per request: the upstreams tried, their statuses, and the status the client got."""
        out = []
        for line in (self.folder / "access.log").read_text().splitlines():
            m = re.match(r'\S+ (\d+) "([^"]*)" "([^"]*)"', line)
            assert m, line
            out.append((re.split(r", ", m[2]), re.split(r", ", m[3]), int(m[1])))
        return out


@dataclass
class Load:
    """Clients that post MSE computations with gradients through nginx and check every answer against torch."""

    url: str
    stop: threading.Event = field(default_factory=threading.Event)
    answered: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    count: int = 0

    def _next(self) -> int | None:
        with self.lock:
            if self.stop.is_set() or self.count >= MAX_REQUESTS:
                return None
            self.count += 1
            return self.count

    def client(self) -> None:
        with httpx.Client(base_url=self.url, timeout=120) as http:
            while (i := self._next()) is not None:
                g = torch.Generator().manual_seed(i)
                n = SIZES[i % len(SIZES)]
                x, y = (
                    torch.randn(n, generator=g, dtype=torch.float64),
                    torch.randn(n, generator=g, dtype=torch.float64),
                )
                body = {"inputs": {"input": x.tolist(), "target": y.tolist()}, "grad": ["input"], "dtype": "float64"}
                try:
                    r = http.post("/v1/losses/mse", json=body, headers={"X-Test-ID": str(i)})
                except httpx.TransportError as e:
                    self.failures.append(f"request {i}: {e!r}")
                    continue
                if r.status_code != 200:
                    self.failures.append(f"request {i}: {r.status_code} {r.text[:200]}")
                    continue
                xg = x.clone().requires_grad_()
                want = torch.nn.MSELoss()(xg, y)
                (grad,) = torch.autograd.grad(want, xg)
                got = r.json()
                value_ok = torch.isclose(
                    torch.tensor(got["value"], dtype=torch.float64), want.detach(), rtol=1e-10, atol=1e-12
                )
                grad_ok = torch.allclose(
                    torch.tensor(got["grads"]["input"], dtype=torch.float64), grad, rtol=1e-10, atol=1e-12
                )
                if not (value_ok and grad_ok):
                    self.failures.append(f"request {i}: wrong answer")
                with self.lock:
                    self.answered.append(i)

    def run_while(self, seconds: float) -> None:
        """Let the load run on for `seconds` more, failing fast if it stalled."""
        before = len(self.answered)
        time.sleep(seconds)
        assert len(self.answered) > before, "no request was answered"


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Every lossd process the test starts, stopped at the end whatever happens (their workers with them)."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def busy(url: str) -> bool:
    """Whether the replica's device worker holds a job now (`lossd_queue_depth`)."""
    text = httpx.get(url + "/metrics", timeout=5).text
    return any(float(v) > 0 for v in re.findall(r"^lossd_queue_depth(?:\{[^}]*\})? (\S+)", text, re.M))


def test_replicas_behind_nginx_survive_a_rolling_restart_and_a_crash_without_losing_a_request(
    tmp_path: Path, replicas: list[subprocess.Popen[bytes]]
) -> None:
    port_a, port_b = free_port(), free_port()
    env = lossd_env(**REPLICA_ENV)
    a, url_a = start_serve(tmp_path / "a.log", env=env, port=port_a, ready="/readyz")
    replicas.append(a)
    b, url_b = start_serve(tmp_path / "b.log", env=env, port=port_b, ready="/readyz")
    replicas.append(b)
    (tmp_path / "nginx").mkdir()
    with Nginx(tmp_path / "nginx", [port_a, port_b]) as nginx:
        load = Load(nginx.url)
        clients = [threading.Thread(target=load.client, daemon=True) for _ in range(THREADS)]
        try:
            for t in clients:
                t.start()
            load.run_while(3)

            # A rolling restart of replica A: SIGTERM while it surely holds work, then it comes back on its port.
            release = threading.Event()
            held = [Upload(url_a, n, seed, release) for seed, n in enumerate(SIZES * 2)]
            for u in held:
                u.thread.start()
            for u in held:
                assert u.half_sent.wait(60)
            wait_accepted(url_a)
            a.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            release.set()
            assert a.wait(timeout=60) in (0, -signal.SIGTERM)
            for u in held:
                u.thread.join(60)
                u.check()  # everything A held when it was told to stop, answered and right
            load.run_while(2)  # B alone
            a2, _ = start_serve(tmp_path / "a2.log", env=env, port=port_a, ready="/readyz")
            replicas.append(a2)
            # Only once nginx has seen A back (its fail_timeout passed, a request answered) is there always one
            # replica up for nginx: until then it counts A as down, and B's crash would leave it none.
            seen = len(nginx.attempts())
            deadline = time.monotonic() + 30
            while not any(t[-1].endswith(f":{port_a}") and s == 200 for t, _, s in nginx.attempts()[seen:]):
                assert time.monotonic() < deadline, "nginx never sent work to the restarted replica"
                time.sleep(0.1)
            load.run_while(1)

            # A crash of replica B: SIGKILL to it and its device worker, while the worker computes.
            crashed = [b.pid, *_children(b.pid)]  # looked up first: the kill follows the busy reading at once
            deadline = time.monotonic() + 30
            while not busy(url_b):
                assert time.monotonic() < deadline, "replica B never held a job to lose"
                time.sleep(0.01)
            for pid in crashed:
                os.kill(pid, signal.SIGKILL)
            load.run_while(3)
        finally:
            load.stop.set()
            for t in clients:
                t.join(120)
        a2.send_signal(signal.SIGTERM)
        assert a2.wait(timeout=60) in (0, -signal.SIGTERM)

        assert load.failures == []
        assert sorted(load.answered) == list(range(1, load.count + 1))  # every request, answered once
        attempts = nginx.attempts()
        lb = [(tried, statuses) for tried, statuses, status in attempts if status != 200 or len(tried) > 1]
        assert all(status == 200 for _, _, status in attempts), lb
        # A refused connections once it stopped listening, and nothing else went wrong there.
        assert all("Connection refused" in line for line in nginx.errors_about(port_a)), nginx.errors_about(port_a)
        # B's crash cut off what it was computing, and nginx sent that again to A.
        cut = [line for line in nginx.errors_about(port_b) if "Connection refused" not in line]
        retried = [tried for tried, _, _ in attempts if len(tried) > 1 and tried[0].endswith(f":{port_b}")]
        assert cut and retried, (cut, retried, (tmp_path / "nginx/error.log").read_text())
        served_by = {tried[-1].rsplit(":", 1)[1] for tried, _, _ in attempts}
        assert served_by == {str(port_a), str(port_b)}
    log_a = (tmp_path / "a.log").read_text()
    assert "timeout graceful shutdown exceeded" not in log_a and "Traceback" not in log_a, log_a
