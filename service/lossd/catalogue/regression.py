"""Regression losses from torch.nn: values against values."""

import torch
import torch.nn.functional as F

from .checks import broadcast, target_size_warning
from .spec import REDUCTION, Input, Loss, Param, Params, Shape, Tensors, Traits


def _pointwise(x: Tensors, p: Params) -> Shape:
    return broadcast(x, "input", "target")


def _broadcast(x: Tensors) -> list[torch.Tensor]:
    # What PyTorch does inside these losses, done here so it need not warn.
    return torch.broadcast_tensors(x["input"], x["target"])


PREDICTION = Input("input", "float", "any shape", "Predictions.", differentiable=True)
TRUTH = Input(
    "target", "float", "broadcastable with input; normally the same shape", "Ground truth.", differentiable=True
)
ROBUST = Traits("values", robust_to_outliers=True, handles_imbalance=False)

L1 = Loss(
    name="l1",
    batchable=True,
    torch="torch.nn.L1Loss",
    functional="l1_loss",
    task="regression",
    summary="Mean absolute error: the average of absolute differences.",
    formula="ℓᵢ = |inputᵢ − targetᵢ|, then reduced by mean (default), sum or none.",
    use_when=(
        "Regression where large errors, such as outliers or noisy labels, should not dominate: every unit of "
        "error costs the same, so one error of 2 costs as much as two errors of 1. It fits the median rather "
        "than the mean. Its gradient has the same size near the optimum as far from it, which can make the "
        "last steps of training jumpy; huber or smooth_l1 keep the robustness with a smooth minimum."
    ),
    inputs=(PREDICTION, TRUTH),
    params=(REDUCTION,),
    traits=ROBUST,
    example={"inputs": {"input": [0.0, 3.0], "target": [1.0, 0.0]}, "grad": ["input"]},
    check=_pointwise,
    forward=lambda x, p: F.l1_loss(*_broadcast(x), reduction=p["reduction"]),
    warnings=target_size_warning,
)

MSE = Loss(
    name="mse",
    batchable=True,
    torch="torch.nn.MSELoss",
    functional="mse_loss",
    task="regression",
    summary="Mean squared error: the average of squared differences.",
    formula="ℓᵢ = (inputᵢ − targetᵢ)², then reduced by mean (default), sum or none.",
    use_when=(
        "Regression on well-behaved data where a tight fit matters and large errors should cost much more "
        "than small ones (two errors of 1 cost 2, one error of 2 costs 4). Sensitive to outliers: with "
        "outliers prefer l1 or huber."
    ),
    inputs=(PREDICTION, TRUTH),
    params=(REDUCTION,),
    traits=Traits("values", robust_to_outliers=False, handles_imbalance=False),
    example={"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 9.0]}, "grad": ["input"]},
    check=_pointwise,
    forward=lambda x, p: F.mse_loss(*_broadcast(x), reduction=p["reduction"]),
    warnings=target_size_warning,
)

HUBER = Loss(
    name="huber",
    batchable=True,
    torch="torch.nn.HuberLoss",
    functional="huber_loss",
    task="regression",
    summary="Squared error for small errors, absolute error (scaled by delta) for large ones.",
    formula=(
        "With dᵢ = inputᵢ − targetᵢ: ℓᵢ = ½·dᵢ² if |dᵢ| < δ, else δ·(|dᵢ| − ½·δ); "
        "then reduced by mean (default), sum or none."
    ),
    use_when=(
        "Regression with some outliers, between mse and l1: errors below delta are squared (a smooth, "
        "precise fit near the target), larger ones grow only linearly (an outlier cannot dominate). Set delta "
        "to the size of error you still trust, in the target's units. Its gradient is capped at delta; "
        "smooth_l1 is the same curve divided by its beta."
    ),
    inputs=(PREDICTION, TRUTH),
    params=(
        REDUCTION,
        Param("delta", "number", 1.0, "Error size where the loss turns from squared to linear; > 0.", gt=0),
    ),
    traits=ROBUST,
    example={
        "inputs": {"input": [0.5, 2.0, 6.0], "target": [0.0, 1.5, 1.0]},
        "params": {"delta": 1.0},
        "grad": ["input"],
    },
    check=_pointwise,
    forward=lambda x, p: F.huber_loss(*_broadcast(x), reduction=p["reduction"], delta=p["delta"]),
    warnings=target_size_warning,
)

SMOOTH_L1 = Loss(
    name="smooth_l1",
    batchable=True,
    torch="torch.nn.SmoothL1Loss",
    functional="smooth_l1_loss",
    task="regression",
    summary="Absolute error with its corner below beta rounded into a parabola.",
    formula=(
        "With dᵢ = inputᵢ − targetᵢ: ℓᵢ = ½·dᵢ²/β if |dᵢ| < β, else |dᵢ| − ½·β (β = 0 is l1); "
        "then reduced by mean (default), sum or none."
    ),
    use_when=(
        "Regression with outliers where l1's behaviour is wanted but with a smooth minimum, as in box "
        "regression for object detection: beyond beta every unit of error costs the same, below it the loss "
        "is quadratic so gradients shrink near the target. It equals huber divided by beta (with delta = beta), "
        "so its slope for large errors is 1 whatever beta is."
    ),
    inputs=(PREDICTION, TRUTH),
    params=(
        REDUCTION,
        Param("beta", "number", 1.0, "Error size where the loss turns from squared to linear; 0 gives l1. ≥ 0.", ge=0),
    ),
    traits=ROBUST,
    example={
        "inputs": {"input": [0.5, 2.0, 6.0], "target": [0.0, 1.5, 1.0]},
        "params": {"beta": 0.5},
        "grad": ["input"],
    },
    check=_pointwise,
    forward=lambda x, p: F.smooth_l1_loss(*_broadcast(x), reduction=p["reduction"], beta=p["beta"]),
    warnings=target_size_warning,
)

LOSSES = (L1, MSE, HUBER, SMOOTH_L1)
