"""LossClient against a real lossd: every loss through its own method, in every input form, checked number
for number against lossd's raw HTTP answer; dtypes, the binary form, batches and the catalogue's docs."""

import inspect
import json
import math
import pydoc
from typing import Any

import httpx
import numpy as np
import pytest

from lossd_client import LOSSES, AsyncLossClient, Computation, InvalidRequest, LossClient, Result, UnknownLoss

from .conftest import Served
from .helpers import Recorder, as_array, assert_same, call_kwargs

SEED = {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}


def _example(raw: httpx.Client, loss: str) -> dict[str, Any]:
    return dict(raw.get(f"/v1/losses/{loss}").json()["example"])


def _arrays(raw: httpx.Client, loss: str, inputs: dict[str, Any]) -> dict[str, np.ndarray[Any, Any]]:
    """The example's inputs as NumPy arrays: float64 for floating inputs, as NumPy reads them otherwise."""
    kinds = {i["name"]: i["kind"] for i in raw.get(f"/v1/losses/{loss}").json()["inputs"]}
    return {k: np.asarray(v, np.float64 if kinds[k] == "floating" else None) for k, v in inputs.items()}


def test_the_seed_example(client: LossClient) -> None:
    r = client.compute("mse", **SEED, grad=["input"])
    assert r.value == 0.13749998807907104
    assert r.grads["input"].dtype == np.float32
    assert r.grads["input"].tolist() == [-0.25, -0.09999990463256836, -0.04999995231628418, 0.25]
    assert (r.loss, r.shape, r.dtype, r.device) == ("mse", (), "float32", "cpu")


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_through_its_method(client: LossClient, raw: httpx.Client, loss: str) -> None:
    example = _example(raw, loss)
    kwargs = call_kwargs(example)
    want = raw.post(f"/v1/losses/{loss}", json=example).json()
    method = getattr(client, loss)

    assert_same(method(**kwargs), want)  # lists, as JSON
    assert_same(method(**kwargs, binary=True), want)  # the same lists in the binary form

    # NumPy arrays: float64 ones compute in float64, and their gradients come back in float64.
    arrays = _arrays(raw, loss, example["inputs"])
    got = method(**(kwargs | arrays))
    assert_same(got, raw.post(f"/v1/losses/{loss}", json={**example, "dtype": "float64"}).json())
    assert got.dtype == "float64"
    for name, grad in got.grads.items():
        assert np.asarray(grad).dtype == np.float64, name


def test_the_issue_example_with_numpy(client: LossClient) -> None:
    logits = np.float32([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    labels = np.array([0, 2])
    r = client.compute("cross_entropy", input=logits, target=labels, grad=True)
    want = -np.mean(np.log(np.exp(logits) / np.exp(logits).sum(1, keepdims=True))[[0, 1], labels])
    assert isinstance(r.value, float) and math.isclose(r.value, want, rel_tol=1e-6)
    assert r.grads["input"].dtype == np.float32 and r.grads["input"].shape == (2, 3)
    assert sorted(r.grads) == ["input"]  # class indices are not differentiable


def test_the_issue_example_with_torch(client: LossClient) -> None:
    torch = pytest.importorskip("torch")
    logits = torch.randn(8, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    labels = torch.tensor([0, 4, 1, 1, 3, 2, 0, 4])
    r = client.compute("cross_entropy", input=logits, target=labels, grad=True)
    want = torch.nn.CrossEntropyLoss()(logits, labels)
    want.backward()
    assert r.dtype == "float64"  # a float64 tensor computes in float64
    assert math.isclose(r.value, want.item(), rel_tol=1e-12)
    assert r.grads["input"].dtype == np.float64
    np.testing.assert_allclose(r.grads["input"], logits.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_torch_half_precision_tensors(client: LossClient) -> None:
    torch = pytest.importorskip("torch")
    x = torch.tensor([0.5, 1.5, 2.5], dtype=torch.bfloat16)
    y = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float16)
    r = client.mse(x, y, grad=True, reduction="none")
    np.testing.assert_array_equal(r.value, np.float16([0.25, 0.25, 2.25]))
    assert r.grads["target"].dtype == np.float16  # the caller's dtype
    assert r.grads["input"].dtype == np.float32  # NumPy has no bfloat16: the compute dtype


@pytest.mark.parametrize(
    ("dtype", "compute"), [(np.float16, "float32"), (np.float32, "float32"), (np.float64, "float64")]
)
def test_answers_come_back_in_the_callers_dtype(client: LossClient, dtype: Any, compute: str) -> None:
    x = np.array([[0.5, 1.5], [2.5, -1.0]], dtype=dtype)
    r = client.l1(x, np.zeros_like(x), reduction="none", grad=["input"])
    assert r.dtype == compute
    assert r.value.dtype == dtype and r.value.shape == (2, 2)
    assert r.grads["input"].dtype == dtype
    np.testing.assert_array_equal(r.value, np.abs(x))


def test_an_explicit_dtype_wins(client: LossClient) -> None:
    assert client.mse(**SEED, dtype="float64").value == 0.1375
    assert client.mse(np.float64(SEED["input"]), SEED["target"], dtype="float32").dtype == "float32"


def test_non_finite_numbers_both_ways(client: LossClient) -> None:
    x = [math.nan, math.inf, 1.0]
    for given in (x, np.array(x)):
        r = client.mse(given, [0.0, 0.0, -math.inf], reduction="none", grad=True)
        np.testing.assert_array_equal(r.value, [math.nan, math.inf, math.inf])
        assert np.isnan(r.grads["input"][0])


def test_large_tensors_travel_binary(lossd: Served) -> None:
    rec = Recorder()
    rng = np.random.default_rng(1)
    small, large = rng.standard_normal(8), rng.standard_normal(5000)
    with LossClient(lossd.url, binary_threshold=1024, httpx_args=rec.hooks()) as client:
        client.huber(small, small * 0.5, grad=True)
        big = client.huber(large, large * 0.5, grad=True, reduction="none")
        as_json = client.huber(large, large * 0.5, grad=True, reduction="none", binary=False)
    bodies = [json.loads(body) for _, _, body in rec.requests]
    assert "data" in bodies[0]["inputs"]["input"] and "output_encoding" not in bodies[0]
    assert "b64" in bodies[1]["inputs"]["input"] and bodies[1]["output_encoding"] == "b64"
    assert "data" in bodies[2]["inputs"]["input"]
    np.testing.assert_array_equal(big.value, as_json.value)
    np.testing.assert_array_equal(big.grads["input"], as_json.grads["input"])
    assert len(rec.requests[1][2]) < 0.6 * len(rec.requests[2][2])  # 8 bytes as 10.7 of base64, not ~20 of text


def test_a_batch_answers_in_order_each_on_its_own(client: LossClient, raw: httpx.Client) -> None:
    examples = [_example(raw, loss) for loss in LOSSES]
    computations = [
        Computation(loss, params=ex.get("params"), grad=ex.get("grad", False), **ex["inputs"])
        for loss, ex in zip(LOSSES, examples, strict=True)
    ]
    computations.insert(3, Computation("mse_los", **SEED))
    computations.insert(7, Computation("mse", input=[1.0, 2.0], target=[1.0], params={"reduction": "avg"}))
    results = client.batch(computations)
    assert len(results) == len(LOSSES) + 2
    assert isinstance(results[3], UnknownLoss) and "mse" in results[3].suggestions
    assert isinstance(results[7], InvalidRequest) and results[7].errors[0].loc == ("items", 7, "params", "reduction")
    good = [r for i, r in enumerate(results) if i not in (3, 7)]
    for loss, ex, r in zip(LOSSES, examples, good, strict=True):
        assert isinstance(r, Result)
        assert_same(r, raw.post(f"/v1/losses/{loss}", json=ex).json())
    assert client.batch([]) == []


def test_a_batch_is_split_to_the_servers_limits(busy_lossd: Served) -> None:
    rec = Recorder()
    with LossClient(busy_lossd.url, httpx_args=rec.hooks()) as client:
        results = client.batch([Computation("l1", input=[float(i)], target=[0.0]) for i in range(10)])
    assert [r.value for r in results if isinstance(r, Result)] == [float(i) for i in range(10)]
    batches = [body for method, path, body in rec.requests if path == "/v1/batch"]
    assert [len(json.loads(b)["items"]) for b in batches] == [4, 4, 2]  # max_batch_items = 4 there


def test_the_catalogue(client: LossClient) -> None:
    losses = client.losses()
    assert [d["name"] for d in losses] == sorted(LOSSES, key=[d["name"] for d in losses].index)
    assert set(LOSSES) == {d["name"] for d in losses}
    assert client.describe("CrossEntropyLoss")["name"] == "cross_entropy"
    assert client.info()["limits"]["max_batch_items"] == 256


@pytest.mark.parametrize("cls", [LossClient, AsyncLossClient])
def test_each_loss_has_a_method_with_its_inputs_params_and_docs(raw: httpx.Client, cls: type[Any]) -> None:
    for d in raw.get("/v1/losses").json()["losses"]:
        method = getattr(cls, d["name"])
        assert inspect.iscoroutinefunction(method) == (cls is AsyncLossClient)
        names = list(inspect.signature(method).parameters)
        assert names[1 : 1 + len(d["inputs"])] == [i["name"] for i in d["inputs"]]
        assert {p["name"] for p in d["params"]} <= set(names)
        text = " ".join(pydoc.render_doc(method, renderer=pydoc.plaintext).split())
        for field in ("summary", "formula", "use_when"):
            assert " ".join(d[field].split()) in text, (d["name"], field)


def test_help_on_the_client_lists_every_loss() -> None:
    text = pydoc.render_doc(LossClient, renderer=pydoc.plaintext)
    assert all(f" {loss}(self" in text for loss in LOSSES)


def test_results_match_the_raw_answer_for_grad_output(client: LossClient, raw: httpx.Client) -> None:
    body = {"inputs": SEED, "params": {"reduction": "none"}, "grad": True, "grad_output": [1.0, -2.0, 0.5, 3.0]}
    want = raw.post("/v1/losses/mse", json=body).json()
    got = client.mse(**SEED, reduction="none", grad=True, grad_output=np.array([1.0, -2.0, 0.5, 3.0]))
    np.testing.assert_array_equal(got.grads["input"], as_array(want["grads"]["input"]).astype(np.float32))
