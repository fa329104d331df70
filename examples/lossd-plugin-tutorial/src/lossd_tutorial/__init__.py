"""The tutorials' custom losses as a lossd plugin.

Each tutorial ends by writing its own loss as an `nn.Module` with a `forward(predictions, targets)`:
here MAPE for house prices and a Dice loss for segmentation masks, and the descriptors that make them
catalogue entries (`lossd.plugins.module_loss`). `pyproject.toml` registers them under the entry-point
group `lossd.losses`: `mape` is a `Loss`, `dice` a factory returning one (both forms are accepted).
"""

import torch
from torch import nn

from lossd.plugins import Input, Loss, Param, Params, Shape, Tensors, Traits, module_loss, same_shape, within


class MAPELoss(nn.Module):
    """Mean absolute percentage error, as a fraction: mean(|prediction − target| / max(|target|, eps))."""

    def __init__(self, eps: float = 1e-8) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return torch.mean(torch.abs((predictions - targets) / targets.abs().clamp_min(self.eps)))


class DiceLoss(nn.Module):
    """Soft Dice loss over the whole batch: 1 − (2 Σ p·t + smooth) / (Σ p + Σ t + smooth)."""

    def __init__(self, smooth: float = 1.0) -> None:
        super().__init__()
        self.smooth = smooth

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        inputs, targets = inputs.reshape(-1), targets.reshape(-1)
        intersection = (inputs * targets).sum()
        dice = (2.0 * intersection + self.smooth) / (inputs.sum() + targets.sum() + self.smooth)
        return 1 - dice


def _same_shape(x: Tensors, p: Params) -> Shape:
    same_shape(x, "target", "input")
    return tuple(x["input"].shape)


def _masks(x: Tensors, p: Params) -> Shape:
    shape = _same_shape(x, p)
    within(x, "input", 0, 1, "probabilities")
    within(x, "target", 0, 1, "targets")
    return shape


mape = module_loss(
    MAPELoss,
    name="tutorial_mape",
    summary="The tutorials' MAPE: mean absolute percentage error, written as an nn.Module.",
    formula="mean over elements of |inputᵢ − targetᵢ| / max(|targetᵢ|, eps); a fraction, 0.05 means 5 %.",
    use_when=(
        "Regression where an error matters relative to the true value, as for house prices: 10 000 off on "
        "200 000 costs as much as 50 000 off on 1 000 000. It explodes near zero targets, so keep it for "
        "targets well away from 0. lossd's built-in mape computes the same with scikit-learn's eps and a "
        "reduction; this one is the tutorial's class, served as a plugin."
    ),
    task="regression",
    inputs=(
        Input("input", "float", "any shape", "Predicted prices.", differentiable=True),
        Input("target", "float", "same shape as input", "True prices."),
    ),
    params=(Param("eps", "number", 1e-8, "Floor on |target| in the denominator; > 0.", gt=0),),
    traits=Traits("values", robust_to_outliers=True, handles_imbalance=False),
    example={
        "inputs": {"input": [310000, 455000, 198000, 620000], "target": [300000, 480000, 210000, 600000]},
        "grad": ["input"],
    },
    check=_same_shape,
)


def dice() -> Loss:
    """The Dice loss's descriptor, built when lossd loads it."""
    return module_loss(
        DiceLoss,
        name="tutorial_dice",
        summary="The tutorials' soft Dice loss over a whole batch of masks, written as an nn.Module.",
        formula="1 − (2 Σ pᵢtᵢ + smooth) / (Σ pᵢ + Σ tᵢ + smooth), every Σ over all elements of the batch.",
        use_when=(
            "Segmentation with a small foreground, as in the tutorials: it scores the overlap of predicted "
            "and true masks and ignores the true-negative background. It scores the batch as one mask; "
            "lossd's built-in dice scores each sample apart, which is what to use for per-image values."
        ),
        task="segmentation",
        inputs=(
            Input("input", "float", "any shape", "Predicted probabilities in [0, 1].", differentiable=True),
            Input("target", "label", "same shape as input", "True mask: 0 or 1 (soft values in [0, 1] allowed)."),
        ),
        params=(Param("smooth", "number", 1.0, "Added to numerator and denominator; ≥ 0.", ge=0),),
        traits=Traits("probabilities", robust_to_outliers=False, handles_imbalance=True),
        example={
            "inputs": {"input": [[0.9, 0.2], [0.1, 0.8]], "target": [[1, 0], [0, 1]]},
            "grad": ["input"],
        },
        check=_masks,
    )
