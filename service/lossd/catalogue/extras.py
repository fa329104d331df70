"""Losses users ask for that torch.nn does not ship, written in torch so autograd differentiates them."""

import math

import torch
import torch.nn.functional as F

from .checks import at, broadcast, fail, labels_in, param, same_shape, target_size_warning, within
from .spec import REDUCTION, Input, Loss, Param, Params, Shape, Tensors, Traits


def _reduce(loss: torch.Tensor, p: Params) -> torch.Tensor:
    if p["reduction"] == "mean":
        return loss.mean()
    if p["reduction"] == "sum":
        return loss.sum()
    return loss


def _elementwise(x: Tensors, p: Params) -> Shape:
    return broadcast(x, "input", "target")


def _labelled(x: Tensors, p: Params) -> Shape:
    # Labels belong to elements: broadcasting a label tensor is a mistake, not a shorthand.
    same_shape(x, "target", "input")
    return tuple(x["input"].shape)


def _prediction(what: str = "Predictions.") -> Input:
    return Input("input", "float", "any shape", what, differentiable=True)


def _truth(differentiable: bool) -> Input:
    return Input(
        "target",
        "float",
        "broadcastable with input; normally the same shape",
        "Ground truth.",
        differentiable=differentiable,
    )


# mape

EPS = Param(
    "eps",
    "number",
    2.220446049250313e-16,
    "Floor on |target| in the denominator, so a zero target gives a large finite value rather than a division "
    "by zero. The default is float64's machine epsilon, as in scikit-learn.",
    gt=0,
)


def _mape_check(x: Tensors, p: Params) -> Shape:
    dtype = x["input"].dtype
    if torch.tensor(p["eps"], dtype=dtype).item() == 0:
        dtype_name = str(dtype).removeprefix("torch.")
        raise fail(param("eps"), f"{p['eps']!r} rounds to 0 in {dtype_name}; use a larger eps or dtype float64")
    return _elementwise(x, p)


def _mape(x: Tensors, p: Params) -> torch.Tensor:
    target = x["target"]
    return _reduce((x["input"] - target).abs() / target.abs().clamp_min(p["eps"]), p)


MAPE = Loss(
    name="mape",
    batchable=True,
    torch=None,
    task="regression",
    summary="Mean absolute percentage error: the absolute error relative to the target, as a fraction.",
    formula=(
        "ℓᵢ = |inputᵢ − targetᵢ| / max(|targetᵢ|, eps), then reduced by mean (default), sum or none; 0.05 means 5 %."
    ),
    use_when=(
        "Regression where an error matters in proportion to the true value, such as prices or demand across "
        "products of very different scale: 10 off on 100 costs as much as 1000 off on 10 000. Undefined near "
        "zero targets, where it explodes; it also penalises over-prediction more than under-prediction "
        "(a non-negative prediction under a positive target costs at most 1). Report it as a metric; "
        "for training on targets that can be near zero prefer l1 or huber."
    ),
    inputs=(_prediction(), _truth(differentiable=False)),
    params=(REDUCTION, EPS),
    traits=Traits("values", robust_to_outliers=True, handles_imbalance=False),
    example={
        "inputs": {"input": [310000, 455000, 198000, 620000], "target": [300000, 480000, 210000, 600000]},
        "grad": ["input"],
    },
    check=_mape_check,
    forward=_mape,
    warnings=target_size_warning,
    extra_aliases=("mean_absolute_percentage_error", "MAPELoss"),
)


# rmse

MEAN_ONLY = Param(
    "reduction",
    "string",
    "mean",
    "Only `mean`: RMSE is the square root of the mean, so it has no per-element or summed form.",
    choices=("mean",),
)


def _rmse_check(x: Tensors, p: Params) -> Shape:
    _elementwise(x, p)
    return ()


def _rmse(x: Tensors, p: Params) -> torch.Tensor:
    d = x["input"] - x["target"]
    if d.numel() == 0:
        return d.pow(2).mean().sqrt()  # NaN, as the mean of nothing is
    # Divide by a power of two near max|d| (exact) so that d² neither overflows nor underflows; autograd
    # may treat the scale as a constant because the norm is homogeneous.
    big = d.detach().abs().amax()
    scale = torch.where(torch.isfinite(big) & (big > 0), big / (2 * torch.frexp(big).mantissa), 1.0)
    # vector_norm's gradient at 0 is 0, where sqrt's would be NaN: the contract's value at zero error.
    return scale * (torch.linalg.vector_norm(d / scale) / math.sqrt(d.numel()))


RMSE = Loss(
    name="rmse",
    torch=None,
    task="regression",
    summary="Root mean squared error: the square root of the MSE, in the target's own units.",
    formula=(
        "RMSE = √( (1/n) Σᵢ (inputᵢ − targetᵢ)² ) over all n elements; only reduced by mean. "
        "Its gradient is taken as 0 at zero error."
    ),
    use_when=(
        "To report regression error in the units of the target (an RMSE of 3.2 on prices in dollars is "
        "dollars), for example as a validation metric beside an mse training loss. It ranks models exactly "
        "as mse does and, like mse, weighs large errors heavily, so it is sensitive to outliers."
    ),
    inputs=(_prediction(), _truth(differentiable=True)),
    params=(MEAN_ONLY,),
    traits=Traits("values", robust_to_outliers=False, handles_imbalance=False),
    example={"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 9.0]}, "grad": ["input"]},
    check=_rmse_check,
    forward=_rmse,
    warnings=target_size_warning,
    extra_aliases=("root_mean_squared_error", "RMSELoss"),
)


# hinge

MARGIN = Param(
    "margin",
    "number",
    1.0,
    "The margin: an element with target · input ≥ margin costs nothing. Any finite number.",
)


def _hinge_check(x: Tensors, p: Params) -> Shape:
    shape = _labelled(x, p)
    labels_in(x, "target", (-1, 1))
    return shape


def _hinge(x: Tensors, p: Params) -> torch.Tensor:
    return _reduce((p["margin"] - x["target"] * x["input"]).clamp_min(0), p)


HINGE = Loss(
    name="hinge",
    batchable=True,
    torch=None,
    task="classification",
    summary="The binary hinge loss of support vector machines, on raw scores and ±1 labels.",
    formula=("ℓᵢ = max(0, margin − targetᵢ · inputᵢ), targetᵢ ∈ {−1, 1}, then reduced by mean (default), sum or none."),
    use_when=(
        "Binary classification SVM-style: the model outputs an unbounded score, labels are −1 and 1, and "
        "only getting each example right by at least the margin matters; confidently correct examples cost "
        "nothing. It gives no probabilities: for calibrated probabilities use bce_with_logits, and "
        "soft_margin for a smooth version."
    ),
    inputs=(
        Input(
            "input", "float", "any shape", "Scores (unbounded; the sign is the predicted class).", differentiable=True
        ),
        Input("target", "label", "same shape as input", "Labels, each −1 or 1."),
    ),
    params=(REDUCTION, MARGIN),
    traits=Traits("scores", robust_to_outliers=False, handles_imbalance=False),
    example={
        "inputs": {"input": [0.8, -1.5, 0.3, -0.2], "target": [1, -1, -1, 1]},
        "params": {"margin": 1.0},
        "grad": ["input"],
    },
    check=_hinge_check,
    forward=_hinge,
    extra_aliases=("hinge_loss", "HingeLoss"),
)


# quantile

Q = Param(
    "q",
    "number",
    0.5,
    "The quantile to predict, strictly between 0 and 1: under-prediction costs q per unit, over-prediction "
    "1 − q. 0.5 gives half the absolute error (the median).",
    gt=0,
    lt=1,
)


def _quantile(x: Tensors, p: Params) -> torch.Tensor:
    d = x["target"] - x["input"]
    q = p["q"]
    # torch.maximum splits the gradient at d = 0, the midpoint of the subgradient (as l1's sign(0) = 0 is).
    return _reduce(torch.maximum(q * d, (q - 1) * d), p)


QUANTILE = Loss(
    name="quantile",
    batchable=True,
    torch=None,
    task="regression",
    summary="The quantile (pinball) loss: an asymmetric absolute error whose minimiser is the q-th quantile.",
    formula=(
        "ℓᵢ = max(q · (targetᵢ − inputᵢ), (q − 1) · (targetᵢ − inputᵢ)), 0 < q < 1, "
        "then reduced by mean (default), sum or none."
    ),
    use_when=(
        "To predict a quantile rather than the mean: the bounds of a prediction interval (train q = 0.05 and "
        "q = 0.95), or when under- and over-prediction cost differently (stock-outs against overstock: "
        "q = 0.9 makes under-predicting 9 times as costly). Like l1 it grows linearly, so outliers do not "
        "dominate."
    ),
    inputs=(_prediction(), _truth(differentiable=False)),
    params=(REDUCTION, Q),
    traits=Traits("values", robust_to_outliers=True, handles_imbalance=False),
    example={
        "inputs": {"input": [10.0, 12.0, 9.5], "target": [11.0, 11.0, 11.0]},
        "params": {"q": 0.9},
        "grad": ["input"],
    },
    check=_elementwise,
    forward=_quantile,
    warnings=target_size_warning,
    extra_aliases=("quantile_loss", "pinball", "pinball_loss"),
)


# log_cosh


def _log_cosh(x: Tensors, p: Params) -> torch.Tensor:
    d = x["input"] - x["target"]
    a = d.abs()
    near = a <= 1
    # log cosh d = log1p(2 sinh²(d/2)): accurate for small d, where the form below would cancel to
    # nothing; the other branch sees d = 0, so neither overflows nor lends a NaN to the gradient.
    small = torch.log1p(2 * torch.sinh(torch.where(near, d, 0.0) / 2) ** 2)
    # log cosh d = |d| + log(1 + e^(−2|d|)) − log 2, which cannot overflow for large |d|.
    large = a + F.softplus(-2 * a) - math.log(2)
    return _reduce(torch.where(near, small, large), p)


LOG_COSH = Loss(
    name="log_cosh",
    batchable=True,
    torch=None,
    task="regression",
    summary="Log-cosh: the logarithm of the hyperbolic cosine of the error, a smooth loss between MSE and L1.",
    formula=(
        "ℓᵢ = log(cosh(dᵢ)), dᵢ = inputᵢ − targetᵢ: ≈ dᵢ²/2 for small errors and |dᵢ| − log 2 for large ones; "
        "then reduced by mean (default), sum or none."
    ),
    use_when=(
        "Regression that should behave like mse for small errors and like l1 for large ones, so outliers do "
        "not dominate, but with a gradient (tanh of the error) that is smooth everywhere and a second "
        "derivative that exists: a Huber-like loss without a delta to tune."
    ),
    inputs=(_prediction(), _truth(differentiable=True)),
    params=(REDUCTION,),
    traits=Traits("values", robust_to_outliers=True, handles_imbalance=False),
    example={
        "inputs": {"input": [2.5, 4.8, 6.9, 9.5, 30.0], "target": [3.0, 5.0, 7.0, 9.0, 10.0]},
        "grad": ["input"],
    },
    check=_elementwise,
    forward=_log_cosh,
    warnings=target_size_warning,
    extra_aliases=("logcosh", "log_cosh_loss", "LogCoshLoss"),
)


# focal

ALPHA = Param(
    "alpha",
    "number",
    0.25,
    "Weight of the positive class, at most 1 (negatives get 1 − alpha); any negative value (torchvision "
    "uses −1) turns the weighting off.",
    le=1,
)
GAMMA = Param(
    "gamma",
    "number",
    2.0,
    "Focusing exponent, ≥ 0: how strongly well-classified elements are discounted; 0 gives alpha-weighted "
    "bce_with_logits.",
    ge=0,
)


def _focal_check(x: Tensors, p: Params) -> Shape:
    shape = _labelled(x, p)
    within(x, "target", 0, 1, "targets")
    return shape


def _focal(x: Tensors, p: Params) -> torch.Tensor:
    logits, t = x["input"], x["target"]
    ce = F.binary_cross_entropy_with_logits(logits, t, reduction="none")
    # 1 − pₜ, rewritten as σ(x)(1 − t) + σ(−x)t so that it does not cancel to 0 for a confident logit;
    # the floor keeps the gradient of (1 − pₜ)^γ finite for γ < 1 where it still underflows.
    miss = torch.sigmoid(logits) * (1 - t) + torch.sigmoid(-logits) * t
    loss = ce * miss.clamp_min(torch.finfo(miss.dtype).tiny) ** p["gamma"]
    alpha = p["alpha"]
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return _reduce(loss, p)


FOCAL = Loss(
    name="focal",
    batchable=True,
    torch=None,
    task="classification",
    summary="The sigmoid focal loss of RetinaNet: binary cross-entropy on logits that discounts easy elements.",
    formula=(
        "p = σ(input), ce = bce_with_logits(input, target), pₜ = p·t + (1 − p)(1 − t); "
        "ℓᵢ = αₜ · ce · (1 − pₜ)^γ with αₜ = α·t + (1 − α)(1 − t) (αₜ = 1 when α < 0), "
        "then reduced by mean (default), sum or none; as torchvision.ops.sigmoid_focal_loss."
    ),
    use_when=(
        "Binary or multi-label classification on logits under heavy class imbalance, above all dense "
        "detection, where a flood of easy negatives (background anchors) would swamp bce_with_logits: the "
        "(1 − pₜ)^γ factor shrinks the loss of elements the model already gets right, and alpha re-weights "
        "the classes. With balanced data plain bce_with_logits is simpler."
    ),
    inputs=(
        Input("input", "float", "any shape", "Logits (before the sigmoid).", differentiable=True),
        Input("target", "label", "same shape as input", "Targets: 0 or 1 per element (soft values in [0, 1] allowed)."),
    ),
    params=(REDUCTION, ALPHA, GAMMA),
    traits=Traits("logits", robust_to_outliers=False, handles_imbalance=True),
    example={
        "inputs": {"input": [[2.0, -1.0, -3.0], [-0.5, 1.5, -4.0]], "target": [[1, 0, 0], [0, 1, 0]]},
        "params": {"alpha": 0.25, "gamma": 2.0},
        "grad": ["input"],
    },
    check=_focal_check,
    forward=_focal,
    extra_aliases=("sigmoid_focal_loss", "focal_loss", "FocalLoss"),
)


# dice

SMOOTH = Param(
    "smooth",
    "number",
    1.0,
    "Added to numerator and denominator, ≥ 0: keeps a sample with an empty target and prediction at loss 0 "
    "and softens the gradient on small regions. With 0 such a sample is 0/0, NaN.",
    ge=0,
)


def _dice_check(x: Tensors, p: Params) -> Shape:
    if x["input"].dim() == 0:
        raise fail(at("input"), "expected (N, *) with at least 1 dimension (N samples), got a 0-d tensor")
    shape = _labelled(x, p)
    within(x, "input", 0, 1, "probabilities")
    within(x, "target", 0, 1, "targets")
    return shape[:1]


def _dice(x: Tensors, p: Params) -> torch.Tensor:
    prob, t = x["input"], x["target"]
    # (N, everything else); also right for 1-d input (one element a sample) and N = 0.
    flat = (prob.shape[0], math.prod(prob.shape[1:]))
    prob, t = prob.reshape(flat), t.reshape(flat)
    smooth = p["smooth"]
    loss = 1 - (2 * (prob * t).sum(1) + smooth) / (prob.sum(1) + t.sum(1) + smooth)
    return _reduce(loss, p)


DICE = Loss(
    name="dice",
    torch=None,
    task="segmentation",
    summary="The soft Dice loss: one minus the overlap of predicted and true masks, per sample.",
    formula=(
        "ℓᵢ = 1 − (2 Σ pt + smooth) / (Σ p + Σ t + smooth) for sample i, p its input and t its target, "
        "each Σ over every dimension but the first; then reduced over samples by mean (default), sum or none."
    ),
    use_when=(
        "Segmentation (binary or per-class masks) where the foreground is small, such as lesions in medical "
        "images: it scores the overlap of the masks and ignores true-negative background, so a mostly empty "
        "image cannot be won by predicting nothing, as it can with per-pixel bce. Input holds probabilities "
        "(after a sigmoid or softmax). Often combined with bce for smoother training."
    ),
    inputs=(
        Input(
            "input",
            "float",
            "(N, *): N samples, at least 1 dimension",
            "Predicted probabilities in [0, 1].",
            differentiable=True,
        ),
        Input(
            "target", "label", "same shape as input", "True mask: 0 or 1 per element (soft values in [0, 1] allowed)."
        ),
    ),
    params=(REDUCTION, SMOOTH),
    # The overlap is divided by the predicted and true foreground alone, so background cannot swamp it.
    traits=Traits("probabilities", robust_to_outliers=False, handles_imbalance=True),
    example={
        "inputs": {
            "input": [[[0.9, 0.2], [0.1, 0.8]], [[0.3, 0.1], [0.0, 0.2]]],
            "target": [[[1, 0], [0, 1]], [[1, 0], [0, 0]]],
        },
        "params": {"smooth": 1.0},
        "grad": ["input"],
    },
    check=_dice_check,
    forward=_dice,
    extra_aliases=("dice_loss", "soft_dice", "DiceLoss"),
)

LOSSES = (MAPE, RMSE, HINGE, QUANTILE, LOG_COSH, FOCAL, DICE)
