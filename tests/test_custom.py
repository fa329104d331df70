"""Custom losses over HTTP: the expression language against the built-in losses it can write, the
tutorials' own losses end to end, the dry run, and what the language refuses (with its position).

The property test writes each built-in loss in the language and draws inputs (from tests/cases where
the built-in's params can be written, else here); value and gradients must equal the built-in's
reference (torch.nn's class, or the extra loss's independent formula) within the contract's tolerance.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import mean_absolute_percentage_error

from lossd.catalogue.validate import COMPUTE_DTYPES
from lossd.codec import ElementBudget, Limits
from lossd.custom import FUNCTIONS, LIMITS, parse, prepare_custom
from lossd.errors import InvalidRequest

from cases import REDUCTIONS, Case, Reference, floats, ints, shapes
from cases.all import CASES
from wire import FORMS, assert_close, from_wire, to_wire

SEED = {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}
SEED_GRAD = [-0.25, -0.09999990463256836, -0.04999995231628418, 0.25]
TUTORIAL_MSE = "mean((input - target) ** 2)"
TUTORIAL_MAPE = "mean(abs((input - target) / clamp(abs(target), min=1e-8)))"
SKLEARN_EPS = 2.220446049250313e-16  # the built-in mape's default eps
PRICES = {"input": [310000, 455000, 198000, 620000], "target": [300000, 480000, 210000, 600000]}


def _n(v: float) -> str:
    return repr(float(v))


def _reduced(per: str, p: dict[str, Any]) -> str:
    return {"mean": f"mean({per})", "sum": f"sum({per})", "none": per}[p.get("reduction", "mean")]


def _weighted(per: str, case: Case, *names: str) -> str:
    """`per`, multiplied by each tensor param of these names the case has (sent as an input)."""
    for name in names:
        if name in case.params:
            per = f"{name} * ({per})"
    return per


def _tensor_params(case: Case) -> dict[str, torch.Tensor]:
    """The inputs of the expression: the loss's inputs, and its tensor params (weights) as inputs too."""
    return {**case.inputs, **{k: v for k, v in case.params.items() if isinstance(v, torch.Tensor)}}


@dataclass(frozen=True)
class Written:
    """A built-in loss written in the expression language."""

    strategy: st.SearchStrategy[Case]
    expression: Callable[[Case], str]
    reference: Reference
    grads: tuple[str, ...]
    inputs: Callable[[Case], dict[str, torch.Tensor]] = field(default=_tensor_params)


# --- the built-ins, written in the language ---------------------------------------------------------

D = "(input - target)"


def _huber(c: Case) -> str:
    d = _n(c.params.get("delta", 1.0))
    return _reduced(f"where(abs{D} < {d}, 0.5 * {D} ** 2, {d} * (abs{D} - 0.5 * {d}))", c.params)


def _smooth_l1(c: Case) -> str:
    beta = c.params.get("beta", 1.0)
    if beta == 0:
        return _reduced(f"abs{D}", c.params)
    b = _n(beta)
    return _reduced(f"where(abs{D} < {b}, 0.5 * {D} ** 2 / {b}, abs{D} - 0.5 * {b})", c.params)


def _bce(c: Case) -> str:
    per = "-(target * clamp(log(input), min=-100) + (1 - target) * clamp(log(1 - input), min=-100))"
    return _reduced(_weighted(per, c, "weight"), c.params)


def _bce_with_logits(c: Case) -> str:
    log_weight = "(1 + (pos_weight - 1) * target)" if "pos_weight" in c.params else "1"
    per = f"(1 - target) * input + {log_weight} * softplus(-input)"
    return _reduced(_weighted(per, c, "weight"), c.params)


def _multilabel_soft_margin(c: Case) -> str:
    per = _weighted("target * softplus(-input) + (1 - target) * softplus(input)", c, "weight")
    return _reduced(f"mean({per}, dim=-1)", c.params)


def _poisson_nll(c: Case) -> str:
    p = c.params
    per = "exp(input) - target * input" if p["log_input"] else f"input - target * log(input + {_n(p['eps'])})"
    if p["full"]:
        stirling = "target * log(target) - target + 0.5 * log(2 * 3.141592653589793 * target)"
        per = f"{per} + where(target > 1, {stirling}, 0)"
    return _reduced(per, p)


def _kl_div(c: Case) -> str:
    p = c.params
    per = "exp(target) * (target - input)" if p.get("log_target") else "target * (log(target) - input)"
    if p["reduction"] == "batchmean":
        n = c.inputs["input"].shape[0] if c.inputs["input"].dim() else 1
        return f"sum({per}) / {n}"
    return _reduced(per, p)


def _cosine(c: Case) -> str:
    # PyTorch's EPSILON is 1e-12 as a float32 (9.999999960041972e-13), which shows for zero vectors.
    cos = (
        "(sum(input1 * input2, dim=-1) / sqrt((sum(input1 * input1, dim=-1) + 9.999999960041972e-13) * "
        "(sum(input2 * input2, dim=-1) + 9.999999960041972e-13)))"
    )
    return _reduced(f"where(target == 1, 1 - {cos}, clamp({cos} - {_n(c.params['margin'])}, min=0))", c.params)


def _class_dim(c: Case) -> int:
    return 0 if c.inputs["input"].dim() == 1 else 1


def _cross_entropy(c: Case) -> str:
    k = _class_dim(c)
    return _reduced(f"-sum(target * log_softmax(input, dim={k}), dim={k})", c.params)


def _nll(c: Case) -> str:
    return _reduced(f"-sum(target * input, dim={_class_dim(c)})", c.params)


def _dice(c: Case) -> str:
    s = _n(c.params.get("smooth", 1.0))
    rank = c.inputs["input"].dim()
    if rank == 1:  # one element a sample
        return _reduced(f"1 - (2 * input * target + {s}) / (input + target + {s})", c.params)
    dims = "1" if rank == 2 else "(" + ", ".join(str(i) for i in range(1, rank)) + ")"
    per = f"1 - (2 * sum(input * target, dim={dims}) + {s}) / (sum(input, dim={dims}) + sum(target, dim={dims}) + {s})"
    return _reduced(per, c.params)


def _focal(c: Case) -> str:
    alpha, gamma = c.params.get("alpha", 0.25), c.params.get("gamma", 2.0)
    ce = "(softplus(input) - target * input)"
    miss = "(sigmoid(input) * (1 - target) + sigmoid(-input) * target)"
    per = f"{ce} * {miss} ** {_n(gamma)}"
    if alpha >= 0:
        per = f"({_n(alpha)} * target + (1 - {_n(alpha)}) * (1 - target)) * {per}"
    return _reduced(per, c.params)


def _triplet(c: Case) -> str:
    def dist(other: str) -> str:
        return f"sqrt(sum((anchor - {other} + 1e-06) ** 2, dim=-1))"

    return _reduced(f"clamp({_n(c.params['margin'])} + {dist('positive')} - {dist('negative')}, min=0)", c.params)


@st.composite
def _one_hot_case(draw: st.DrawFn, log_probs: bool) -> Case:
    """Class indices for (C), (N, C) or (N, C, d...) scores; the expression gets them one-hot."""
    c = draw(st.integers(1, 4))
    form = draw(st.sampled_from(["unbatched", "batched", "spatial"]))
    n = draw(st.integers(1, 3))
    spatial = draw(shapes(1, 2, max_side=3)) if form == "spatial" else ()
    in_shape = (c,) if form == "unbatched" else (n, c, *spatial)
    idx_shape = () if form == "unbatched" else (n, *spatial)
    scores = draw(floats(in_shape))
    if log_probs:
        scores = torch.log_softmax(scores, dim=0 if form == "unbatched" else 1)
    return Case({"input": scores, "target": draw(ints(idx_shape, 0, c - 1))}, {"reduction": draw(REDUCTIONS)})


def _one_hot(case: Case) -> dict[str, torch.Tensor]:
    target = case.inputs["target"]
    c = case.inputs["input"].shape[0 if case.inputs["input"].dim() == 1 else 1]
    hot = F.one_hot(target, c).to(torch.float64)
    return {"input": case.inputs["input"], "target": hot if target.dim() == 0 else hot.movedim(-1, 1)}


@st.composite
def _probabilities_case(draw: st.DrawFn) -> Case:
    c = draw(st.integers(1, 4))
    shape = draw(st.sampled_from([(c,), (draw(st.integers(1, 3)), c), (2, c, draw(st.integers(1, 3)))]))
    return Case(
        {"input": draw(floats(shape)), "target": draw(floats(shape, 0.0, 1.0))}, {"reduction": draw(REDUCTIONS)}
    )


@st.composite
def _gaussian_case(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    # var stays above eps, where PyTorch's clamp (taken outside autograd) and clamp (inside) agree.
    var_shape = draw(st.sampled_from([shape, ()]))
    inputs = {
        "input": draw(floats(shape, -5.0, 5.0)),
        "target": draw(floats(shape, -5.0, 5.0)),
        "var": draw(floats(var_shape, 0.0625, 4.0)),
    }
    return Case(inputs, {"full": draw(st.booleans()), "reduction": draw(REDUCTIONS)})


def _gaussian(c: Case) -> str:
    per = "0.5 * (log(clamp(var, min=1e-06)) + (input - target) ** 2 / clamp(var, min=1e-06))"
    if c.params["full"]:
        per = f"{per} + 0.5 * log(2 * 3.141592653589793)"
    return _reduced(per, c.params)


def _gaussian_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    var = x["var"] * torch.ones_like(x["input"]) if x["var"].dim() == 0 else x["var"]
    return torch.nn.GaussianNLLLoss(**p)(x["input"], x["target"], var)


@st.composite
def _triplet_case(draw: st.DrawFn) -> Case:
    shape = draw(shapes(1, 2))
    inputs = {n: draw(floats(shape)) for n in ("anchor", "positive", "negative")}
    return Case(inputs, {"margin": draw(st.floats(0.0625, 4.0)), "reduction": draw(REDUCTIONS)})


def _nn(cls: Callable[..., torch.nn.Module], *names: str) -> Reference:
    return lambda x, p: cls(**p)(*(x[n] for n in names))


IT = ("input", "target")
WRITTEN: dict[str, Written] = {
    "mse": Written(CASES["mse"].strategy, lambda c: _reduced(f"{D} ** 2", c.params), CASES["mse"].reference, IT),
    "l1": Written(CASES["l1"].strategy, lambda c: _reduced(f"abs{D}", c.params), CASES["l1"].reference, IT),
    "huber": Written(CASES["huber"].strategy, _huber, CASES["huber"].reference, IT),
    "smooth_l1": Written(CASES["smooth_l1"].strategy, _smooth_l1, CASES["smooth_l1"].reference, IT),
    "bce": Written(CASES["bce"].strategy, _bce, CASES["bce"].reference, IT),
    "bce_with_logits": Written(
        CASES["bce_with_logits"].strategy, _bce_with_logits, CASES["bce_with_logits"].reference, IT
    ),
    "soft_margin": Written(
        CASES["soft_margin"].strategy,
        lambda c: _reduced("softplus(-target * input)", c.params),
        CASES["soft_margin"].reference,
        ("input",),
    ),
    "multilabel_soft_margin": Written(
        CASES["multilabel_soft_margin"].strategy,
        _multilabel_soft_margin,
        CASES["multilabel_soft_margin"].reference,
        ("input",),
    ),
    "hinge_embedding": Written(
        CASES["hinge_embedding"].strategy,
        lambda c: _reduced(f"where(target == 1, input, clamp({_n(c.params['margin'])} - input, min=0))", c.params),
        CASES["hinge_embedding"].reference,
        ("input",),
    ),
    "margin_ranking": Written(
        CASES["margin_ranking"].strategy,
        lambda c: _reduced(f"clamp(-target * (input1 - input2) + {_n(c.params['margin'])}, min=0)", c.params),
        CASES["margin_ranking"].reference,
        ("input1", "input2"),
    ),
    "cosine_embedding": Written(
        CASES["cosine_embedding"].strategy, _cosine, CASES["cosine_embedding"].reference, ("input1", "input2")
    ),
    "triplet_margin": Written(
        _triplet_case(),
        _triplet,
        _nn(torch.nn.TripletMarginLoss, "anchor", "positive", "negative"),
        ("anchor", "positive", "negative"),
    ),
    "cross_entropy/probabilities": Written(
        _probabilities_case(), _cross_entropy, _nn(torch.nn.CrossEntropyLoss, "input", "target"), IT
    ),
    "cross_entropy/one-hot": Written(
        _one_hot_case(log_probs=False),
        _cross_entropy,
        _nn(torch.nn.CrossEntropyLoss, "input", "target"),
        ("input",),
        _one_hot,
    ),
    "nll/one-hot": Written(
        _one_hot_case(log_probs=True), _nll, _nn(torch.nn.NLLLoss, "input", "target"), ("input",), _one_hot
    ),
    "kl_div": Written(CASES["kl_div"].strategy, _kl_div, CASES["kl_div"].reference, IT),
    "poisson_nll": Written(CASES["poisson_nll"].strategy, _poisson_nll, CASES["poisson_nll"].reference, IT),
    "gaussian_nll": Written(_gaussian_case(), _gaussian, _gaussian_reference, ("input", "target", "var")),
    "mape": Written(
        CASES["mape"].strategy,
        lambda c: _reduced(f"abs{D} / clamp(abs(target), min={_n(c.params.get('eps', SKLEARN_EPS))})", c.params),
        CASES["mape"].reference,
        ("input",),
    ),
    "rmse": Written(CASES["rmse"].strategy, lambda c: f"sqrt(mean({D} ** 2))", CASES["rmse"].reference, IT),
    "hinge": Written(
        CASES["hinge"].strategy,
        lambda c: _reduced(f"clamp({_n(c.params.get('margin', 1.0))} - target * input, min=0)", c.params),
        CASES["hinge"].reference,
        ("input",),
    ),
    "quantile": Written(
        CASES["quantile"].strategy,
        lambda c: _reduced(
            f"maximum({_n(c.params.get('q', 0.5))} * (target - input), ({_n(c.params.get('q', 0.5))} - 1) * "
            "(target - input))",
            c.params,
        ),
        CASES["quantile"].reference,
        ("input",),
    ),
    "log_cosh": Written(
        CASES["log_cosh"].strategy,
        lambda c: _reduced(f"abs{D} + softplus(-2 * abs{D}) - log(2)", c.params),
        CASES["log_cosh"].reference,
        IT,
    ),
    "focal": Written(CASES["focal"].strategy, _focal, CASES["focal"].reference, ("input",)),
    "dice": Written(CASES["dice"].strategy, _dice, CASES["dice"].reference, ("input",)),
}


def _expected(
    written: Written, case: Case, dtype: torch.dtype, go: torch.Tensor | None
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    x = {n: t.to(dtype if t.is_floating_point() else t.dtype, copy=True) for n, t in case.inputs.items()}
    for n in written.grads:
        x[n].requires_grad_(True)
    p = {k: v.to(dtype) if isinstance(v, torch.Tensor) else v for k, v in case.params.items()}
    value = written.reference(x, p)
    wrt = [x[n] for n in written.grads]
    found = torch.autograd.grad(value, wrt, go if go is not None else torch.ones_like(value), allow_unused=True)
    grads = {n: torch.zeros_like(x[n]) if g is None else g for n, g in zip(written.grads, found, strict=True)}
    return value.detach(), grads


@pytest.mark.parametrize("name", sorted(WRITTEN))
@given(data=st.data())
def test_an_expression_equals_the_builtin_it_writes(client: httpx.Client, name: str, data: st.DataObject) -> None:
    written = WRITTEN[name]
    case = data.draw(written.strategy, label="case")
    dtype_name = data.draw(st.sampled_from(sorted(COMPUTE_DTYPES)), label="dtype")
    dtype = COMPUTE_DTYPES[dtype_name]
    with torch.no_grad():
        shape = written.reference(
            {n: t.to(dtype) if t.is_floating_point() else t for n, t in case.inputs.items()},
            {k: v.to(dtype) if isinstance(v, torch.Tensor) else v for k, v in case.params.items()},
        ).shape
    go = None
    if shape and data.draw(st.booleans(), label="with grad_output"):
        go = torch.randn(shape, generator=torch.Generator().manual_seed(data.draw(st.integers(0, 9)))).to(dtype)
    want, want_grads = _expected(written, case, dtype, go)
    expression = written.expression(case)
    body: dict[str, Any] = {
        "expression": expression,
        "inputs": {
            n: to_wire(t.to(dtype), data.draw(st.sampled_from(FORMS), label=f"{n} form"))
            for n, t in written.inputs(case).items()
        },
        "grad": list(written.grads),
        "dtype": dtype_name,
        "output_encoding": data.draw(st.sampled_from(["json", "b64"]), label="output_encoding"),
    }
    if go is not None:
        body["grad_output"] = to_wire(go, "plain")
    r = client.post("/v1/custom", json=body)
    assert r.status_code == 200, (expression, r.text)
    got = r.json()
    assert got["loss"] == "custom" and got["dtype"] == dtype_name and got["shape"] == list(want.shape)
    assert_close(from_wire(got["value"]), want, dtype, f"value of {expression}")
    for n, g in want_grads.items():
        assert_close(from_wire(got["grads"][n]), g, dtype, f"grad {n} of {expression}")


# --- the tutorials' losses, end to end ---------------------------------------------------------------


def test_the_tutorials_mse_is_the_seed_example(client: httpx.Client) -> None:
    r = client.post("/v1/custom", json={"expression": TUTORIAL_MSE, "inputs": SEED, "grad": ["input"]})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "loss": "custom",
        "value": 0.13749998807907104,
        "shape": [],
        "dtype": "float32",
        "grads": {"input": SEED_GRAD},
        "device": "cpu",
    }


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_tutorials_mape_on_house_prices(client: httpx.Client, dtype: str) -> None:
    r = client.post(
        "/v1/custom", json={"expression": TUTORIAL_MAPE, "inputs": PRICES, "grad": ["input"], "dtype": dtype}
    )
    assert r.status_code == 200, r.text
    got = r.json()
    want = mean_absolute_percentage_error(PRICES["target"], PRICES["input"])
    assert got["value"] == pytest.approx(want, rel=1e-6 if dtype == "float32" else 1e-12)
    builtin = client.post("/v1/losses/mape", json={"inputs": PRICES, "grad": ["input"], "dtype": dtype}).json()
    t = COMPUTE_DTYPES[dtype]
    assert_close(from_wire(got["value"]), from_wire(builtin["value"]), t, "value")
    assert_close(from_wire(got["grads"]["input"]), from_wire(builtin["grads"]["input"]), t, "grad")


def test_an_unreduced_expression_answers_a_tensor_with_its_vjp(client: httpx.Client) -> None:
    body = {
        "expression": "(input - target) ** 2",
        "inputs": SEED,
        "grad": True,
        "grad_output": [1, 0, 2, 0],
        "dtype": "float64",
        "output_encoding": "b64",
    }
    got = client.post("/v1/custom", json=body).json()
    d = torch.tensor(SEED["input"], dtype=torch.float64) - torch.tensor(SEED["target"], dtype=torch.float64)
    assert got["shape"] == [4]
    torch.testing.assert_close(from_wire(got["value"]), d**2)
    go = torch.tensor([1.0, 0, 2, 0], dtype=torch.float64)
    torch.testing.assert_close(from_wire(got["grads"]["input"]), 2 * d * go)
    torch.testing.assert_close(from_wire(got["grads"]["target"]), -2 * d * go)


def test_a_comparison_counts_as_one_or_zero(client: httpx.Client) -> None:
    body = {"expression": "sum((input > target) * input)", "inputs": SEED, "grad": ["input"]}
    got = client.post("/v1/custom", json=body).json()
    assert got["value"] == 9.5
    assert got["grads"]["input"] == [0.0, 0.0, 0.0, 1.0]


def test_an_input_the_value_ignores_gets_a_zero_gradient(client: httpx.Client) -> None:
    body = {"expression": "sum(where(target > 6, input, 0))", "inputs": SEED, "grad": True}
    got = client.post("/v1/custom", json=body).json()
    assert got["value"] == pytest.approx(16.4, rel=1e-6)
    assert got["grads"] == {"input": [0.0, 0.0, 1.0, 1.0], "target": [0.0, 0.0, 0.0, 0.0]}


def test_a_custom_job_counts_its_intermediates_for_the_pool() -> None:
    # Tiny inputs, a large broadcast: the pool must see the work, not the inputs, to leave the event loop.
    expr = parse("sum(a * b)")
    inputs = {"a": [[1.0]] * 100, "b": [[1.0] * 100]}
    job = prepare_custom(expr, inputs, None, None, "float32", Limits(1 << 20, 8), ElementBudget(1 << 20), 1 << 20)
    assert job.elements == 200 + 100 * 100 + 1


# --- the dry run ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "want"),
    [
        pytest.param(
            {"expression": TUTORIAL_MAPE},
            {"inputs": ["input", "target"], "scalar": True, "shape": [], "elements": None},
            id="mape",
        ),
        pytest.param(
            {"expression": "(input - target) ** 2"},
            {"inputs": ["input", "target"], "scalar": False, "shape": None, "elements": None},
            id="unreduced",
        ),
        pytest.param(
            {"expression": "sum((input - target) ** 2, dim=1)", "shapes": {"input": [8, 3], "target": [1, 3]}},
            {"inputs": ["input", "target"], "scalar": False, "shape": [8], "elements": 56},
            id="with-shapes",
        ),
        pytest.param(
            {"expression": "mean(x, dim=0, keepdim=True) - y", "shapes": {"x": [], "y": []}},
            {"inputs": ["x", "y"], "scalar": True, "shape": [], "elements": 2},
            id="0-d",
        ),
    ],
)
def test_the_dry_run_reports_inputs_and_scalarity(client: httpx.Client, body: dict[str, Any], want: dict) -> None:
    r = client.post("/v1/custom/check", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert {k: got[k] for k in want} == want
    assert got["expression"] == body["expression"]
    assert set(got["functions"]) <= set(FUNCTIONS)


def test_the_dry_run_names_its_functions_and_size(client: httpx.Client) -> None:
    got = client.post("/v1/custom/check", json={"expression": TUTORIAL_MAPE}).json()
    assert got["functions"] == ["abs", "clamp", "mean"]
    assert (got["nodes"], got["depth"]) == (10, 6)


@pytest.mark.parametrize(
    ("body", "status", "loc"),
    [
        ({"expression": "input + target", "shapes": {"input": [3]}}, 422, ["shapes", "target"]),
        ({"expression": "input", "shapes": {"input": [3], "other": [3]}}, 422, ["shapes", "other"]),
        ({"expression": "input", "shapes": {"input": [-1]}}, 422, ["shapes", "input", 0]),
        ({"expression": "input + target", "shapes": {"input": [3], "target": [2]}}, 422, ["expression"]),
        ({"expression": "a * b", "shapes": {"a": [100000, 1], "b": [1, 100000]}}, 413, None),
        ({"expression": "input", "shapes": {"input": [2] * 9}}, 413, None),
        ({"expression": "open(input)"}, 422, ["expression"]),
        ({"expression": "input", "inputs": {"input": 1}}, 422, ["inputs"]),
    ],
)
def test_the_dry_run_refuses_what_compute_would(
    client: httpx.Client, body: dict[str, Any], status: int, loc: list | None
) -> None:
    r = client.post("/v1/custom/check", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    if loc is not None:
        assert r.json()["errors"][0]["loc"] == loc


# --- what the language refuses, and where ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "col", "token"),
    [
        ("mean(abs(input - target) / clamp(abs(target), mn=1e-8))", 47, "mn"),
        ("input.sum()", 6, ".sum"),
        ("mean(input ** target) + exp(input) @ 2", 36, "@"),
        ("log(input) + sigma(target)", 14, "sigma"),
        ("input < target < 2", 16, "<"),
        ("mean(input, dim=input)", 17, "input"),
        ("where(input, target, 0)", 7, "input"),
        ("input ** 100", 10, "100"),
        ("input * 1e10", 9, "1e10"),
        ("input + ", 9, "end of expression"),
        ("input + __class__", 9, "__class__"),
        ("softmax(input)", 1, "softmax"),
        ("sum(input, dim=(0, 0))", 1, "sum"),
    ],
)
def test_a_bad_expression_is_a_422_naming_column_and_token(
    client: httpx.Client, expression: str, col: int, token: str
) -> None:
    names = parse_names(expression)
    r = client.post("/v1/custom", json={"expression": expression, "inputs": {n: [1.0, 2.0] for n in names}})
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert errors[0]["loc"] == ["expression"], errors
    assert errors[0]["msg"].startswith(f"col {col}, at {token!r}:"), errors[0]["msg"]


def parse_names(expression: str) -> set[str]:
    """The input names an expression mentions (for the bad ones: those it would use)."""
    return {n for n in ("input", "target") if n in expression}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"expression": "input - target", "inputs": {"input": [1.0]}}, ["inputs", "target"]),
        ({"expression": "input", "inputs": {"input": [1.0], "target": [1.0]}}, ["inputs", "target"]),
        ({"expression": "input", "inputs": {"input": [1.0]}, "grad": ["target"]}, ["grad", 0]),
        ({"expression": "input", "inputs": {"input": [1.0]}, "grad_output": [1.0]}, ["grad_output"]),
        ({"expression": "input", "inputs": {"input": ["1.5"]}}, ["inputs", "input", 0]),
        ({"expression": "input", "inputs": {"input": [1.0]}, "params": {}}, ["params"]),
        ({"expression": 5, "inputs": {"input": [1.0]}}, ["expression"]),
        ({"expression": "", "inputs": {"input": [1.0]}}, ["expression"]),
        ({"expression": "2 + 3", "inputs": {}}, ["expression"]),
        ({"expression": "input", "inputs": {"input": [1.0]}, "dtype": "float16"}, ["dtype"]),
    ],
)
def test_a_bad_request_is_a_422_naming_the_field(client: httpx.Client, body: dict[str, Any], loc: list) -> None:
    r = client.post("/v1/custom", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == loc


def test_every_function_is_documented_and_evaluates() -> None:
    # Each function of the allow-list parses in its simplest call and computes on the CPU.
    calls = {
        "pow": "pow(x, 2)",
        "minimum": "minimum(x, 0.5)",
        "maximum": "maximum(x, 0.5)",
        "where": "where(x > 0, x, 0)",
        "clamp": "clamp(x, min=0, max=1)",
        "softmax": "softmax(x, dim=0)",
        "log_softmax": "log_softmax(x, 0)",
    }
    x = torch.tensor([0.25, 0.5])
    for name in FUNCTIONS:
        expr = parse(calls.get(name, f"{name}(x)"))
        job = prepare_custom(
            expr, {"x": x.tolist()}, True, None, "float32", Limits(64, 8), ElementBudget(1 << 10), 1 << 10
        )
        value = job.loss.forward(dict(job.inputs), job.params)
        assert torch.isfinite(value).all(), name


def test_limits_are_the_documented_ones() -> None:
    assert (LIMITS.max_length, LIMITS.max_nodes, LIMITS.max_depth, LIMITS.max_inputs) == (1000, 256, 32, 16)
    assert (LIMITS.max_constant, LIMITS.max_exponent) == (1e9, 64)
    with pytest.raises(InvalidRequest):
        parse("x" * 1001)
    assert math.isclose(parse("x * 1e9").root.args[1].value, 1e9)


def test_the_openapi_document_describes_the_custom_routes(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    compute = paths["/v1/custom"]["post"]
    assert compute["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CustomRequest")
    assert compute["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ComputeResponse")
    check = paths["/v1/custom/check"]["post"]
    assert check["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CustomCheckResponse")


def test_a_dim_beyond_any_tensor_says_out_of_range(client: httpx.Client) -> None:
    body = {"expression": "mean(input - target, dim=99)", "inputs": {"input": [1.0], "target": [2.0]}}
    r = client.post("/v1/custom", json=body)
    assert r.status_code == 422
    (msg,) = [e["msg"] for e in r.json()["errors"]]
    assert "out of range" in msg and "integer literal" not in msg
