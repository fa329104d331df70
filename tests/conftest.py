"""Fixtures: a real lossd server on loopback, and hypothesis profiles for two noisy cores."""

import os
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck, settings

from lossd.app import create_app
from lossd.settings import Settings

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
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
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
