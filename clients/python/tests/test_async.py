"""AsyncLossClient against a real lossd: the same API as LossClient, awaited, many computations at once."""

import asyncio
import inspect
from typing import Any

import httpx
import numpy as np

from lossd_client import LOSSES, AsyncLossClient, Computation, LossClient, Result, UnknownLoss

from .conftest import Served
from .helpers import assert_same, call_kwargs


def test_every_loss_at_once(lossd: Served, raw: httpx.Client) -> None:
    examples = {loss: raw.get(f"/v1/losses/{loss}").json()["example"] for loss in LOSSES}

    async def main() -> list[Result]:
        async with AsyncLossClient(lossd.url) as client:
            return await asyncio.gather(*(getattr(client, loss)(**call_kwargs(examples[loss])) for loss in LOSSES))

    for loss, got in zip(LOSSES, asyncio.run(main()), strict=True):
        assert_same(got, raw.post(f"/v1/losses/{loss}", json=examples[loss]).json())


def test_compute_batch_and_catalogue(lossd: Served) -> None:
    async def main() -> tuple[Any, ...]:
        async with AsyncLossClient(lossd.url) as client:
            return (
                await client.compute("MSELoss", input=np.float32([2.5, 4.8, 6.9, 9.5]), target=[3, 5, 7, 9], grad=True),
                await client.batch([Computation("l1", input=[1.0], target=[3.0]), Computation("nope", input=[1.0])]),
                await client.losses(),
                await client.describe("huber_loss"),
                await client.info(),
            )

    seed, batch, losses, huber, info = asyncio.run(main())
    assert seed.value == 0.13749998807907104 and seed.grads["input"].dtype == np.float32
    assert batch[0].value == 2.0 and isinstance(batch[1], UnknownLoss)
    assert [d["name"] for d in losses] and huber["name"] == "huber" and info["version"]


def test_the_same_api_sync_and_async() -> None:
    public = {name for name in dir(LossClient) if not name.startswith("_")}
    assert public - {"close"} == {name for name in dir(AsyncLossClient) if not name.startswith("_")} - {"aclose"}
    for name in public - {"close"}:
        assert inspect.iscoroutinefunction(getattr(AsyncLossClient, name)), name
