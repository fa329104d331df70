"""The catalogue as users read it: complete descriptors, names that resolve, examples that run."""

from typing import Any

import httpx
import pytest
import torch

from lossd.catalogue import CATALOGUE

from cases.all import CASES
from wire import assert_close, from_wire

NAMES = [loss.name for loss in CATALOGUE]
CONTRACT_NAMES = {
    "l1",
    "mse",
    "cross_entropy",
    "ctc",
    "nll",
    "poisson_nll",
    "gaussian_nll",
    "kl_div",
    "bce",
    "bce_with_logits",
    "margin_ranking",
    "hinge_embedding",
    "multilabel_margin",
    "huber",
    "smooth_l1",
    "soft_margin",
    "multilabel_soft_margin",
    "cosine_embedding",
    "multi_margin",
    "triplet_margin",
    "triplet_margin_with_distance",
    "mape",
    "rmse",
    "hinge",
    "quantile",
    "log_cosh",
    "focal",
    "dice",
}
TASKS = {"regression", "classification", "ranking", "embedding", "sequence", "probabilistic", "segmentation"}


def test_catalogue_holds_exactly_the_contract_losses() -> None:
    assert set(NAMES) == CONTRACT_NAMES


def test_list_serves_every_descriptor(client: httpx.Client) -> None:
    r = client.get("/v1/losses")
    assert r.status_code == 200
    assert [d["name"] for d in r.json()["losses"]] == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_descriptor_is_complete(client: httpx.Client, name: str) -> None:
    d = client.get(f"/v1/losses/{name}").json()
    assert d["name"] == name
    assert d["task"] in TASKS
    for key in ("summary", "formula", "use_when"):
        assert isinstance(d[key], str) and len(d[key]) > 20, key
    assert d["inputs"] and all(i["shape"] and i["description"] for i in d["inputs"])
    assert any(i["differentiable"] for i in d["inputs"])
    assert all(p["description"] for p in d["params"])
    assert set(d["example"]["inputs"]) == {i["name"] for i in d["inputs"]}


@pytest.mark.parametrize("name", NAMES)
def test_aliases_resolve_in_any_case(client: httpx.Client, name: str) -> None:
    loss = CATALOGUE.resolve(name)
    for alias in (name, *loss.aliases):
        for spelled in (alias, alias.upper(), alias.lower()):
            r = client.get(f"/v1/losses/{spelled}")
            assert r.status_code == 200 and r.json()["name"] == name, spelled


def test_torch_names_are_aliases() -> None:
    for loss in CATALOGUE:
        if loss.torch:
            cls = loss.torch.rsplit(".", 1)[-1]
            assert getattr(torch.nn, cls) is not None
            assert CATALOGUE.resolve(cls) is loss
            assert loss.functional and hasattr(torch.nn.functional, loss.functional)
            assert CATALOGUE.resolve(loss.functional) is loss


def test_unknown_name_is_404_with_close_names(client: httpx.Client) -> None:
    r = client.get("/v1/losses/cross_entropi")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert "cross_entropy" in r.json()["suggestions"]


def _example_tensors(name: str, inputs: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The example's plain JSON inputs as tensors, by each input's declared kind."""
    loss = CATALOGUE.resolve(name)
    out: dict[str, torch.Tensor] = {}
    for spec in loss.inputs:
        t = from_wire(inputs[spec.name])
        index = spec.role == "index" or (spec.role == "class_target" and t.shape != out["input"].shape)
        out[spec.name] = t.to(torch.int64) if index else t
    return out


@pytest.mark.parametrize("name", NAMES)
def test_example_runs_and_equals_torch(client: httpx.Client, name: str) -> None:
    example = CATALOGUE.resolve(name).example
    r = client.post(f"/v1/losses/{name}", json=example)
    assert r.status_code == 200, r.text
    got = r.json()
    dtype = torch.float64 if example.get("dtype") == "float64" else torch.float32
    x = {n: t.to(dtype) if t.is_floating_point() else t for n, t in _example_tensors(name, example["inputs"]).items()}
    grad = example.get("grad") or []
    wrt = [n for n in x if n in got.get("grads", {})]
    assert wrt or not grad
    for n in wrt:
        x[n].requires_grad_(True)
    params = {
        k: torch.tensor(v, dtype=dtype) if isinstance(v, list) else v for k, v in (example.get("params") or {}).items()
    }
    want = CASES[name].reference(x, params)
    assert_close(from_wire(got["value"]), want, dtype, "value")
    if wrt:
        grads = torch.autograd.grad(want, [x[n] for n in wrt], torch.ones_like(want))
        for n, g in zip(wrt, grads, strict=True):
            assert_close(from_wire(got["grads"][n]), g, dtype, f"grad {n}")


@pytest.mark.parametrize("name", [loss.name for loss in CATALOGUE if loss.batchable])
def test_a_batchable_loss_is_elementwise(client: httpx.Client, name: str) -> None:
    example = CATALOGUE.resolve(name).example
    body = {**example, "params": {**(example.get("params") or {}), "reduction": "none"}}
    r = client.post(f"/v1/losses/{name}", json=body)
    assert r.status_code == 200, r.text
    shapes = {tuple(from_wire(v).shape) for v in example["inputs"].values()}
    assert shapes == {tuple(r.json()["shape"])}
