"""Runs through the client: `client.run(...)` against a real lossd, each answer checked against the raw API."""

import asyncio
import csv
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from lossd_client import (
    AsyncLossClient,
    Best,
    Conflict,
    Diagnosis,
    InvalidRequest,
    LossClient,
    NotFound,
    Run,
)

from .conftest import Served


@pytest.fixture()
def run(client: LossClient) -> Run:
    return client.run("client test", tags={"kind": "test"})


def stored(raw: httpx.Client, run: Run, series: str) -> list[Any]:
    r = raw.get(f"/v1/runs/{run.id}/series/{series}")
    assert r.status_code == 200, r.text
    return list(zip(r.json()["steps"], r.json()["values"], strict=True))


def test_run_makes_a_run_with_its_name_and_tags(run: Run, raw: httpx.Client) -> None:
    out = raw.get(f"/v1/runs/{run.id}").json()
    assert (run.name, run.tags, run.created_at) == (out["name"], out["tags"], out["created_at"])
    assert (run.name, run.tags) == ("client test", {"kind": "test"})


def test_log_stores_one_point_per_series(run: Run, raw: httpx.Client) -> None:
    assert run.log(0, train=1.5, validation=2.5) == 2
    assert run.log(1, train=1.25) == 1
    assert stored(raw, run, "train") == [(0, 1.5), (1, 1.25)]
    assert stored(raw, run, "validation") == [(0, 2.5)]


def test_log_takes_series_names_that_are_not_identifiers(run: Run, raw: httpx.Client) -> None:
    run.log(3, {"val/focal": 0.25, "train.mse": 0.5})
    assert stored(raw, run, "val/focal") == [(3, 0.25)] and stored(raw, run, "train.mse") == [(3, 0.5)]
    assert run.series("val/focal").values.tolist() == [0.25]  # a name holding "/" read back through the client


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (lambda: 0.5, 0.5),
        (lambda: 3, 3.0),
        (lambda: np.float32(0.1), float(np.float32(0.1))),
        (lambda: np.array(0.25), 0.25),
        (lambda: pytest.importorskip("torch").tensor(0.75), 0.75),
        (lambda: math.nan, "NaN"),
        (lambda: math.inf, "Infinity"),
        (lambda: -math.inf, "-Infinity"),
    ],
    ids=["float", "int", "numpy-float32", "numpy-0d", "torch-0d", "nan", "inf", "-inf"],
)
def test_log_sends_numbers_arrays_and_tensors_as_their_value(
    run: Run, raw: httpx.Client, value: Callable[[], Any], wire: Any
) -> None:
    run.log(0, train=value())
    assert stored(raw, run, "train") == [(0, wire)]


@pytest.mark.parametrize(
    ("values", "error"), [({}, ValueError), ({"train": True}, TypeError), ({"train": "0.5"}, TypeError)]
)
def test_log_refuses_what_is_not_a_value_before_sending(run: Run, values: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        run.log(0, **values)


def test_logging_a_point_again_is_safe_and_another_value_a_conflict(run: Run, raw: httpx.Client) -> None:
    run.log(0, train=1.0)
    assert run.log(0, train=1.0) == 1
    with pytest.raises(Conflict) as e:
        run.log(0, train=2.0)
    assert e.value.status == 409
    assert stored(raw, run, "train") == [(0, 1.0)]
    run.log(0, train=2.0, replace=True)
    assert stored(raw, run, "train") == [(0, 2.0)]


def test_compute_stores_the_value_lossd_computed(run: Run, raw: httpx.Client) -> None:
    x, y = [2.5, 4.8, 6.9, 9.5], [3.0, 5.0, 7.0, 9.0]
    r = run.compute("mse", input=x, target=y, series="validation", step=4, grad=True)
    want = raw.post("/v1/losses/mse", json={"inputs": {"input": x, "target": y}}).json()["value"]
    assert r.value == want and "input" in r.grads
    assert r.recorded == {"run": run.id, "series": "validation", "step": 4}
    assert stored(raw, run, "validation") == [(4, want)]


def test_compute_of_an_unreduced_loss_is_refused_and_stores_nothing(run: Run, raw: httpx.Client) -> None:
    with pytest.raises(InvalidRequest):
        run.compute("mse", input=[1.0, 2.0], target=[0.0, 0.0], params={"reduction": "none"}, series="val", step=0)
    assert raw.get(f"/v1/runs/{run.id}").json()["series"] == {}


def overfit(run: Run) -> None:
    for step in range(30):
        run.log(step, train=1 / (step + 1), validation=0.3 + (step - 12) ** 2 / 200)


def test_diagnosis_reads_the_servers_answer(run: Run, raw: httpx.Client) -> None:
    overfit(run)
    want = raw.get(f"/v1/runs/{run.id}/diagnosis", params={"patience": 3}).json()
    got = run.diagnosis(patience=3)
    assert got == Diagnosis(
        status=want["status"],
        monitor=want["monitor"],
        train=want["train"],
        best=Best(want["best"]["step"], want["best"]["value"]),
        stop_at=want["stop_at"],
        diverged_at=want["diverged_at"],
        overfitting_since=want["overfitting_since"],
        generalization_gap=want["generalization_gap"],
    )
    assert got.status == "overfitting"


def test_series_reads_a_curve_as_arrays(run: Run, raw: httpx.Client) -> None:
    overfit(run)
    want = raw.get(f"/v1/runs/{run.id}/series/train", params={"max_points": 7, "smoothing": 0.5}).json()
    got = run.series("train", max_points=7, smoothing=0.5)
    assert got.count == 30 and got.steps.tolist() == want["steps"]
    for name in ("values", "min", "max", "smoothed"):
        np.testing.assert_array_equal(getattr(got, name), np.array(want[name], dtype=np.float64))


@pytest.mark.parametrize(("suffix", "media_type"), [(".png", "image/png"), (".svg", "image/svg+xml")])
def test_plot_saves_the_format_its_suffix_names(
    run: Run, raw: httpx.Client, tmp_path: Path, suffix: str, media_type: str
) -> None:
    overfit(run)
    path = run.plot(tmp_path / f"curves{suffix}", series=["train"], smoothing=0.5)
    want = raw.get(f"/v1/runs/{run.id}/plot{suffix}", params={"series": "train", "smoothing": 0.5})
    assert want.headers["content-type"] == media_type
    if suffix == ".png":  # an SVG's clip-path ids are salted anew each time: compare PNGs byte for byte
        assert path.read_bytes() == want.content
    else:
        assert path.read_bytes().startswith(b"<?xml") and b'id="curve:train"' in path.read_bytes()


def test_plot_refuses_a_suffix_it_cannot_write(run: Run, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="png or a .svg"):
        run.plot(tmp_path / "curves.jpg")


def test_export_saves_every_point(run: Run, raw: httpx.Client, tmp_path: Path) -> None:
    overfit(run)
    path = run.export(tmp_path / "points.csv")
    assert path.read_text() == raw.get(f"/v1/runs/{run.id}/export.csv").text
    assert len(list(csv.DictReader(io.StringIO(path.read_text())))) == 60


def test_get_run_finds_a_run_and_delete_removes_it(client: LossClient, run: Run) -> None:
    found = client.get_run(run.id)
    assert (found.id, found.name, found.tags) == (run.id, run.name, run.tags)
    run.delete()
    with pytest.raises(NotFound):
        client.get_run(run.id)
    with pytest.raises(NotFound):
        run.log(0, train=1.0)


def test_the_async_run_does_the_same(lossd: Served, raw: httpx.Client, tmp_path: Path) -> None:
    async def main() -> tuple[Any, ...]:
        async with AsyncLossClient(lossd.url) as client:
            run = await client.run("async", tags={"a": "b"})
            await asyncio.gather(*(run.log(s, train=1 / (s + 1)) for s in range(10)))
            r = await run.compute("l1", input=[0.0, 3.0], target=[1.0, 0.0], series="validation", step=9)
            found = await client.get_run(run.id)
            return run, r, await run.diagnosis(), await run.series("train"), await run.plot(tmp_path / "a.png"), found

    run, r, diagnosis, train, png, found = asyncio.run(main())
    assert r.value == 2.0 and stored(raw, run, "validation") == [(9, 2.0)]
    assert diagnosis.monitor == "validation" and diagnosis.status == "insufficient_data"
    assert train.values.tolist() == [1 / (s + 1) for s in range(10)]
    assert png.read_bytes().startswith(b"\x89PNG") and found.tags == {"a": "b"}

    async def delete() -> None:
        async with AsyncLossClient(lossd.url) as client:
            await (await client.get_run(run.id)).delete()

    asyncio.run(delete())
    assert raw.get(f"/v1/runs/{run.id}").status_code == 404
