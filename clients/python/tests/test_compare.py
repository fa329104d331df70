"""`compare` and the catalogue's filters through LossClient and AsyncLossClient, against a real lossd."""

import asyncio
import math

import numpy as np
import pytest

from lossd_client import AsyncLossClient, Compared, Comparison, Contributor, InvalidRequest, LossClient, Skipped

from .conftest import Served

# The tutorial's regression data with one outlier: the last prediction is 19 off.
OUTLIER = {"input": [2.5, 4.8, 6.9, 9.5, 30.0], "target": [3.0, 5.0, 7.0, 9.0, 11.0]}


def test_compare_shows_the_outlier_dominating_mse(client: LossClient) -> None:
    c = client.compare(**OUTLIER, losses=["mse", "L1Loss", "huber", "rmse"], params={"huber": {"delta": 2.0}}, top=2)
    assert isinstance(c, Comparison) and [r.loss for r in c.results] == ["mse", "l1", "huber", "rmse"]
    assert c.skipped == ()
    mse, l1 = c["mse"], c["l1"]
    assert isinstance(mse, Compared) and mse.value == pytest.approx((0.25 + 0.04 + 0.01 + 0.25 + 361) / 5)
    assert mse.top_contributors is not None and l1.top_contributors is not None
    assert mse.top_contributors[0] == Contributor((4,), pytest.approx(361 / 361.55))
    assert len(mse.top_contributors) == 2 and isinstance(mse.top_contributors[0].share, float)
    assert mse.top_contributors[0].share > c["huber"].top_contributors[0].share > l1.top_contributors[0].share
    assert c["rmse"].top_contributors is None and isinstance(c["rmse"].value, float)
    with pytest.raises(KeyError):
        c["bce"]


def test_compare_every_fitting_loss_skips_the_rest(client: LossClient) -> None:
    c = client.compare(**OUTLIER, dtype="float64")
    run = {r.loss for r in c.results}
    assert {"mse", "l1", "huber", "mape"} <= run
    skipped = {s.loss: s for s in c.skipped}
    assert isinstance(skipped["bce"], Skipped) and "bce" in skipped["bce"].reason  # targets outside [0, 1]
    assert isinstance(skipped["ctc"], Skipped) and "needs inputs" in skipped["ctc"].reason
    assert c["mse"].value == (0.25 + 0.04 + 0.01 + 0.25 + 361) / 5  # float64: no rounding to float32


def test_compare_with_numpy_and_an_unreduced_value(client: LossClient) -> None:
    c = client.compare(
        input=np.array(OUTLIER["input"]),
        target=np.array(OUTLIER["target"]),
        losses=["l1"],
        params={"l1": {"reduction": "none"}},
    )
    want = np.abs(np.array(OUTLIER["input"]) - np.array(OUTLIER["target"]))  # float64 arrays: float64 compute
    assert isinstance(c["l1"].value, np.ndarray) and c["l1"].value.tolist() == want.tolist()
    assert math.isclose(c["l1"].top_contributors[0].share, 19 / 20.3)


def test_compare_refuses_what_the_server_refuses(client: LossClient) -> None:
    with pytest.raises(InvalidRequest) as e:
        client.compare(**OUTLIER, losses=["mse"], params={"huber": {"delta": 2.0}})
    assert e.value.errors[0].loc == ("params", "huber")
    with pytest.raises(TypeError):
        client.compare(**OUTLIER, losses="mse")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, None),
        (
            {"task": "regression", "robust_to_outliers": True},
            ["l1", "huber", "smooth_l1", "mape", "quantile", "log_cosh"],
        ),
        ({"task": "regression", "robust_to_outliers": False}, ["mse", "rmse"]),
        ({"input_kind": "log_probabilities", "task": "classification"}, ["nll"]),
        ({"task": "segmentation", "handles_imbalance": True}, ["dice"]),
        ({"task": "ranking", "handles_imbalance": False, "input_kind": "scores"}, ["margin_ranking"]),
    ],
)
def test_losses_filters(client: LossClient, filters: dict[str, object], expected: list[str] | None) -> None:
    names = [d["name"] for d in client.losses(**filters)]  # type: ignore[arg-type]
    if expected is None:
        assert len(names) == len(client.losses()) and "mse" in names
    else:
        assert names == expected


def test_losses_refuses_an_unknown_task(client: LossClient) -> None:
    with pytest.raises(ValueError):
        client.losses(task="astrology")


def test_the_async_client_compares_and_filters(lossd: Served) -> None:
    async def main() -> tuple[Comparison, list[str]]:
        async with AsyncLossClient(lossd.url) as client:
            c = await client.compare(**OUTLIER, losses=["mse", "l1"], top=1)
            listed = await client.losses(task="regression", robust_to_outliers=True, handles_imbalance=False)
            return c, [d["name"] for d in listed]

    c, names = asyncio.run(main())
    assert c["mse"].top_contributors[0].share > c["l1"].top_contributors[0].share  # type: ignore[index]
    assert c["mse"].top_contributors[0].index == (4,)  # type: ignore[index]
    assert names == ["l1", "huber", "smooth_l1", "mape", "quantile", "log_cosh"]
