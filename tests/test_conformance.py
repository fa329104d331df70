"""Every loss's value and gradients equal torch.nn's, over the wire, for drawn inputs.

One hypothesis test per loss draws the inputs and params (from tests/cases),
the compute dtype, each tensor's wire form, the output encoding, a
`grad_output` for unreduced losses, and whether the request goes alone or as
one item of a batch beside a failing neighbour.
"""

from typing import Any

import httpx
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from lossd.catalogue import CATALOGUE

from cases.all import CASES
from wire import FORMS, assert_close, from_wire, to_wire

NAMES = [loss.name for loss in CATALOGUE]
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def test_every_loss_has_cases() -> None:
    assert sorted(CASES) == sorted(NAMES)


def _expected(
    name: str,
    inputs: dict[str, torch.Tensor],
    params: dict[str, Any],
    dtype: torch.dtype,
    differentiable: set[str],
    go: torch.Tensor | None,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    x = {n: t.to(dtype if t.is_floating_point() else t.dtype, copy=True) for n, t in inputs.items()}
    wrt = [n for n in x if n in differentiable and x[n].is_floating_point()]
    for n in wrt:
        x[n].requires_grad_(True)
    p = {k: v.to(dtype) if isinstance(v, torch.Tensor) else v for k, v in params.items()}
    value = CASES[name].reference(x, p)
    grads: dict[str, torch.Tensor] = {}
    if wrt and value.requires_grad:
        found = torch.autograd.grad(
            value, [x[n] for n in wrt], go if go is not None else torch.ones_like(value), allow_unused=True
        )
        grads = {n: torch.zeros_like(x[n]) if g is None else g for n, g in zip(wrt, found, strict=True)}
    elif wrt:
        grads = {n: torch.zeros_like(x[n]) for n in wrt}
    return value.detach(), grads


def _post(client: httpx.Client, name: str, body: dict[str, Any], via: str) -> dict[str, Any]:
    if via == "single":
        r = client.post(f"/v1/losses/{name}", json=body)
        assert r.status_code == 200, r.text
        return r.json()
    neighbour = {"loss": name, "inputs": {"nope": [1.0]}}
    r = client.post("/v1/batch", json={"items": [neighbour, {"loss": name, **body}, neighbour]})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [("error" in s) for s in results] == [True, "error" in results[1], True]
    assert "error" not in results[1], results[1]
    return results[1]


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_value_and_gradients_equal_torch(client: httpx.Client, name: str, data: st.DataObject) -> None:
    descriptor = CATALOGUE.resolve(name)
    differentiable = {i.name for i in descriptor.inputs if i.differentiable or i.role == "class_target"}
    case = data.draw(CASES[name].strategy, label="case")
    dtype_name = data.draw(st.sampled_from(sorted(DTYPES)), label="dtype")
    dtype = DTYPES[dtype_name]
    encoding = data.draw(st.sampled_from(["json", "b64"]), label="output_encoding")
    via = data.draw(st.sampled_from(["single", "batch"]), label="via")

    def wire(t: torch.Tensor, label: str) -> Any:
        if t.dtype == torch.int64 and data.draw(st.booleans(), label=f"{label} as int32"):
            t = t.to(torch.int32)
        return to_wire(t, data.draw(st.sampled_from(FORMS), label=f"{label} form"))

    value, _ = _expected(name, case.inputs, case.params, dtype, set(), None)
    go = None
    if data.draw(st.booleans(), label="with grad_output"):
        go = torch.randn(
            value.shape, generator=torch.Generator().manual_seed(data.draw(st.integers(0, 9))), dtype=torch.float64
        ).to(dtype)
    want, want_grads = _expected(name, case.inputs, case.params, dtype, differentiable, go)

    body: dict[str, Any] = {
        "inputs": {n: wire(t, n) for n, t in case.inputs.items()},
        "params": {k: wire(v.to(dtype), k) if isinstance(v, torch.Tensor) else v for k, v in case.params.items()},
        "grad": True,
        "dtype": dtype_name,
        "output_encoding": encoding,
    }
    if go is not None:
        body["grad_output"] = wire(go, "grad_output")
    got = _post(client, name, body, via)

    assert got["loss"] == name
    assert got["dtype"] == dtype_name
    assert got["shape"] == list(want.shape)
    assert_close(from_wire(got["value"]), want, dtype, "value")
    assert sorted(got.get("grads", {})) == sorted(want_grads)
    for n, g in want_grads.items():
        assert_close(from_wire(got["grads"][n]), g, dtype, f"grad {n}")
