"""`lossd` on the command line: help, and `lossd serve` as a real process over real HTTP."""

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conftest import lossd_env, start_serve

SEED = {"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}, "grad": ["input"]}
LOSSD = str(Path(sys.executable).with_name("lossd"))  # the console script installed next to this interpreter
START_S = 60
STOP_S = 20


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=STOP_S * 3, env=lossd_env())


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([sys.executable, "-m", "lossd", "--help"], id="python-m-lossd"),
        pytest.param([LOSSD, "--help"], id="lossd"),
        pytest.param([LOSSD, "serve", "--help"], id="lossd-serve"),
    ],
)
def test_help_exits_0(argv: list[str]) -> None:
    result = run(*argv)
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_serve_help_names_its_options() -> None:
    out = run(LOSSD, "serve", "--help").stdout
    assert all(option in out for option in ("--host", "--port", "--workers"))


def test_no_command_is_a_usage_error() -> None:
    result = run(sys.executable, "-m", "lossd")
    assert result.returncode == 2
    assert "usage:" in result.stderr


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`lossd serve` on a free port, up and answering; killed whatever happens."""
    log = tmp_path / "lossd.log"
    proc, url = start_serve(log, start_s=START_S)
    try:
        yield Served(proc, url, log)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=STOP_S)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_answers_over_http_and_stops_gracefully_on_a_signal(served: Served, sig: int) -> None:
    with httpx.Client(base_url=served.url, timeout=30) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        r = client.post("/v1/losses/mse", json=SEED)
    assert r.status_code == 200, r.text
    assert r.json()["value"] == 0.13749998807907104
    served.proc.send_signal(sig)
    # uvicorn shuts down, then re-raises the signal it caught: 0 or death by that signal are both a clean stop.
    assert served.proc.wait(timeout=STOP_S) in (0, -sig)
    log = served.log.read_text()
    assert "Application shutdown complete" in log, log
    assert "Traceback" not in log, log


def test_a_client_gone_mid_body_leaves_one_quiet_line_and_the_service_answering(served: Served) -> None:
    port = int(served.url.rsplit(":", 1)[1])
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"POST /v1/losses/mse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
            s.sendall(b'Content-Length: 1000\r\n\r\n{"inputs": ')
            time.sleep(0.2)
    with httpx.Client(base_url=served.url, timeout=30) as client:
        assert client.post("/v1/losses/mse", json=SEED).json()["value"] == 0.13749998807907104
    served.proc.send_signal(signal.SIGTERM)
    served.proc.wait(timeout=STOP_S)
    log = served.log.read_text()
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log


def serve_with(**settings: str) -> subprocess.CompletedProcess[str]:
    """`lossd serve` with these settings, which are expected to stop it before it starts."""
    return subprocess.run(
        [sys.executable, "-m", "lossd", "serve"], capture_output=True, text=True, timeout=60, env=lossd_env(**settings)
    )


def test_a_bad_setting_is_one_line_naming_the_variable() -> None:
    result = serve_with(LOSSD_MAX_DIMS="lots")
    assert result.returncode == 2
    assert result.stderr.startswith("lossd: LOSSD_MAX_DIMS: ") and "Traceback" not in result.stderr


def test_a_bad_switch_names_the_values_it_takes() -> None:
    result = serve_with(LOSSD_OPENTELEMETRY="maybe")
    assert result.returncode == 2
    assert result.stderr.startswith("lossd: LOSSD_OPENTELEMETRY: ") and "use true or false" in result.stderr
    assert "maybe" not in result.stderr
