"""Cases for catalogue/probabilistic.py."""

from typing import Any

import torch
from hypothesis import strategies as st

from . import REDUCTIONS, Bad, Case, LossCases, floats, ints, shapes


def _squashed(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts to `shape`: some leading dimensions dropped, some others 1."""
    k = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else d for d in shape[len(shape) - k :])


def _target_shape(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[int, ...]:
    return _squashed(draw, shape) if draw(st.integers(0, 3)) == 0 else shape


@st.composite
def _poisson_nll(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    log_input, full = draw(st.booleans()), draw(st.booleans())
    # A log-rate may be any real; a rate must stay clear of 0, where log(input + eps) is steep.
    rates = floats(shape, -3.0, 3.0) if log_input else floats(shape, 0.125, 10.0)
    target_shape = _target_shape(draw, shape)
    # Counts; with full, none at 0, where the Stirling term's gradient is NaN (in PyTorch too).
    counts = floats(target_shape, 0.25, 10.0) if full else ints(target_shape, 0, 10).map(lambda t: t.to(torch.float64))
    params = {
        "log_input": log_input,
        "full": full,
        "eps": draw(st.sampled_from([1e-8, 1e-4, 0.5])),
        "reduction": draw(REDUCTIONS),
    }
    return Case({"input": draw(rates), "target": draw(counts)}, params)


def _var_shape(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Each var shape PyTorch takes for an input of `shape`."""
    forms = [shape, ()]
    if shape:
        forms.append(shape[:-1])
        # One dimension of size 1 where input's is larger.
        forms += [(*shape[:i], 1, *shape[i + 1 :]) for i, d in enumerate(shape) if d > 1]
    return draw(st.sampled_from(forms))


@st.composite
def _gaussian_nll(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    inputs = {
        "input": draw(floats(shape, -5.0, 5.0)),
        "target": draw(floats(_target_shape(draw, shape), -5.0, 5.0)),
        "var": draw(floats(_var_shape(draw, shape), 0.0625, 4.0)),
    }
    params = {
        "full": draw(st.booleans()),
        "eps": draw(st.sampled_from([1e-6, 0.01, 0.25])),
        "reduction": draw(REDUCTIONS),
    }
    return Case(inputs, params)


def _gaussian_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    var = x["var"]
    if var.dim() == 0:
        # One number: what PyTorch does with a float var, kept in the graph for var's gradient.
        var = var * torch.ones_like(x["input"])
    return torch.nn.GaussianNLLLoss(**p)(x["input"], x["target"], var)


@st.composite
def _kl_div(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    log_target = draw(st.booleans())
    target_shape = _target_shape(draw, shape)
    # Probabilities kept above 0, where log(target) and its gradient are finite.
    target = floats(target_shape, -6.0, 0.0) if log_target else floats(target_shape, 0.0078125, 1.0)
    params = {"reduction": draw(st.sampled_from(["none", "batchmean", "sum", "mean"])), "log_target": log_target}
    return Case({"input": draw(floats(shape, -6.0, 0.0)), "target": draw(target)}, params)


def _kl_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    if p.get("reduction", "mean") == "mean":
        # KLDivLoss warns on "mean"; its mean is the unreduced loss's, taken here without the warning.
        return torch.nn.KLDivLoss(**{**p, "reduction": "none"})(x["input"], x["target"]).mean()
    return torch.nn.KLDivLoss(**p)(x["input"], x["target"])


def _bad(why: str, inputs: dict[str, Any], loc: tuple[str | int, ...], **rest: Any) -> Bad:
    return Bad(why, {"inputs": inputs, **rest}, 422, loc)


INPUT, TARGET, VAR = ("inputs", "input"), ("inputs", "target"), ("inputs", "var")
ROWS = [[0.5, 1.0, -1.0], [2.0, 0.0, 0.3]]
PAIR = {"input": [0.5, 1.0], "target": [1.0, 2.0]}

CASES = {
    "poisson_nll": LossCases(
        _poisson_nll(),
        lambda x, p: torch.nn.PoissonNLLLoss(**p)(x["input"], x["target"]),
        bad=(
            _bad("target that does not broadcast", {"input": [0.5, 1.0, 2.0], "target": [1.0, 2.0]}, TARGET),
            _bad("eps 0", PAIR, ("params", "eps"), params={"eps": 0.0}),
            _bad("negative eps", PAIR, ("params", "eps"), params={"eps": -1e-8}),
            _bad("log_input as a number", PAIR, ("params", "log_input"), params={"log_input": 1}),
            _bad("deprecated size_average", PAIR, ("params", "size_average"), params={"size_average": False}),
        ),
    ),
    "gaussian_nll": LossCases(
        _gaussian_nll(),
        _gaussian_reference,
        bad=(
            _bad("negative variance", {"input": [1.0, 2.0], "target": [1.5, 2.0], "var": [0.5, -0.1]}, VAR),
            _bad("negative scalar variance", {"input": ROWS, "target": ROWS, "var": -1.0}, VAR),
            _bad("var for the other dimension", {"input": ROWS, "target": ROWS, "var": [1.0, 1.0, 1.0]}, VAR),
            _bad("var with two dimensions of size 1", {"input": ROWS, "target": ROWS, "var": [[1.0]]}, VAR),
            _bad("var with more dimensions", {"input": [1.0, 2.0], "target": [1.0, 2.0], "var": [[1.0, 1.0]]}, VAR),
            _bad("var of one element for a 0-d input", {"input": 1.0, "target": 1.0, "var": [1.0]}, VAR),
            _bad(
                "var of size 1 and 0 (passes PyTorch's size rule, then fails to broadcast)",
                {"input": ROWS, "target": ROWS, "var": {"dtype": "float32", "shape": [1, 0], "data": []}},
                VAR,
            ),
            _bad("target that does not broadcast", {"input": ROWS, "target": [1.0, 2.0], "var": 1.0}, TARGET),
            _bad("eps 0", {"input": [1.0], "target": [1.0], "var": [1.0]}, ("params", "eps"), params={"eps": 0}),
            _bad("missing var", {"input": [1.0], "target": [1.0]}, VAR),
        ),
    ),
    "kl_div": LossCases(
        _kl_div(),
        _kl_reference,
        bad=(
            _bad("target that does not broadcast", {"input": [-0.7, -0.7, -2.3], "target": [0.5, 0.5]}, TARGET),
            _bad(
                "unknown reduction",
                {"input": [-0.7], "target": [0.5]},
                ("params", "reduction"),
                params={"reduction": "avg"},
            ),
            _bad(
                "log_target as a string",
                {"input": [-0.7], "target": [0.5]},
                ("params", "log_target"),
                params={"log_target": "true"},
            ),
            _bad(
                "deprecated reduce", {"input": [-0.7], "target": [0.5]}, ("params", "reduce"), params={"reduce": True}
            ),
        ),
    ),
}
