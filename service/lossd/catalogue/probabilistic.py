"""Probabilistic losses from torch.nn: negative log-likelihoods and divergences."""

import torch
import torch.nn.functional as F

from .checks import at, broadcast, fail
from .spec import REDUCTION, Input, Loss, Param, Params, Shape, Tensors, Traits

VALUES = Traits("values", robust_to_outliers=False, handles_imbalance=False)
FULL = "Add the constant terms that make the value a true negative log-likelihood."


def _pointwise(x: Tensors, p: Params) -> Shape:
    return broadcast(x, "input", "target")


# --- poisson_nll ------------------------------------------------------------------


POISSON_NLL = Loss(
    name="poisson_nll",
    batchable=True,
    torch="torch.nn.PoissonNLLLoss",
    functional="poisson_nll_loss",
    task="probabilistic",
    summary="Negative log-likelihood of counts under a Poisson distribution with the predicted rate.",
    formula=(
        "ℓᵢ = exp(inputᵢ) − targetᵢ·inputᵢ with log_input (input is the log-rate), else "
        "inputᵢ − targetᵢ·log(inputᵢ + eps); with full, plus the Stirling term "
        "targetᵢ·log targetᵢ − targetᵢ + ½·log(2π·targetᵢ) where targetᵢ > 1; then reduced by mean (default), "
        "sum or none."
    ),
    use_when=(
        "Predicting counts: events per interval, visits, clicks, photons, cases. The variance of a count grows "
        "with its mean, which mse ignores; this loss weighs errors accordingly. Keep log_input true and let the "
        "model output the log of the rate: any real output is then a valid rate and the loss is stable. "
        "Set full only when the value itself (not just its gradient) must be a log-likelihood."
    ),
    inputs=(
        Input(
            "input",
            "float",
            "any shape",
            "The predicted rate: its logarithm with log_input (the default), else the rate itself (> 0).",
            differentiable=True,
        ),
        Input(
            "target",
            "float",
            "broadcastable with input; normally the same shape",
            "Observed counts.",
            differentiable=True,
        ),
    ),
    params=(
        Param("log_input", "boolean", True, "true: input is the log of the rate; false: input is the rate."),
        Param("full", "boolean", False, FULL + " Uses Stirling's approximation of log(target!), for targets > 1."),
        Param("eps", "number", 1e-8, "Added to input before its logarithm when log_input is false; > 0.", gt=0),
        REDUCTION,
    ),
    traits=VALUES,
    example={"inputs": {"input": [0.0, 0.7, 1.1], "target": [1.0, 2.0, 3.0]}, "grad": ["input"]},
    check=_pointwise,
    forward=lambda x, p: F.poisson_nll_loss(
        x["input"], x["target"], log_input=p["log_input"], full=p["full"], eps=p["eps"], reduction=p["reduction"]
    ),
)


# --- gaussian_nll -----------------------------------------------------------------


def _var_shape(input_shape: Shape, var_shape: Shape) -> Shape | None:
    """The shape `var` takes in PyTorch's computation, or None where PyTorch refuses it."""
    if not var_shape:
        return input_shape  # a scalar variance: what PyTorch does with a float
    if var_shape == input_shape:
        return var_shape
    if input_shape[:-1] == var_shape:
        return (*var_shape, 1)  # one variance per row, shared along the last dimension
    if (
        len(input_shape) == len(var_shape)
        and sum(v for i, v in zip(input_shape, var_shape, strict=True) if i != v) == 1
    ):
        return var_shape  # a single dimension of size 1 where input's is not
    return None


def _gaussian_check(x: Tensors, p: Params) -> Shape:
    var = x["var"]
    negative = var < 0  # NaN passes, as in PyTorch
    if bool(negative.any()):
        if var.dim() == 0:
            raise fail(at("var"), f"the variance must not be negative; got {var.item()!r}")
        idx = negative.nonzero()[0].tolist()
        raise fail(at("var"), f"variances must not be negative; element {idx} is {var[tuple(idx)].item()!r}")
    shape = broadcast(x, "input", "target")
    want = _var_shape(tuple(x["input"].shape), tuple(var.shape))
    if want is not None:
        try:
            return tuple(torch.broadcast_shapes(shape, want))
        except RuntimeError:
            pass
    raise fail(
        at("var"),
        f"shape {list(var.shape)} does not fit input {list(x['input'].shape)}: give input's shape, input's shape "
        "with one dimension of size 1, input's shape without its last dimension, or one number",
    )


def _gaussian_nll(x: Tensors, p: Params) -> torch.Tensor:
    var = x["var"]
    if var.dim() == 0:
        var = var * torch.ones_like(x["input"])  # as PyTorch spreads a float variance
    return F.gaussian_nll_loss(x["input"], x["target"], var, full=p["full"], eps=p["eps"], reduction=p["reduction"])


GAUSSIAN_NLL = Loss(
    name="gaussian_nll",
    torch="torch.nn.GaussianNLLLoss",
    functional="gaussian_nll_loss",
    task="probabilistic",
    summary="Negative log-likelihood of the target under a Gaussian with the predicted mean and variance.",
    formula=(
        "With vᵢ = max(varᵢ, eps): ℓᵢ = ½·(log vᵢ + (inputᵢ − targetᵢ)² / vᵢ), plus ½·log 2π with full; then "
        "reduced by mean (default), sum or none. The clamp at eps is invisible to autograd."
    ),
    use_when=(
        "Regression where the model also predicts how uncertain it is: input is the mean, var the variance "
        "(one per prediction, shared along a dimension, or one number). Errors on points with a large "
        "predicted variance cost less, but claiming a large variance costs log var, so the model learns "
        "calibrated error bars. With a fixed var it is mse scaled and shifted."
    ),
    inputs=(
        Input("input", "float", "any shape: (N, *) or (*)", "Predicted means.", differentiable=True),
        Input(
            "target",
            "float",
            "broadcastable with input; normally the same shape, or with one dimension of size 1",
            "Observed values.",
            differentiable=True,
        ),
        Input(
            "var",
            "float",
            "input's shape; or input's shape with one dimension of size 1 (shared along it); or input's shape "
            "without its last dimension; or a bare number, one variance for every element",
            "Predicted variances, ≥ 0.",
            differentiable=True,
        ),
    ),
    params=(
        Param("full", "boolean", False, FULL + " Adds ½·log 2π."),
        Param("eps", "number", 1e-6, "Lower clamp on var, keeping its logarithm finite; > 0.", gt=0),
        REDUCTION,
    ),
    traits=VALUES,
    example={
        "inputs": {"input": [2.0, 1.0, 0.5], "target": [2.5, 0.5, 0.5], "var": [0.5, 1.0, 0.25]},
        "grad": ["input", "var"],
    },
    check=_gaussian_check,
    forward=_gaussian_nll,
)


# --- kl_div -------------------------------------------------------------------------

# ATen's reduction codes; batchmean is a sum divided afterwards, as F.kl_div does.
_KL_REDUCTION = {"none": 0, "mean": 1, "sum": 2, "batchmean": 2}


def _kl_div(x: Tensors, p: Params) -> torch.Tensor:
    # The ATen op directly: F.kl_div warns on reduction="mean", and warnings are not thread-safe.
    inp = x["input"]
    out = torch.kl_div(inp, x["target"], _KL_REDUCTION[p["reduction"]], log_target=p["log_target"])
    if p["reduction"] == "batchmean" and inp.dim() != 0:
        out = out / inp.size(0)
    return out


def _kl_warnings(x: Tensors, p: Params) -> list[str]:
    if p["reduction"] != "mean":
        return []
    return [
        "reduction 'mean' divides the summed loss by the number of elements, not by the batch size: it is not "
        "the KL divergence; 'batchmean' is, and PyTorch means to make 'mean' behave like it"
    ]


KL_DIV = Loss(
    name="kl_div",
    batchable=True,
    torch="torch.nn.KLDivLoss",
    functional="kl_div",
    task="probabilistic",
    summary="Kullback–Leibler divergence of the target distribution from the predicted one.",
    formula=(
        "ℓᵢ = targetᵢ·(log targetᵢ − inputᵢ), or exp(targetᵢ)·(targetᵢ − inputᵢ) with log_target; input holds "
        "log-probabilities. batchmean: Σℓ / input.size(0), the KL divergence per sample; sum: Σℓ; "
        "mean: Σℓ / number of elements; none: ℓ."
    ),
    use_when=(
        "Comparing a predicted distribution with a target distribution rather than a single class: "
        "distillation from a teacher's soft labels, label smoothing, matching a policy or a latent prior. "
        "input must be log-probabilities (log_softmax output, not probabilities); pass the target as "
        "log-probabilities with log_target for stability. Use reduction batchmean for the true divergence. "
        "Against one-hot targets it equals cross_entropy less a constant."
    ),
    inputs=(
        Input(
            "input",
            "float",
            "any shape; the batch is the first dimension",
            "Log-probabilities of the predicted distribution (e.g. log_softmax output).",
            differentiable=True,
        ),
        Input(
            "target",
            "float",
            "broadcastable with input; normally the same shape",
            "The target distribution: probabilities, or log-probabilities with log_target.",
            differentiable=True,
        ),
    ),
    params=(
        Param(
            "reduction",
            "string",
            "mean",
            "How the pointwise terms are combined: `batchmean` (sum divided by the batch size: the KL "
            "divergence), `sum`, `mean` (divided by every element; not the KL divergence) or `none`.",
            choices=("none", "batchmean", "sum", "mean"),
        ),
        Param("log_target", "boolean", False, "true when target holds log-probabilities."),
    ),
    traits=Traits("log_probabilities", robust_to_outliers=False, handles_imbalance=False),
    example={
        "inputs": {"input": [[-1.204, -0.916, -1.204]], "target": [[0.2, 0.5, 0.3]]},
        "params": {"reduction": "batchmean"},
        "grad": ["input"],
    },
    check=_pointwise,
    forward=_kl_div,
    warnings=_kl_warnings,
)

LOSSES = (POISSON_NLL, GAUSSIAN_NLL, KL_DIV)
