"""Regression losses from torch.nn: values against values."""

import torch
import torch.nn.functional as F

from .checks import broadcast
from .spec import REDUCTION, Input, Loss, Params, Shape, Tensors, Traits


def _pointwise(x: Tensors, p: Params) -> Shape:
    return broadcast(x, "input", "target")


def _target_size_warning(x: Tensors, p: Params) -> list[str]:
    if x["input"].shape == x["target"].shape:
        return []
    return [
        f"target shape {list(x['target'].shape)} differs from input shape {list(x['input'].shape)}: "
        "PyTorch broadcasts them, which is likely not what you want"
    ]


def _broadcast(x: Tensors) -> list[torch.Tensor]:
    # What PyTorch does inside these losses, done here so it need not warn.
    return torch.broadcast_tensors(x["input"], x["target"])


PREDICTION = Input("input", "float", "any shape", "Predictions.", differentiable=True)
TRUTH = Input("target", "float", "broadcastable with input; normally the same shape", "Ground truth.", differentiable=True)

MSE = Loss(
    name="mse",
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
    warnings=_target_size_warning,
)

LOSSES = (MSE,)
