"""Cases for catalogue/extras.py: references written out from each loss's published definition."""

from typing import Any

import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from sklearn.metrics import mean_absolute_percentage_error

from . import REDUCTIONS, Bad, Case, LossCases, floats, ints, shapes

SKLEARN_EPS = 2.220446049250313e-16  # np.finfo(np.float64).eps, scikit-learn's floor in MAPE
GAP = 1e-3  # how far drawn inputs stay from a kink, where the gradient is a matter of convention


def _reduced(loss: torch.Tensor, p: dict[str, Any]) -> torch.Tensor:
    reduction = p.get("reduction", "mean")
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def _clear_of(x: torch.Tensor, kink: torch.Tensor) -> torch.Tensor:
    """`x` shifted by the first multiple of 0.01 that keeps every broadcast x − kink at least GAP from 0.

    Each difference rules out at most one candidate (its window, 2·GAP wide, is narrower than a step),
    so one of numel + 1 candidates fits.
    """
    d = x - kink
    for k in range(d.numel() + 1):
        if bool(((d + 0.01 * k).abs() >= GAP).all()):
            return x + 0.01 * k
    raise AssertionError("unreachable")


@st.composite
def _broadcastable(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shapes for input and target: the same, or one a broadcastable reduction of the other."""
    shape = draw(shapes())
    if draw(st.booleans()):
        return shape, shape
    other = tuple(1 if draw(st.booleans()) else d for d in shape[draw(st.integers(0, len(shape))) :])
    return (shape, other) if draw(st.booleans()) else (other, shape)


def _signs(shape: tuple[int, ...]) -> st.SearchStrategy[torch.Tensor]:
    return ints(shape, 0, 1).map(lambda t: (2 * t - 1).to(torch.float64))


def _zero_one(shape: tuple[int, ...]) -> st.SearchStrategy[torch.Tensor]:
    """0/1 labels, or now and then soft ones in [0, 1]."""
    return st.one_of(ints(shape, 0, 1).map(lambda t: t.to(torch.float64)), floats(shape, 0.0, 1.0))


def _with(params: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """`params`, plus `name` unless the draw left it to its default (None)."""
    return params if value is None else {**params, name: value}


# mape


@st.composite
def _mape(draw: st.DrawFn) -> Case:
    shape_in, shape_t = draw(_broadcastable())
    target = draw(floats(shape_t))
    params = _with({"reduction": draw(REDUCTIONS)}, "eps", draw(st.sampled_from([None, None, 1e-6, 0.5, 2.0])))
    return Case({"input": _clear_of(draw(floats(shape_in)), target), "target": target}, params)


def _mape_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    pred, truth = torch.broadcast_tensors(x["input"], x["target"])
    eps = p.get("eps", SKLEARN_EPS)
    per = (pred - truth).abs() / torch.where(truth.abs() > eps, truth.abs(), eps)
    if eps == SKLEARN_EPS:
        # scikit-learn's per-element values (one sample, one output per element); the formula above
        # lends only its gradient.
        sk = mean_absolute_percentage_error(
            truth.detach().reshape(1, -1).double().numpy(),
            pred.detach().reshape(1, -1).double().numpy(),
            multioutput="raw_values",
        )
        per = per + (torch.from_numpy(sk).reshape(per.shape).to(per.dtype) - per.detach())
    return _reduced(per, p)


# rmse


@st.composite
def _rmse(draw: st.DrawFn) -> Case:
    shape_in, shape_t = draw(_broadcastable())
    target = draw(floats(shape_t))
    params = _with({}, "reduction", draw(st.sampled_from([None, "mean"])))
    # Zero error has a gradient only by the contract's convention; it is tested apart.
    return Case({"input": _clear_of(draw(floats(shape_in)), target), "target": target}, params)


def _rmse_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    return torch.sqrt(torch.mean((x["input"] - x["target"]) ** 2))


# hinge


@st.composite
def _hinge(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    target = draw(_signs(shape))
    margin = draw(st.sampled_from([None, 1.0, 0.5, 2.0, 0.0, -1.0]))
    scores = _clear_of(draw(floats(shape)), (1.0 if margin is None else margin) * target)
    return Case({"input": scores, "target": target}, _with({"reduction": draw(REDUCTIONS)}, "margin", margin))


def _hinge_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    return _reduced(torch.relu(p.get("margin", 1.0) - x["target"] * x["input"]), p)


# quantile


@st.composite
def _quantile(draw: st.DrawFn) -> Case:
    shape_in, shape_t = draw(_broadcastable())
    target = draw(floats(shape_t))
    q = draw(st.one_of(st.none(), st.sampled_from([0.05, 0.9]), st.floats(0.001, 0.999)))
    return Case(
        {"input": _clear_of(draw(floats(shape_in)), target), "target": target},
        _with({"reduction": draw(REDUCTIONS)}, "q", q),
    )


def _quantile_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    q = p.get("q", 0.5)
    under = x["target"] - x["input"]
    return _reduced(torch.where(under >= 0, q * under, (q - 1) * under), p)


# log_cosh


@st.composite
def _log_cosh(draw: st.DrawFn) -> Case:
    shape_in, shape_t = draw(_broadcastable())
    # Up to |d| = 80: far into the linear part, still short of cosh overflowing float32 in the reference.
    return Case(
        {"input": draw(floats(shape_in, -40.0, 40.0)), "target": draw(floats(shape_t, -40.0, 40.0))},
        {"reduction": draw(REDUCTIONS)},
    )


def _log_cosh_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    return _reduced(torch.log(torch.cosh(x["input"] - x["target"])), p)


# focal


@st.composite
def _focal(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    alpha = draw(st.one_of(st.none(), st.sampled_from([0.0, 1.0, -1.0]), st.floats(0.0, 1.0)))
    gamma = draw(st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 3.0]), st.floats(0.0, 5.0)))
    params = _with(_with({"reduction": draw(REDUCTIONS)}, "alpha", alpha), "gamma", gamma)
    return Case({"input": draw(floats(shape)), "target": draw(_zero_one(shape))}, params)


def _focal_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    # torchvision.ops.sigmoid_focal_loss, step by step as torchvision writes it.
    inputs, targets = x["input"], x["target"]
    alpha, gamma = p.get("alpha", 0.25), p.get("gamma", 2.0)
    prob = inputs.sigmoid()
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = prob * targets + (1 - prob) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return _reduced(loss, p)


# dice


@st.composite
def _dice(draw: st.DrawFn) -> Case:
    shape = draw(shapes(min_dims=1, max_dims=4))
    smooth = draw(st.sampled_from([None, 1.0, 0.0, 1e-5, 2.5]))
    # With smooth = 0 a sample with nothing predicted and nothing true is 0/0.
    probs = draw(floats(shape, 0.0625 if smooth == 0.0 else 0.0, 1.0))
    return Case(
        {"input": probs, "target": draw(_zero_one(shape))},
        _with({"reduction": draw(REDUCTIONS)}, "smooth", smooth),
    )


def _dice_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    smooth = p.get("smooth", 1.0)
    per_sample = []
    for prob, truth in zip(x["input"], x["target"], strict=True):
        per_sample.append(1 - (2 * (prob * truth).sum() + smooth) / (prob.sum() + truth.sum() + smooth))
    return _reduced(torch.stack(per_sample), p)


def _body(inputs: dict[str, Any], params: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    return {"inputs": inputs, **({"params": params} if params is not None else {}), **more}


VALUES = {"input": [1.0, 2.0, 3.0], "target": [1.5, 2.5, 2.0]}
SIGNED = {"input": [0.5, -1.5, 2.0], "target": [1.0, -1.0, 1.0]}
LABELLED = {"input": [2.0, -1.0, 0.5], "target": [1.0, 0.0, 1.0]}
MASKS = {"input": [[0.9, 0.1], [0.2, 0.7]], "target": [[1.0, 0.0], [0.0, 1.0]]}
MISFIT = {"input": [1.0, 2.0, 3.0], "target": [1.0, 2.0]}


CASES = {
    "mape": LossCases(
        _mape(),
        _mape_reference,
        bad=(
            Bad("eps of 0", _body(VALUES, {"eps": 0.0}), 422, ("params", "eps")),
            Bad("negative eps", _body(VALUES, {"eps": -1e-8}), 422, ("params", "eps")),
            Bad("eps that rounds to 0 in float32", _body(VALUES, {"eps": 1e-50}), 422, ("params", "eps")),
            Bad("target that does not broadcast", _body(MISFIT), 422, ("inputs", "target")),
            Bad("gradient for the target", _body(VALUES, grad=["target"]), 422, ("grad", 0)),
        ),
    ),
    "rmse": LossCases(
        _rmse(),
        _rmse_reference,
        bad=(
            Bad("reduction sum", _body(VALUES, {"reduction": "sum"}), 422, ("params", "reduction")),
            Bad("reduction none", _body(VALUES, {"reduction": "none"}), 422, ("params", "reduction")),
            Bad("target that does not broadcast", _body(MISFIT), 422, ("inputs", "target")),
        ),
    ),
    "hinge": LossCases(
        _hinge(),
        _hinge_reference,
        bad=(
            Bad("0/1 labels", _body({"input": [0.5, -1.5], "target": [1.0, 0.0]}), 422, ("inputs", "target")),
            Bad("a NaN label", _body({"input": [0.5, -1.5], "target": [1.0, "NaN"]}), 422, ("inputs", "target")),
            Bad(
                "target of another shape",
                _body({"input": [[0.5], [-1.5]], "target": [1.0, -1.0]}),
                422,
                ("inputs", "target"),
            ),
            Bad("infinite margin", _body(SIGNED, {"margin": "Infinity"}), 422, ("params", "margin")),
            Bad("gradient for the labels", _body(SIGNED, grad=["target"]), 422, ("grad", 0)),
        ),
    ),
    "quantile": LossCases(
        _quantile(),
        _quantile_reference,
        bad=(
            Bad("q of 0", _body(VALUES, {"q": 0.0}), 422, ("params", "q")),
            Bad("q of 1", _body(VALUES, {"q": 1}), 422, ("params", "q")),
            Bad("q above 1", _body(VALUES, {"q": 1.5}), 422, ("params", "q")),
            Bad("negative q", _body(VALUES, {"q": -0.1}), 422, ("params", "q")),
            Bad("target that does not broadcast", _body(MISFIT), 422, ("inputs", "target")),
            Bad("gradient for the target", _body(VALUES, grad=["target"]), 422, ("grad", 0)),
        ),
    ),
    "log_cosh": LossCases(
        _log_cosh(),
        _log_cosh_reference,
        bad=(
            Bad("target that does not broadcast", _body(MISFIT), 422, ("inputs", "target")),
            Bad("a delta it does not take", _body(VALUES, {"delta": 1.0}), 422, ("params", "delta")),
        ),
    ),
    "focal": LossCases(
        _focal(),
        _focal_reference,
        bad=(
            Bad("negative gamma", _body(LABELLED, {"gamma": -0.5}), 422, ("params", "gamma")),
            Bad("alpha above 1", _body(LABELLED, {"alpha": 1.5}), 422, ("params", "alpha")),
            Bad("target above 1", _body({"input": [2.0, -1.0], "target": [2.0, 0.0]}), 422, ("inputs", "target")),
            Bad(
                "target of another shape",
                _body({"input": [[2.0, -1.0]], "target": [1.0, 0.0]}),
                422,
                ("inputs", "target"),
            ),
            Bad("gradient for the target", _body(LABELLED, grad=["target"]), 422, ("grad", 0)),
        ),
    ),
    "dice": LossCases(
        _dice(),
        _dice_reference,
        bad=(
            Bad("negative smooth", _body(MASKS, {"smooth": -1.0}), 422, ("params", "smooth")),
            Bad("a 0-d input", _body({"input": 0.5, "target": 1.0}), 422, ("inputs", "input")),
            Bad(
                "target of another shape",
                _body({"input": [[0.9, 0.1]], "target": [[1.0], [0.0]]}),
                422,
                ("inputs", "target"),
            ),
            Bad(
                "logits for probabilities",
                _body({"input": [[2.3, -1.0]], "target": [[1.0, 0.0]]}),
                422,
                ("inputs", "input"),
            ),
            Bad(
                "target outside [0, 1]",
                _body({"input": [[0.9, 0.1]], "target": [[2.0, 0.0]]}),
                422,
                ("inputs", "target"),
            ),
            Bad("gradient for the target", _body(MASKS, grad=["target"]), 422, ("grad", 0)),
        ),
    ),
}
