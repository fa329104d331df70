"""POST /v1/compare: several losses on the same inputs, each value equal to torch.nn's, with the
entries of its unreduced loss ranked by share, the ranking recomputed here from torch."""

import math
from typing import Any

import httpx
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossd.catalogue import CATALOGUE

from cases.all import CASES
from wire import FORMS, TOLERANCE, assert_close, from_wire, to_wire

NAMES = [loss.name for loss in CATALOGUE]
DTYPES = {"float32": torch.float32, "float64": torch.float64}
TUTORIAL = {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 30.0]}  # the last target an outlier


def _compare(client: httpx.Client, body: Any) -> dict[str, Any]:
    r = client.post("/v1/compare", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _problem(client: httpx.Client, body: Any, status: int) -> dict[str, Any]:
    r = client.post("/v1/compare", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return r.json()


def _locs(problem: dict[str, Any]) -> list[list[str | int]]:
    return [e["loc"] for e in problem["errors"]]


def _magnitudes(unreduced: torch.Tensor) -> list[float]:
    return unreduced.detach().abs().to(torch.float64).flatten().tolist()


def _ranking(unreduced: torch.Tensor, top: int) -> list[tuple[list[int], float]]:
    """The contract's ranking, written out: (index, share) of the `top` entries with the largest
    |entry| / Σ|entries|, NaN entries first, ties by lower flat index; all shares NaN when the sum
    is not finite, and nothing when it is 0."""
    mags = _magnitudes(unreduced)
    total = float(torch.tensor(mags, dtype=torch.float64).sum()) if mags else 0.0
    if total == 0.0:
        return []
    order = sorted(range(len(mags)), key=lambda i: (not math.isnan(mags[i]), -mags[i] if mags[i] == mags[i] else 0, i))
    shape = list(unreduced.shape)
    out = []
    for flat in order[:top]:
        index, rest = [], flat
        for side in reversed(shape):
            index.insert(0, rest % side)
            rest //= side
        out.append((index, mags[flat] / total if math.isfinite(total) else math.nan))
    return out


def _close(a: float, b: float, dtype: torch.dtype) -> bool:
    rtol, atol = TOLERANCE[dtype]
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _share(s: float | str) -> float:
    return math.nan if s == "NaN" else float(s)


def assert_ranking(got: list[dict[str, Any]], unreduced: torch.Tensor, top: int, dtype: torch.dtype) -> None:
    """`got` is the ranking of torch's `unreduced`, up to entries whose magnitudes tie within tolerance."""
    want = _ranking(unreduced, top)
    mags = _magnitudes(unreduced)
    rtol, atol = TOLERANCE[dtype]
    if not want or not got:
        # Σ|entries| is 0 on one side: it must be 0 within tolerance on the other.
        assert sum(m for m in mags if math.isfinite(m)) <= atol * max(1, len(mags)), (got, want)
        assert all(math.isfinite(m) for m in mags)
        return
    assert len(got) == len(want), (got, want)
    flat = torch.arange(len(mags)).reshape(unreduced.shape) if unreduced.dim() else torch.tensor(0)
    seen = set()
    order = sorted(mags, key=lambda m: (not math.isnan(m), -m if m == m else 0))
    for r, (entry, (_, share)) in enumerate(zip(got, want, strict=True)):
        assert len(entry["index"]) == unreduced.dim()
        i = int(flat[tuple(entry["index"])]) if entry["index"] else 0
        assert i not in seen, f"index {entry['index']} twice"
        seen.add(i)
        assert _close(mags[i], order[r], dtype), f"rank {r}: |entry| {mags[i]} is not the {r}th largest {order[r]}"
        assert _close(_share(entry["share"]), share, dtype), f"rank {r}: share {entry['share']} != {share}"


# --- (1) the tutorial's regression example with an outlier: MSE is the one it dominates --------


def test_an_outlier_dominates_mse_more_than_l1_and_huber(client: httpx.Client) -> None:
    out = _compare(client, {"inputs": TUTORIAL, "losses": ["mse", "L1Loss", "huber_loss"], "top": 1})
    assert out["skipped"] == []
    got = {r["loss"]: r for r in out["results"]}
    assert list(got) == ["mse", "l1", "huber"]

    x, y = torch.tensor(TUTORIAL["input"]), torch.tensor(TUTORIAL["target"])
    torch_losses = {"mse": F.mse_loss, "l1": F.l1_loss, "huber": F.huber_loss}
    shares = {}
    for name, fn in torch_losses.items():
        unreduced = fn(x, y, reduction="none")
        shares[name] = float(unreduced.abs().max().double() / unreduced.abs().double().sum())
        assert_close(from_wire(got[name]["value"]), fn(x, y), torch.float32, f"{name} value")
        (top,) = got[name]["top_contributors"]
        assert top["index"] == [3]
        assert _close(top["share"], shares[name], torch.float32), (name, top, shares[name])
    assert shares["mse"] > shares["l1"] and shares["mse"] > shares["huber"]
    top_share = {name: got[name]["top_contributors"][0]["share"] for name in got}
    assert top_share["mse"] > top_share["l1"] and top_share["mse"] > top_share["huber"]


def test_params_and_top_apply_per_loss(client: httpx.Client) -> None:
    body = {
        "inputs": TUTORIAL,
        "losses": ["huber", "mse", "rmse"],
        "params": {"HuberLoss": {"delta": 2.0, "reduction": "sum"}, "mse": {"reduction": "none"}},
        "top": 10,
        "dtype": "float64",
    }
    got = {r["loss"]: r for r in _compare(client, body)["results"]}
    x, y = torch.tensor(TUTORIAL["input"], dtype=torch.float64), torch.tensor(TUTORIAL["target"], dtype=torch.float64)
    assert_close(from_wire(got["huber"]["value"]), F.huber_loss(x, y, delta=2.0, reduction="sum"), torch.float64, "")
    assert_close(from_wire(got["mse"]["value"]), F.mse_loss(x, y, reduction="none"), torch.float64, "mse")
    assert len(got["mse"]["top_contributors"]) == 4  # fewer entries than top: all of them
    assert_ranking(got["huber"]["top_contributors"], F.huber_loss(x, y, delta=2.0, reduction="none"), 10, torch.float64)
    assert_ranking(got["mse"]["top_contributors"], F.mse_loss(x, y, reduction="none"), 10, torch.float64)
    assert got["rmse"]["top_contributors"] is None  # no unreduced form
    assert_close(from_wire(got["rmse"]["value"]), torch.sqrt(F.mse_loss(x, y)), torch.float64, "rmse")


def test_top_zero_and_a_perfect_fit(client: httpx.Client) -> None:
    got = _compare(client, {"inputs": TUTORIAL, "losses": ["mse", "rmse"], "top": 0})["results"]
    assert [r["top_contributors"] for r in got] == [[], None]
    perfect = {"input": [1.0, 2.0], "target": [1.0, 2.0]}
    got = _compare(client, {"inputs": perfect, "losses": ["mse", "l1"]})["results"]
    assert [(r["value"], r["top_contributors"]) for r in got] == [(0.0, []), (0.0, [])]


# --- (2) every loss: the value is torch.nn's, the ranking is torch's unreduced output's -------


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=10)
@given(data=st.data())
def test_value_and_ranking_equal_torch(client: httpx.Client, name: str, data: st.DataObject) -> None:
    case = data.draw(CASES[name].strategy, label="case")
    dtype_name = data.draw(st.sampled_from(sorted(DTYPES)), label="dtype")
    dtype = DTYPES[dtype_name]
    top = data.draw(st.integers(0, 6), label="top")
    body = {
        "inputs": {n: to_wire(t, data.draw(st.sampled_from(FORMS), label=f"{n} form")) for n, t in case.inputs.items()},
        "losses": [name],
        "params": {
            name: {
                k: to_wire(v.to(dtype), "plain") if isinstance(v, torch.Tensor) else v for k, v in case.params.items()
            }
        },
        "dtype": dtype_name,
        "top": top,
    }
    out = _compare(client, body)
    assert out["skipped"] == []
    (got,) = out["results"]
    assert got["loss"] == name

    x = {n: t.to(dtype if t.is_floating_point() else t.dtype, copy=True) for n, t in case.inputs.items()}
    p = {k: v.to(dtype) if isinstance(v, torch.Tensor) else v for k, v in case.params.items()}
    with torch.no_grad():
        want = CASES[name].reference(x, p)
    assert_close(from_wire(got["value"]), want, dtype, "value")

    reduction = next(q for q in CATALOGUE.resolve(name).params if q.name == "reduction")
    if "none" not in (reduction.choices or ()):
        assert got["top_contributors"] is None
        return
    with torch.no_grad():
        unreduced = CASES[name].reference(x, {**p, "reduction": "none"})
    if top == 0:
        assert got["top_contributors"] == []
    else:
        assert_ranking(got["top_contributors"], unreduced, top, dtype)


# --- (3) hostile input: a 4xx naming the field, or a 200 that says what was skipped; never a 5xx


def test_unknown_duplicate_and_missing_losses_are_422(client: httpx.Client) -> None:
    problem = _problem(client, {"inputs": TUTORIAL, "losses": ["mse", "msee", "MSELoss"]}, 422)
    assert _locs(problem) == [["losses", 1], ["losses", 2]]
    assert "mse" in problem["errors"][0]["msg"]  # the close names
    assert _locs(_problem(client, {"inputs": TUTORIAL, "losses": []}, 422)) == [["losses"]]
    assert _locs(_problem(client, {"inputs": TUTORIAL, "losses": "mse"}, 422)) == [["losses"]]


def test_params_for_a_loss_not_run_or_unknown_are_422(client: httpx.Client) -> None:
    body = {"inputs": TUTORIAL, "losses": ["mse"], "params": {"huber": {"delta": 2.0}, "hubber": {}}}
    assert _locs(_problem(client, body, 422)) == [["params", "huber"], ["params", "hubber"]]
    # With losses absent, ctc does not fit {input, target}: it is not run either.
    assert _locs(_problem(client, {"inputs": TUTORIAL, "params": {"ctc": {}}}, 422)) == [["params", "ctc"]]
    twice = {"inputs": TUTORIAL, "losses": ["huber"], "params": {"huber": {}, "HuberLoss": {}}}
    assert _locs(_problem(client, twice, 422)) == [["params", "HuberLoss"]]


def test_a_bad_value_in_the_params_given_is_422(client: httpx.Client) -> None:
    body = {"inputs": TUTORIAL, "losses": ["mse", "huber"], "params": {"huber": {"delta": -1.0}}}
    assert _locs(_problem(client, body, 422)) == [["params", "huber", "delta"]]
    body = {"inputs": TUTORIAL, "params": {"HuberLoss": {"detla": 2.0}}}
    assert _locs(_problem(client, body, 422)) == [["params", "HuberLoss", "detla"]]
    body = {"inputs": TUTORIAL, "losses": ["mse"], "params": {"mse": [1]}}
    assert _locs(_problem(client, body, 422)) == [["params", "mse"]]


def test_top_out_of_range_is_422(client: httpx.Client) -> None:
    limit = client.get("/v1/info").json()["limits"]["max_tensor_elements"]
    for top in (limit + 1, 10**30, -1, 1.5, True, "3"):
        problem = _problem(client, {"inputs": TUTORIAL, "losses": ["mse"], "top": top}, 422)
        assert _locs(problem) == [["top"]], top
    assert _compare(client, {"inputs": TUTORIAL, "losses": ["mse"], "top": limit})["results"][0]["top_contributors"]


def test_inputs_that_fit_no_loss_skip_every_loss(client: httpx.Client) -> None:
    for inputs in ({"prediction": [1.0, 2.0]}, {}):
        out = _compare(client, {"inputs": inputs})
        assert out["results"] == []
        assert [s["loss"] for s in out["skipped"]] == NAMES
        assert all(s["reason"].startswith(f"{s['loss']} needs inputs ") for s in out["skipped"])


def test_a_loss_that_fails_on_these_inputs_is_skipped_with_its_problem(client: httpx.Client) -> None:
    out = _compare(client, {"inputs": TUTORIAL, "losses": ["bce", "mse", "ctc", "hinge_embedding"]})
    assert [r["loss"] for r in out["results"]] == ["mse"]
    reasons = {s["loss"]: s["reason"] for s in out["skipped"]}
    assert list(reasons) == ["bce", "ctc", "hinge_embedding"]
    assert reasons["bce"].startswith("bce cannot run on these inputs: inputs.")
    assert "log_probs" in reasons["ctc"] and "required input is missing" in reasons["ctc"]
    assert all(reason.endswith(".") for reason in reasons.values())


def test_non_finite_values_travel_as_strings(client: httpx.Client) -> None:
    inputs = {"input": [2.5, "NaN", 6.9, "Infinity"], "target": [3, 5, 7, 9]}
    out = _compare(client, {"inputs": inputs, "losses": ["mse", "l1", "rmse"], "top": 4})
    for r in out["results"]:
        assert r["value"] == "NaN", r
        if r["loss"] != "rmse":
            assert [c["index"] for c in r["top_contributors"]] == [[1], [3], [0], [2]]  # NaN, then inf, then size
            assert {c["share"] for c in r["top_contributors"]} == {"NaN"}
    out = _compare(client, {"inputs": {"input": [1.0, "-Infinity"], "target": [0, 0]}, "losses": ["l1"]})
    assert out["results"][0]["value"] == "Infinity"
    assert [c["share"] for c in out["results"][0]["top_contributors"]] == ["NaN", "NaN"]
    assert _locs(_problem(client, {"inputs": {"input": ["nan"], "target": [1.0]}}, 422))[0][:2] == ["inputs", "input"]


def test_malformed_bodies_and_tensors(client: httpx.Client) -> None:
    for raw in (b"{", b'{"inputs": {"input": [NaN]}}', b"\xff"):
        r = client.post("/v1/compare", content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 400, r.text
    r = client.post("/v1/compare", content=b"{}", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    assert _locs(_problem(client, {"losses": ["mse"]}, 422)) == [["inputs"]]
    assert _locs(_problem(client, {"inputs": TUTORIAL, "loss": "mse"}, 422)) == [["loss"]]
    ragged = {"inputs": {"input": [[1.0], [2.0, 3.0]], "target": [1.0]}}
    assert _locs(_problem(client, ragged, 422))[0][:2] == ["inputs", "input"]
    assert _locs(_problem(client, {"inputs": TUTORIAL, "dtype": "float16"}, 422)) == [["dtype"]]


def test_limits_are_413(small_client: httpx.Client) -> None:
    huge = {"dtype": "float32", "shape": [10**9], "data": [1.0]}
    assert _problem(small_client, {"inputs": {"input": huge, "target": [1.0]}}, 413)["limit"] == "max_tensor_elements"
    twelve = [float(i) for i in range(13)]  # 26 elements together, over max_total_elements = 24
    problem = _problem(small_client, {"inputs": {"input": twelve, "target": twelve}, "losses": ["mse"]}, 413)
    assert problem["limit"] == "max_total_elements"
    # Counted once, not once per loss: 2 × 8 elements for every loss that fits is fine.
    eight = [float(i) for i in range(8)]
    out = _compare(small_client, {"inputs": {"input": eight, "target": eight}})
    assert len(out["results"]) > 3
    # A broadcast whose loss would outgrow one tensor is a 413 too, as in compute.
    column, row = [[1.0]] * 5, [[1.0] * 5]
    assert _problem(small_client, {"inputs": {"input": column, "target": row}, "losses": ["l1"]}, 413)["limit"] == (
        "max_tensor_elements"
    )


# --- (4) losses absent: every loss that fits the given inputs -------------------------------


def test_losses_absent_runs_every_loss_that_fits(client: httpx.Client) -> None:
    out = _compare(client, {"inputs": TUTORIAL})
    ran = [r["loss"] for r in out["results"]]
    skipped = {s["loss"]: s["reason"] for s in out["skipped"]}
    assert {"mse", "l1", "huber"} <= set(ran)
    assert sorted(ran + list(skipped)) == sorted(NAMES)  # every loss once, run or skipped
    assert skipped["ctc"] == (
        "ctc needs inputs log_probs, targets, input_lengths, target_lengths; the request gives input, target."
    )
    assert "gaussian_nll" in skipped and "triplet_margin" in skipped
    assert "bce" in skipped and "cannot run on these inputs" in skipped["bce"]  # targets outside [0, 1]
    x, y = torch.tensor(TUTORIAL["input"]), torch.tensor(TUTORIAL["target"])
    got = {r["loss"]: r for r in out["results"]}
    for name, fn in (("mse", F.mse_loss), ("l1", F.l1_loss), ("huber", F.huber_loss)):
        assert_close(from_wire(got[name]["value"]), fn(x, y), torch.float32, name)
        assert_ranking(got[name]["top_contributors"], fn(x, y, reduction="none"), 3, torch.float32)


def test_the_document_describes_compare(client: httpx.Client) -> None:
    op = client.get("/openapi.json").json()["paths"]["/v1/compare"]["post"]
    assert op["operationId"] == "losses-compare"
    assert op["tags"] == ["compute"]
    assert sorted(op["responses"]) == ["200", "400", "401", "413", "415", "422", "429", "503", "504"]


def test_top_contributors_over_all_losses_are_bounded(small_client: httpx.Client) -> None:
    # small server: max_tensor_elements = 16; three losses of 8 entries each would list 24 contributors.
    eight = [float(i) for i in range(8)]
    body = {"inputs": {"input": eight, "target": [0.0] * 8}, "losses": ["mse", "l1", "huber"], "top": 8}
    problem = _problem(small_client, body, 413)
    assert problem["limit"] == "max_tensor_elements"
    two = _compare(small_client, {**body, "losses": ["mse", "l1"]})
    assert [len(r["top_contributors"]) for r in two["results"]] == [8, 8]
