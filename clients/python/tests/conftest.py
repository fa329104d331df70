"""The client's tests run against a real `lossd serve` on 127.0.0.1: started here as a subprocess, as a
user would start it, and stopped after the session. No mocks."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lossd_client import LossClient


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Process:
    """One `lossd serve`, its output in a temporary file."""

    def __init__(self, **settings: str) -> None:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSD_")}
        self.data = tempfile.TemporaryDirectory(prefix="lossd-client-tests-")  # its runs database, not the user's
        env.update(LOSSD_DATA_DIR=self.data.name, **{f"LOSSD_{k.upper()}": v for k, v in settings.items()})
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.TemporaryFile()
        cmd = [sys.executable, "-m", "lossd", "serve", "--host", "127.0.0.1", "--port", str(port)]
        self.process = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def ready(self) -> Served:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return Served(self.url, self.process)
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise RuntimeError(f"lossd serve did not start:\n{self.log.read().decode(errors='replace')}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        self.data.cleanup()


# The busy server: one compute slot and no queue (a second computation over 4096 elements is a 503;
# smaller ones run inline), a 1 s request timeout, small batch and rank limits, and room for a slow CTC.
# Its pool is the thread pool, whose one slot stays held until a computation's thread is done, also past
# the computation's 504: the window in which a retried request meets 503s.
BUSY = {
    "pool": "local",
    "max_concurrency": "1",
    "max_queue": "0",
    "request_timeout_s": "1",
    "max_batch_items": "4",
    "max_dims": "4",
    "max_tensor_elements": "134217728",
    "max_total_elements": "268435456",
}


class FreshInstall:
    """`pip install ./clients/python` into a new virtual environment (no system site-packages, no torch),
    run in the background: pip spends its time waiting on the package index."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="lossd-client-install-"))
        source = self.folder / "src"
        skip = shutil.ignore_patterns("tests", "__pycache__", "*.egg-info", "build")
        shutil.copytree(Path(__file__).resolve().parent.parent, source, ignore=skip)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.folder / "venv")], check=True)
        self.python = self.folder / "venv" / "bin" / "python"
        # this interpreter's pip, installing into the new environment
        cmd = [sys.executable, "-m", "pip", "--python", str(self.python), "install", "--disable-pip-version-check"]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen([*cmd, str(source)], stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self) -> tuple[int, str]:
        code = self.process.wait(timeout=600)
        self.log.seek(0)
        return code, self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_STARTED: dict[str, _Process] = {}
_INSTALL: list[FreshInstall] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start both servers, and the fresh install, as soon as the client's tests are known to run, so that
    their start-up (seconds each: importing torch, starting workers, asking the package index) overlaps the
    tests that run before them."""
    here = Path(__file__).parent
    items = [Path(str(item.path)) for item in session.items]
    if not _STARTED and any(here in path.parents for path in items):
        _STARTED.update(default=_Process(), busy=_Process(**BUSY))
    if not _INSTALL and here / "test_install.py" in items:
        _INSTALL.append(FreshInstall())


def pytest_sessionfinish(session: pytest.Session) -> None:
    for process in _STARTED.values():
        process.stop()
    _STARTED.clear()
    for install in _INSTALL:
        install.stop()
    _INSTALL.clear()


@pytest.fixture(scope="session")
def fresh_install() -> FreshInstall:
    if not _INSTALL:
        _INSTALL.append(FreshInstall())
    return _INSTALL[0]


@pytest.fixture(scope="session")
def _servers() -> dict[str, Served]:
    if not _STARTED:
        _STARTED.update(default=_Process(), busy=_Process(**BUSY))
    return {name: p.ready() for name, p in _STARTED.items()}


@pytest.fixture(scope="session")
def lossd(_servers: dict[str, Served]) -> Served:
    """`lossd serve` with its default settings."""
    return _servers["default"]


@pytest.fixture(scope="session")
def busy_lossd(_servers: dict[str, Served]) -> Served:
    """`lossd serve` with the BUSY settings."""
    return _servers["busy"]


@pytest.fixture()
def client(lossd: Served) -> Iterator[LossClient]:
    with LossClient(lossd.url, timeout=60) as c:
        yield c


@pytest.fixture()
def raw(lossd: Served) -> Iterator[httpx.Client]:
    """Plain HTTP to the same server: what the client's answers are checked against."""
    with httpx.Client(base_url=lossd.url, timeout=60) as c:
        yield c
