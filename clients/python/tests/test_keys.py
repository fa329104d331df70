"""Against a lossd with access control on: the client sends its key, and waits out a rate limit."""

import hashlib
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import lossd_client as lc
from lossd_client import LossClient

from .conftest import Served, _Process

KEY = "lossd_" + secrets.token_hex(16)
RATE = 2.0  # requests a second, after a burst of 2


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    keys = Path(tmp_path_factory.mktemp("keys")) / "keys"
    keys.write_text(f"tester {hashlib.sha256(KEY.encode()).hexdigest()}\n")
    process = _Process(api_keys_file=str(keys), rate_limit_per_s=str(RATE), rate_limit_burst="2", pool="local")
    try:
        yield process.ready()
    finally:
        process.stop()


def test_without_a_key_the_call_raises_unauthorized(keyed: Served) -> None:
    with LossClient(keyed.url) as client, pytest.raises(lc.Unauthorized) as caught:
        client.mse(input=[1.0], target=[0.0])
    assert caught.value.status == 401


def test_with_api_key_the_call_goes_through_and_a_rate_limit_is_waited_out(keyed: Served) -> None:
    with LossClient(keyed.url, api_key=KEY, retries=10, retry_budget_s=30) as client:
        started = time.monotonic()
        values = [client.mse(input=[float(i)], target=[0.0]).value for i in range(5)]
    assert values == [float(i * i) for i in range(5)]
    assert time.monotonic() - started >= 1.0  # beyond the burst of 2, the rate (2 a second) was waited for


def test_with_no_retries_a_rate_limited_call_raises_rate_limited(keyed: Served) -> None:
    with LossClient(keyed.url, api_key=KEY, retries=0) as client, pytest.raises(lc.RateLimited) as caught:
        for _ in range(10):
            client.mse(input=[1.0], target=[0.0])
    assert caught.value.status == 429 and caught.value.retry_after is not None and caught.value.retry_after >= 1
