"""Fixtures: a real lossd server on loopback, and hypothesis profiles for two noisy cores."""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck, settings

from lossd.app import create_app
from lossd.settings import Settings

if TYPE_CHECKING:
    from postgres import Cluster

# Every app the tests start, and every `lossd serve` they run, keeps its runs database under this session's
# folder (the default data folder is $XDG_DATA_HOME/lossd), never in the user's own.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="lossd-tests-")
atexit.register(shutil.rmtree, os.environ["XDG_DATA_HOME"], ignore_errors=True)

settings.register_profile(
    "default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "default"))


class Server:
    """A lossd app served by uvicorn in a thread, as a user would reach it."""

    def __init__(self, app_settings: Settings) -> None:
        port = free_port()
        config = uvicorn.Config(create_app(app_settings), host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 120  # worker processes import torch: slow on a loaded machine
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("lossd did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    with Server(Settings()) as s:
        yield s


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def workers() -> Iterator[Server]:
    """Two CPU workers that get every computation (nothing inline), batching what arrives within 30 ms."""
    with Server(Settings(inline_max_elements=0, workers_per_device=2, max_batch_delay_ms=30)) as s:
        yield s


@pytest.fixture(scope="module")
def wclient(workers: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=workers.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="session")
def small_server() -> Iterator[Server]:
    """A server with tiny limits, for the 413 rules, that parses and encodes every body off the event loop."""
    limits = Settings(
        max_body_bytes=4096,
        max_tensor_elements=16,
        max_total_elements=24,
        max_dims=3,
        max_batch_items=3,
        body_timeout_s=1.0,
        offload_bytes=0,  # every request here takes the off-loop path
    )
    with Server(limits) as s:
        yield s


@pytest.fixture(scope="session")
def small_client(small_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=small_server.url, timeout=60) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def lossd_env(**extra: str) -> dict[str, str]:
    """This environment less any LOSSD_* setting (children start from the defaults), plus `extra`."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("LOSSD_")}, **extra}


def start_serve(
    log: Path,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    ready: str = "/healthz",
    start_s: float = 90,
    port: int | None = None,
) -> tuple["subprocess.Popen[bytes]", str]:
    """`python -m lossd serve` on `port` (default: a free one), its output in `log`, answering `ready` with a 200.

    Returns the process and its URL; the caller stops it. Killed here if it does not come up.
    """
    port = port or free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lossd", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else lossd_env(),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_s
        while True:
            assert proc.poll() is None, f"lossd serve exited with {proc.returncode}: {log.read_text()}"
            try:
                if httpx.get(url + ready, timeout=2).status_code == 200:
                    return proc, url
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"lossd serve did not answer within {start_s} s: {log.read_text()}"
            time.sleep(0.1)
    except BaseException:
        proc.kill()
        proc.wait()
        raise


@pytest.fixture(scope="session")
def postgres() -> Iterator["Cluster"]:
    """A PostgreSQL server of this session's own (tests/postgres.py), stopped at the end."""
    from postgres import Cluster, binaries

    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (Debian's postgresql; `make test` installs it as root)")
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty runs database: a SQLite file, and a fresh database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.new_database()
