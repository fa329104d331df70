"""plot.svg, plot.png and export.csv of a run, through a real server."""

import csv
import io
import math
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

import httpx
import numpy as np
import pytest
from matplotlib.image import imread

from lossd.http.run_views import CSV_CHUNK, PLOT_POINTS
from lossd.runs.plot import DPI, SIZE_IN

WIRE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def new_run(client: httpx.Client, points: list[dict[str, Any]], name: str = "views") -> str:
    r = client.post("/v1/runs", json={"name": name})
    assert r.status_code == 201, r.text
    run_id: str = r.json()["id"]
    for i in range(0, len(points), 50_000):
        w = client.post(f"/v1/runs/{run_id}/points", json={"points": points[i : i + 50_000]})
        assert w.status_code == 200, w.text
    return run_id


def overfitting_points(n: int = 30, turn: int = 12) -> list[dict[str, Any]]:
    """Train falls throughout; validation falls until `turn`, then rises."""
    train = [{"series": "train", "step": s, "value": 1 / (s + 1)} for s in range(n)]
    val = [{"series": "validation", "step": s, "value": 1 + (s - turn) ** 2 / 100} for s in range(n)]
    return train + val


@pytest.fixture(scope="module")
def overfit(client: httpx.Client) -> str:
    return new_run(client, overfitting_points(), "overfit")


def svg_ids(svg: bytes) -> set[str | None]:
    return {e.get("id") for e in ET.fromstring(svg).iter()}


def svg_texts(svg: bytes) -> list[str]:
    """The texts drawn (matplotlib draws text as paths, with the text in a comment before each)."""
    return [t.strip() for t in re.findall(rb"<!-- (.*?) -->", svg, re.S) for t in [t.decode()]]


def test_the_svg_draws_every_series_of_the_run(client: httpx.Client, overfit: str) -> None:
    r = client.get(f"/v1/runs/{overfit}/plot.svg")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml"
    assert {"curve:train", "curve:validation"} <= svg_ids(r.content)
    assert {"step", "loss", "overfit"} <= set(svg_texts(r.content))  # the axes, the run's name as the title


def test_the_png_is_a_900_by_500_image(client: httpx.Client, overfit: str) -> None:
    r = client.get(f"/v1/runs/{overfit}/plot.png")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert imread(io.BytesIO(r.content), format="png").shape[:2] == (SIZE_IN[1] * DPI, SIZE_IN[0] * DPI)


def test_the_marks_are_where_the_diagnosis_puts_them(client: httpx.Client, overfit: str) -> None:
    d = client.get(f"/v1/runs/{overfit}/diagnosis").json()
    assert d["status"] == "overfitting"
    svg = client.get(f"/v1/runs/{overfit}/plot.svg").content
    assert {"best", "overfitting"} <= svg_ids(svg)
    texts = svg_texts(svg)
    assert f"overfitting since step {d['overfitting_since']}" in texts
    assert f"best: step {d['best']['step']} ({d['best']['value']:.4g})" in texts


def test_series_chooses_the_curves(client: httpx.Client, overfit: str) -> None:
    ids = svg_ids(client.get(f"/v1/runs/{overfit}/plot.svg", params={"series": "train"}).content)
    assert "curve:train" in ids and "curve:validation" not in ids
    # the monitored series is not drawn: nothing of its diagnosis is marked
    assert not {"best", "overfitting"} & ids


def test_smoothing_adds_the_smoothed_curves(client: httpx.Client, overfit: str) -> None:
    plain = svg_ids(client.get(f"/v1/runs/{overfit}/plot.svg").content)
    smoothed = svg_ids(client.get(f"/v1/runs/{overfit}/plot.svg", params={"smoothing": 0.6}).content)
    assert not any(str(i).startswith("smoothed:") for i in plain)
    assert {"smoothed:train", "smoothed:validation"} <= smoothed


def test_log_y_labels_the_log_axis(client: httpx.Client, overfit: str) -> None:
    svg = client.get(f"/v1/runs/{overfit}/plot.svg", params={"log_y": "true"}).content
    assert "loss (log scale)" in svg_texts(svg)


def test_a_long_series_is_reduced_with_its_spikes_shaded(client: httpx.Client) -> None:
    n = PLOT_POINTS * 3
    points = [{"series": "train", "step": s, "value": 1.0 if s != n // 2 else 50.0} for s in range(n)]
    run_id = new_run(client, points)
    svg = client.get(f"/v1/runs/{run_id}/plot.svg").content
    assert {"curve:train", "band:train"} <= svg_ids(svg)


@pytest.mark.parametrize(
    ("path", "params", "status", "loc"),
    [
        ("/v1/runs/nosuchrun/plot.svg", {}, 404, None),
        ("/v1/runs/{run}/plot.png", {"series": "nosuch"}, 404, None),
        ("/v1/runs/{run}/plot.svg", {"series": "train,bad name"}, 422, ["query", "series"]),
        ("/v1/runs/{run}/plot.svg", {"smoothing": "1"}, 422, ["query", "smoothing"]),
        ("/v1/runs/{run}/plot.svg", {"log_y": "maybe"}, 422, ["query", "log_y"]),
        ("/v1/runs/{run}/plot.svg", {"colour": "red"}, 422, ["query", "colour"]),
        ("/v1/runs/{run}/plot.gif", {}, 422, ["path", "fmt"]),
        ("/v1/runs/nosuchrun/export.csv", {}, 404, None),
        ("/v1/runs/{run}/export.csv", {"series": "train"}, 422, ["query", "series"]),
    ],
)
def test_refusals_are_problems(
    client: httpx.Client, overfit: str, path: str, params: dict[str, str], status: int, loc: list[str] | None
) -> None:
    r = client.get(path.format(run=overfit), params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    if loc is not None:
        assert loc in [e["loc"] for e in r.json()["errors"]]


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_holds_every_point_exactly(client: httpx.Client) -> None:
    values = [0.1, 1 / 3, "NaN", "Infinity", "-Infinity", 1e-300, 12345.678]
    points = [{"series": "validation", "step": s, "value": v} for s, v in enumerate(values)]
    points += [{"series": "train", "step": 10 - s, "value": s / 7, "time": 1_700_000_000 + s} for s in range(5)]
    run_id = new_run(client, points)
    r = client.get(f"/v1/runs/{run_id}/export.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.text.splitlines()[0] == "series,step,value,time"
    rows = read_csv(r.text)
    sent = sorted((p["series"], p["step"], p["value"]) for p in points)
    got = [(row["series"], int(row["step"]), float(row["value"])) for row in rows]
    assert [(s, st) for s, st, _ in got] == [(s, st) for s, st, _ in sent]  # by series, then step
    for (_, _, want), (_, _, value) in zip(sent, got, strict=True):
        want = WIRE.get(want, want) if isinstance(want, str) else want
        assert value == want or (math.isnan(value) and math.isnan(want))
    trains = [row for row in rows if row["series"] == "train"]
    assert [datetime.fromisoformat(row["time"]).timestamp() for row in trains] == [
        1_700_000_000 + 10 - int(row["step"]) for row in trains
    ]


def test_the_export_writes_non_finite_values_as_text(client: httpx.Client) -> None:
    points = [{"series": "train", "step": s, "value": v} for s, v in enumerate(["NaN", "Infinity", "-Infinity"])]
    rows = read_csv(client.get(f"/v1/runs/{new_run(client, points)}/export.csv").text)
    assert [row["value"] for row in rows] == ["NaN", "inf", "-inf"]


def test_an_empty_run_exports_its_header(client: httpx.Client) -> None:
    assert client.get(f"/v1/runs/{new_run(client, [])}/export.csv").text == "series,step,value,time\n"


def test_a_long_export_is_streamed_in_chunks(client: httpx.Client) -> None:
    n = CSV_CHUNK * 4 + 1
    run_id = new_run(client, [{"series": "train", "step": s, "value": s * 0.5} for s in range(n)])
    with client.stream("GET", f"/v1/runs/{run_id}/export.csv") as r:
        assert r.headers.get("transfer-encoding") == "chunked" and "content-length" not in r.headers
        text = "".join(r.iter_text())
    steps = np.array([int(row["step"]) for row in read_csv(text)])
    np.testing.assert_array_equal(steps, np.arange(n))
