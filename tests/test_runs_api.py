"""The runs API over HTTP (runs.md), on a real server backed by SQLite and by PostgreSQL."""

import base64
import math
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import torch

from lossd.http.run_schemas import wire_time
from lossd.settings import Settings
from runs_reference import tensorboard_ema

from conftest import Server

MAX_POINTS = 20  # max_points_per_request of these servers
MAX_BODY = 16384


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('runs') / 'runs.db'}"
    else:
        url = request.getfixturevalue("postgres").new_database()
    limits = Settings(pool="local", database_url=url, max_points_per_request=MAX_POINTS, max_body_bytes=MAX_BODY)
    with Server(limits) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def new_run(api: httpx.Client, name: str = "run", **tags: str) -> str:
    r = api.post("/v1/runs", json={"name": name, "tags": tags})
    assert r.status_code == 201, r.text
    run_id: str = r.json()["id"]
    return run_id


def write(api: httpx.Client, run_id: str, points: list[dict[str, Any]], **extra: Any) -> httpx.Response:
    return api.post(f"/v1/runs/{run_id}/points", json={"points": points, **extra})


def series(api: httpx.Client, run_id: str, name: str, **query: Any) -> dict[str, Any]:
    r = api.get(f"/v1/runs/{run_id}/series/{name}", params=query)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture(scope="module")
def seeded(api: httpx.Client) -> str:
    """A run with points in two series, non-finite ones among them, that the bad requests must not change."""
    run_id = new_run(api, "seeded", purpose="bad-inputs")
    points = [{"series": "train", "step": s, "value": 1 / (s + 1)} for s in range(6)]
    points += [{"series": "val/focal", "step": 0, "value": "NaN"}, {"series": "val/focal", "step": 3, "value": 0.5}]
    assert write(api, run_id, points).status_code == 200
    return run_id


def snapshot(api: httpx.Client, run_id: str) -> Any:
    """Everything the API says about a run: the run itself, each series whole, and the run list."""
    run = api.get(f"/v1/runs/{run_id}").json()
    curves = {name: series(api, run_id, name) for name in run.get("series", {})}
    return run, curves, api.get("/v1/runs", params={"tag": "purpose:bad-inputs"}).json()


# (method, path, json body or raw bytes, query, status, loc of the first error or None)
RUN = "{run}"
POINTS = f"/v1/runs/{RUN}/points"
OK_POINT = {"series": "train", "step": 100, "value": 0.5}


def points_body(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"points": [{**OK_POINT, **c} for c in changes]}


BAD = [
    # writing points
    ("post", POINTS, points_body({"step": -1}), None, 422, ["points", 0, "step"]),
    ("post", POINTS, points_body({"step": 1.5}), None, 422, ["points", 0, "step"]),
    ("post", POINTS, points_body({"step": 2.0}), None, 422, ["points", 0, "step"]),
    ("post", POINTS, points_body({"step": "3"}), None, 422, ["points", 0, "step"]),
    ("post", POINTS, points_body({"step": True}), None, 422, ["points", 0, "step"]),
    ("post", POINTS, points_body({"step": 2**63}), None, 422, ["points", 0, "step"]),
    ("post", POINTS, points_body({"series": ""}), None, 422, ["points", 0, "series"]),
    ("post", POINTS, points_body({"series": "has space"}), None, 422, ["points", 0, "series"]),
    ("post", POINTS, points_body({"series": "x" * 65}), None, 422, ["points", 0, "series"]),
    ("post", POINTS, points_body({"series": "é"}), None, 422, ["points", 0, "series"]),
    ("post", POINTS, points_body({"series": 7}), None, 422, ["points", 0, "series"]),
    # a URL client resolves `.` and `..` parts away: such a series could not be read back
    ("post", POINTS, points_body({"series": ".."}), None, 422, ["points", 0, "series"]),
    ("post", POINTS, points_body({"series": "val/./focal"}), None, 422, ["points", 0, "series"]),
    ("post", POINTS, points_body({"series": "val/.."}), None, 422, ["points", 0, "series"]),
    ("post", POINTS, points_body({"value": "nan"}), None, 422, ["points", 0, "value"]),
    ("post", POINTS, points_body({"value": "1.5"}), None, 422, ["points", 0, "value"]),
    ("post", POINTS, points_body({"value": True}), None, 422, ["points", 0, "value"]),
    ("post", POINTS, points_body({"value": None}), None, 422, ["points", 0, "value"]),
    ("post", POINTS, points_body({"value": [0.5]}), None, 422, ["points", 0, "value"]),
    (
        "post",
        POINTS,
        b'{"points": [{"series": "train", "step": 100, "value": 1e999}]}',
        None,
        422,
        ["points", 0, "value"],
    ),
    ("post", POINTS, points_body({"time": "yesterday"}), None, 422, ["points", 0, "time"]),
    ("post", POINTS, points_body({"time": "2026-01-01T00:00:00"}), None, 422, ["points", 0, "time"]),
    ("post", POINTS, points_body({"time": -5}), None, 422, ["points", 0, "time"]),
    ("post", POINTS, points_body({"colour": "red"}), None, 422, ["points", 0, "colour"]),
    ("post", POINTS, {"points": [{"series": "train", "step": 100}]}, None, 422, ["points", 0, "value"]),
    ("post", POINTS, {"points": [OK_POINT] * 7 + [{**OK_POINT, "step": -7}]}, None, 422, ["points", 7, "step"]),
    ("post", POINTS, points_body({}, {"value": 0.25}), None, 422, ["points", 1, "value"]),
    ("post", POINTS, {"points": []}, None, 422, ["points"]),
    ("post", POINTS, {"points": {"series": "train"}}, None, 422, ["points"]),
    ("post", POINTS, {**points_body({}), "on_conflict": "ignore"}, None, 422, ["on_conflict"]),
    ("post", POINTS, {**points_body({}), "extra": 1}, None, 422, ["extra"]),
    ("post", POINTS, [OK_POINT], None, 422, []),
    ("post", POINTS, points_body({}, {"step": 101}, {"step": 1, "value": 99.0}), None, 409, ["points", 2]),
    ("post", POINTS, points_body({"series": "val/focal", "step": 0, "value": 1.0}), None, 409, ["points", 0]),
    ("post", POINTS, {"points": [OK_POINT] * (MAX_POINTS + 1)}, None, 413, None),
    ("post", POINTS, b'{"points": [' + b" " * MAX_BODY + b"]}", None, 413, None),
    ("post", POINTS, b'{"points": [', None, 400, None),
    ("post", POINTS, b'{"points": [{"series": "train", "step": 100, "value": NaN}]}', None, 400, None),
    ("post", "/v1/runs/nope/points", points_body({}), None, 404, None),
    # creating runs
    ("post", "/v1/runs", {}, None, 422, ["name"]),
    ("post", "/v1/runs", {"name": ""}, None, 422, ["name"]),
    ("post", "/v1/runs", {"name": 5}, None, 422, ["name"]),
    ("post", "/v1/runs", {"name": "r", "tags": {"a": 1}}, None, 422, ["tags", "a"]),
    ("post", "/v1/runs", {"name": "r", "tags": ["a"]}, None, 422, ["tags"]),
    ("post", "/v1/runs", {"name": "r", "tags": {f"k{i}": "v" for i in range(65)}}, None, 422, ["tags"]),
    ("post", "/v1/runs", {"name": "r", "owner": "me"}, None, 422, ["owner"]),
    # listing runs
    ("get", "/v1/runs", None, {"limit": 0}, 422, ["query", "limit"]),
    ("get", "/v1/runs", None, {"limit": 1001}, 422, ["query", "limit"]),
    ("get", "/v1/runs", None, {"limit": "ten"}, 422, ["query", "limit"]),
    ("get", "/v1/runs", None, {"cursor": "junk"}, 422, ["query", "cursor"]),
    ("get", "/v1/runs", None, {"tag": "no-colon"}, 422, ["query", "tag"]),
    ("get", "/v1/runs", None, {"tags": "a:b"}, 422, ["query", "tags"]),
    # one run
    ("get", "/v1/runs/nope", None, None, 404, None),
    ("delete", "/v1/runs/nope", None, None, 404, None),
    # curves
    ("get", f"/v1/runs/{RUN}/series/validation", None, None, 404, None),
    ("get", "/v1/runs/nope/series/train", None, None, 404, None),
    ("get", f"/v1/runs/{RUN}/series/has space", None, None, 422, ["path", "series"]),
    ("get", f"/v1/runs/{RUN}/series/train", None, {"max_points": 0}, 422, ["query", "max_points"]),
    ("get", f"/v1/runs/{RUN}/series/train", None, {"max_points": 1.5}, 422, ["query", "max_points"]),
    ("get", f"/v1/runs/{RUN}/series/train", None, {"smoothing": 1}, 422, ["query", "smoothing"]),
    ("get", f"/v1/runs/{RUN}/series/train", None, {"smoothing": -0.1}, 422, ["query", "smoothing"]),
    ("get", f"/v1/runs/{RUN}/series/train", None, {"smoothing": "nan"}, 422, ["query", "smoothing"]),
    ("get", f"/v1/runs/{RUN}/series/train", None, {"max_point": 10}, 422, ["query", "max_point"]),
    # diagnosis
    ("get", f"/v1/runs/{RUN}/diagnosis", None, {"mode": "median"}, 422, ["query", "mode"]),
    ("get", f"/v1/runs/{RUN}/diagnosis", None, {"patience": -1}, 422, ["query", "patience"]),
    ("get", f"/v1/runs/{RUN}/diagnosis", None, {"min_delta": -0.5}, 422, ["query", "min_delta"]),
    ("get", f"/v1/runs/{RUN}/diagnosis", None, {"min_delta": "inf"}, 422, ["query", "min_delta"]),
    ("get", f"/v1/runs/{RUN}/diagnosis", None, {"min_delta": "nan"}, 422, ["query", "min_delta"]),
    ("get", f"/v1/runs/{RUN}/diagnosis", None, {"monitor": "validation"}, 404, None),
    ("get", "/v1/runs/nope/diagnosis", None, None, 404, None),
    # recording computed losses
    *[
        ("post", "/v1/losses/mse", {**MSE, "record": record}, None, status, loc)
        for MSE in [{"inputs": {"input": [1.0, 2.0], "target": [0.0, 0.0]}}]
        for record, status, loc in [
            ({"run": RUN, "series": "train", "step": -1}, 422, ["record", "step"]),
            ({"run": RUN, "series": "a b", "step": 1}, 422, ["record", "series"]),
            ({"run": RUN, "series": "../train", "step": 1}, 422, ["record", "series"]),
            ({"run": RUN, "series": "train"}, 422, ["record", "step"]),
            ({"run": RUN, "series": "train", "step": 1, "note": "x"}, 422, ["record", "note"]),
            ({"run": "nope", "series": "train", "step": 1}, 404, None),
            ({"run": RUN, "series": "train", "step": 1}, 409, ["record"]),
        ]
    ],
    (
        "post",
        "/v1/losses/mse",
        {
            "inputs": {"input": [1.0, 2.0], "target": [0.0, 0.0]},
            "params": {"reduction": "none"},
            "record": {"run": RUN, "series": "train", "step": 50},
        },
        None,
        422,
        ["params", "reduction"],
    ),
]


def _id(case: tuple[Any, ...]) -> str:
    method, path, body, query, status, _ = case
    what = body if not isinstance(body, bytes) else body[:40]
    return f"{status}-{method}-{path.replace(RUN, 'RUN')}-{str(query or what)[:70]}"


@pytest.mark.parametrize("case", BAD, ids=[_id(c) for c in BAD])
def test_a_bad_request_is_a_problem_naming_the_field_and_changes_nothing(
    api: httpx.Client, seeded: str, case: tuple[Any, ...]
) -> None:
    method, path, body, query, status, loc = case
    before = snapshot(api, seeded)
    content = body if isinstance(body, bytes) else None
    payload = _fill(body, seeded) if not isinstance(body, bytes) else None
    headers = {"content-type": "application/json"} if content is not None else None
    r = api.request(method, path.replace(RUN, seeded), json=payload, content=content, params=query, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    if loc is not None:
        assert problem["errors"][0]["loc"] == loc, problem
    assert snapshot(api, seeded) == before


def _fill(body: Any, run_id: str) -> Any:
    if isinstance(body, dict):
        return {k: _fill(v, run_id) for k, v in body.items()}
    if isinstance(body, list):
        return [_fill(v, run_id) for v in body]
    return run_id if body == RUN else body


def test_a_batch_item_with_a_bad_record_gets_its_problem_and_its_neighbour_is_recorded(
    api: httpx.Client,
) -> None:
    run_id = new_run(api)
    item = {"loss": "mse", "inputs": {"input": [1.0, 2.0], "target": [0.0, 0.5]}}
    r = api.post(
        "/v1/batch",
        json={
            "items": [
                {**item, "record": {"run": run_id, "series": "train", "step": -1}},
                {**item, "record": {"run": "nope", "series": "train", "step": 1}},
                {**item, "record": {"run": run_id, "series": "train", "step": 2}},
            ]
        },
    )
    assert r.status_code == 200, r.text
    first, second, third = r.json()["results"]
    assert (first["error"]["status"], first["error"]["errors"][0]["loc"]) == (422, ["items", 0, "record", "step"])
    assert second["error"]["status"] == 404
    assert third["recorded"] == {"run": run_id, "series": "train", "step": 2}
    assert series(api, run_id, "train")["values"] == [third["value"]]


def test_batch_items_recording_one_point_are_stored_in_item_order(api: httpx.Client) -> None:
    # The first item is over the inline threshold (computed in a thread), the second tiny (inline): it ends first.
    run_id = new_run(api)
    ones = {"dtype": "float32", "shape": [2100], "b64": base64.b64encode(np.ones(2100, np.float32).tobytes()).decode()}
    large = {"loss": "l1", "inputs": {"input": ones, "target": 1.0}, "grad": ["input"]}
    tiny = {"loss": "l1", "inputs": {"input": [4.0], "target": [3.0]}}
    for step in range(3):
        record = {"run": run_id, "series": "train", "step": step}
        r = api.post("/v1/batch", json={"items": [{**large, "record": record}, {**tiny, "record": record}]})
        assert r.status_code == 200, r.text
        first, second = r.json()["results"]
        assert first["recorded"] == record and second["error"]["status"] == 409, r.text
    assert series(api, run_id, "train")["values"] == [0.0, 0.0, 0.0]


def test_create_answers_201_with_a_location_that_finds_the_run(api: httpx.Client) -> None:
    r = api.post("/v1/runs", json={"name": "linear", "tags": {"lr": "0.01"}})
    assert r.status_code == 201
    run = r.json()
    assert api.get(r.headers["location"]).json() == run
    assert (run["name"], run["tags"], run["series"], run["status"]) == (
        "linear",
        {"lr": "0.01"},
        {},
        "insufficient_data",
    )


def test_the_run_list_pages_newest_first_and_filters_by_tags(api: httpx.Client) -> None:
    ids = [new_run(api, f"p{i}", suite="paging", parity=str(i % 2)) for i in range(5)]
    seen, cursor = [], None
    while True:
        query: dict[str, Any] = {"limit": 2, "tag": "suite:paging"}
        if cursor:
            query["cursor"] = cursor
        page = api.get("/v1/runs", params=query).json()
        seen += [run["id"] for run in page["runs"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    odd = api.get("/v1/runs", params=[("tag", "suite:paging"), ("tag", "parity:1")]).json()["runs"]
    assert [run["id"] for run in odd] == [ids[3], ids[1]]


def test_points_round_trip_exactly_with_non_finite_values_as_strings(api: httpx.Client) -> None:
    run_id = new_run(api)
    values = [0.1, "NaN", "Infinity", "-Infinity", -0.0, 1e-300, 123456789.123]
    assert write(api, run_id, [{"series": "train", "step": s, "value": v} for s, v in enumerate(values)]).json() == {
        "accepted": len(values)
    }
    curve = series(api, run_id, "train")
    assert curve["values"] == values and curve["min"] == values and curve["max"] == values
    assert curve["count"] == len(values) and curve["steps"] == list(range(len(values)))


def test_a_retry_is_accepted_and_changes_nothing(api: httpx.Client) -> None:
    run_id = new_run(api)
    points = [{"series": "train", "step": s, "value": s / 3} for s in range(5)]
    first = write(api, run_id, points)
    before = snapshot(api, run_id)
    again = write(api, run_id, points[::-1])
    assert first.json() == again.json() == {"accepted": 5}
    assert snapshot(api, run_id) == before


def test_on_conflict_replace_overwrites_and_keeps_the_others(api: httpx.Client) -> None:
    run_id = new_run(api)
    write(api, run_id, [{"series": "train", "step": s, "value": 1.0} for s in range(3)])
    r = write(api, run_id, [{"series": "train", "step": 1, "value": "NaN"}], on_conflict="replace")
    assert r.status_code == 200
    assert series(api, run_id, "train")["values"] == [1.0, "NaN", 1.0]


def test_a_series_name_with_slashes_is_the_rest_of_the_path(api: httpx.Client) -> None:
    run_id = new_run(api)
    write(api, run_id, [{"series": "val/focal/x.y-z_1", "step": 0, "value": 2.0}])
    assert series(api, run_id, "val/focal/x.y-z_1")["values"] == [2.0]
    assert series(api, run_id, "val%2Ffocal%2Fx.y-z_1")["values"] == [2.0]  # as a client that quotes it sends it
    assert list(api.get(f"/v1/runs/{run_id}").json()["series"]) == ["val/focal/x.y-z_1"]


def test_dots_within_a_part_of_a_series_name_are_kept(api: httpx.Client) -> None:
    run_id = new_run(api)
    write(api, run_id, [{"series": "...", "step": 0, "value": 1.0}, {"series": "a/.b/c..", "step": 0, "value": 2.0}])
    assert series(api, run_id, "...")["values"] == [1.0]
    assert series(api, run_id, "a/.b/c..")["values"] == [2.0]


def test_max_points_buckets_keep_spikes_and_nans(api: httpx.Client) -> None:
    run_id = new_run(api)
    values: list[Any] = [1.0] * 20
    values[5], values[13] = 100.0, "NaN"
    write(api, run_id, [{"series": "loss", "step": s, "value": v} for s, v in enumerate(values)])
    curve = series(api, run_id, "loss", max_points=4)
    assert curve["count"] == 20 and curve["steps"] == [0, 5, 10, 15]
    assert curve["max"][1] == 100.0 and curve["values"][2] == "NaN"


def test_smoothed_is_tensorboards_ema_of_the_values_returned(api: httpx.Client) -> None:
    run_id = new_run(api)
    raw = [math.sin(s) + s / 10 for s in range(18)]
    write(api, run_id, [{"series": "loss", "step": s, "value": v} for s, v in enumerate(raw)])
    curve = series(api, run_id, "loss", max_points=6, smoothing=0.6)
    assert curve["smoothed"] == pytest.approx(tensorboard_ema(curve["values"], 0.6), rel=1e-12)


def test_an_overtrained_run_is_diagnosed_overfitting_at_its_best_validation_step(api: httpx.Client) -> None:
    run_id = new_run(api)
    val = [1.0, 0.7, 0.5, 0.42, 0.4, 0.41, 0.45, 0.5, 0.56, 0.63, 0.7]
    train = [1.0 * 0.8**s for s in range(len(val))]
    write(api, run_id, [{"series": "validation", "step": s, "value": v} for s, v in enumerate(val)])
    write(api, run_id, [{"series": "train", "step": s, "value": v} for s, v in enumerate(train)])
    d = api.get(f"/v1/runs/{run_id}/diagnosis").json()
    assert (d["status"], d["overfitting_since"], d["best"], d["stop_at"]) == (
        "overfitting",
        4,
        {"step": 4, "value": 0.4},
        9,
    )
    assert d["generalization_gap"] == pytest.approx(val[-1] - train[-1])
    assert api.get(f"/v1/runs/{run_id}").json()["status"] == "overfitting"


@pytest.mark.parametrize(
    ("loss", "inputs", "dtype"),
    [
        ("mse", {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}, "float32"),
        ("cross_entropy", {"input": [[0.1, 2.0, -1.0], [1.5, 0.2, 0.3]], "target": [1, 0]}, "float64"),
        ("huber", {"input": [1e30, 0.0], "target": [-1e30, 0.0]}, "float32"),
    ],
)
def test_record_stores_exactly_the_value_returned(
    api: httpx.Client, loss: str, inputs: dict[str, Any], dtype: str
) -> None:
    run_id = new_run(api)
    r = api.post(
        f"/v1/losses/{loss}",
        json={"inputs": inputs, "dtype": dtype, "record": {"run": run_id, "series": "validation", "step": 3}},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["recorded"] == {"run": run_id, "series": "validation", "step": 3}
    assert series(api, run_id, "validation")["values"] == [body["value"]]
    # and the value returned is PyTorch's own
    want = getattr(torch.nn.functional, {"mse": "mse_loss", "huber": "huber_loss"}.get(loss, loss))(
        torch.tensor(inputs["input"], dtype=getattr(torch, dtype)),
        torch.tensor(inputs["target"], dtype=None if loss == "cross_entropy" else getattr(torch, dtype)),
    )
    assert body["value"] == (want.item() if math.isfinite(want.item()) else "Infinity")


def test_delete_answers_204_and_the_run_and_its_points_are_gone(api: httpx.Client) -> None:
    run_id = new_run(api)
    write(api, run_id, [{"series": "train", "step": 0, "value": 1.0}])
    assert api.delete(f"/v1/runs/{run_id}").status_code == 204
    assert api.get(f"/v1/runs/{run_id}").status_code == 404
    assert api.get(f"/v1/runs/{run_id}/series/train").status_code == 404


def test_info_reports_max_points_per_request(api: httpx.Client) -> None:
    assert api.get("/v1/info").json()["limits"]["max_points_per_request"] == MAX_POINTS


def test_concurrent_http_writers_lose_and_duplicate_nothing(api: httpx.Client) -> None:
    run_id = new_run(api)
    statuses: list[int] = []

    def writer(w: int) -> None:
        with httpx.Client(base_url=str(api.base_url), timeout=60) as own:
            for start in range(0, 40, 10):
                steps = range(start, start + 10)
                pts = [{"series": f"w{w}", "step": s, "value": s + w / 10} for s in steps]
                pts += [{"series": "shared", "step": s, "value": float(s)} for s in steps]
                statuses.append(write(own, run_id, pts).status_code)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 16
    run = api.get(f"/v1/runs/{run_id}").json()
    assert {name: s["count"] for name, s in run["series"].items()} == {"shared": 40, **{f"w{w}": 40 for w in range(4)}}
    assert series(api, run_id, "shared")["values"] == [float(s) for s in range(40)]


def test_the_default_database_is_a_sqlite_file_in_the_data_folder(tmp_path: Path) -> None:
    assert Settings(data_dir=str(tmp_path)).runs_database_url() == f"sqlite:///{tmp_path / 'runs.db'}"


@pytest.mark.parametrize(
    ("sent", "seconds"),
    [
        ("2026-01-31T12:00:00Z", datetime(2026, 1, 31, 12, tzinfo=UTC).timestamp()),
        ("2026-01-31T13:30:00.5+01:30", datetime(2026, 1, 31, 12, 0, 0, 500000, tzinfo=UTC).timestamp()),
        (1769860800, 1769860800.0),
        (1769860800.25, 1769860800.25),
    ],
)
def test_a_time_is_rfc_3339_or_unix_seconds(sent: Any, seconds: float) -> None:
    assert wire_time(sent) == seconds
