"""Classification and margin losses from torch.nn: scores against classes or labels."""

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ..errors import Loc
from .checks import at, broadcast, fail, indices_in, labels_in, param, same_shape, within
from .spec import REDUCTION, Input, Loss, Param, Params, Shape, Tensors, Traits

Functional = Callable[..., torch.Tensor]

LN3 = 1.0986122886681098  # softmax([ln 3, 0]) = [0.75, 0.25]: the seed examples' −log 0.75 ≈ 0.2877


# Shape and value checks shared by several losses.


def _fits(t: torch.Tensor | None, loc: Loc, shape: torch.Size) -> None:
    """`t` broadcasts to `shape` without enlarging it: PyTorch writes the result into input's shape."""
    if t is None:
        return
    try:
        ok = torch.broadcast_shapes(t.shape, shape) == shape
    except RuntimeError:
        ok = False
    if not ok:
        raise fail(loc, f"shape {list(t.shape)} does not broadcast to input's shape {list(shape)}")


def _class_weight(p: Params, classes: int) -> None:
    w = p["weight"]
    if w is not None and tuple(w.shape) != (classes,):
        raise fail(param("weight"), f"expected one weight per class, shape [{classes}], got {list(w.shape)}")


def _class_dim(x: Tensors) -> tuple[int, Shape]:
    """C and the unreduced shape of an input laid out (C), (N, C) or (N, C, d1, ...)."""
    inp = x["input"]
    if inp.dim() == 0:
        raise fail(at("input"), "expected shape (C), (N, C) or (N, C, d1, ...), got a 0-d tensor")
    if inp.dim() == 1:
        return inp.shape[0], ()
    return inp.shape[1], (inp.shape[0], *inp.shape[2:])


def _class_indices(x: Tensors, p: Params) -> Shape:
    """nll's target, and cross_entropy's when it is not shaped like input."""
    inp, tgt = x["input"], x["target"]
    classes, shape = _class_dim(x)
    # PyTorch's forward also takes [i] for unbatched input, but its backward then fails: require the 0-d form.
    if tuple(tgt.shape) != shape:
        want, got = list(shape), list(tgt.shape)
        raise fail(at("target"), f"expected class indices of shape {want} for input {list(inp.shape)}, got {got}")
    _class_weight(p, classes)
    indices_in(x, "target", classes, p["ignore_index"])
    # With 3 or 5+ dims PyTorch reshapes input inferring one size from its element count, impossible when C = 0.
    if inp.numel() == 0 and tgt.numel() and inp.dim() not in (1, 2, 4):
        raise fail(at("input"), f"has no classes (C = 0): PyTorch cannot take shape {list(inp.shape)} then")
    return shape


def _cross_entropy(x: Tensors, p: Params) -> Shape:
    if not x["target"].is_floating_point():
        return _class_indices(x, p)
    classes, shape = _class_dim(x)
    _class_weight(p, classes)
    if p["ignore_index"] >= 0:
        raise fail(
            param("ignore_index"),
            "applies to class-index targets only; PyTorch refuses ignore_index ≥ 0 with probabilities "
            "(a target shaped like input)",
        )
    return shape


def _binary(*tensor_params: str) -> Callable[[Tensors, Params], Shape]:
    def check(x: Tensors, p: Params) -> Shape:
        same_shape(x, "target", "input")
        for name in tensor_params:
            _fits(p[name], param(name), x["input"].shape)
        return tuple(x["input"].shape)

    return check


_weighted_pair = _binary("weight")


def _bce(x: Tensors, p: Params) -> Shape:
    shape = _weighted_pair(x, p)
    within(x, "input", 0, 1, "probabilities")
    within(x, "target", 0, 1, "targets")
    return shape


def _score_matrix(x: Tensors) -> tuple[int, int]:
    """N and C of a margin loss's input (C) or (N, C); a 0-d input is one sample of one class."""
    inp = x["input"]
    if inp.dim() > 2 or (inp.dim() and inp.shape[-1] == 0):
        raise fail(at("input"), f"expected (C) or (N, C) with C ≥ 1 (N may be 0), got shape {list(inp.shape)}")
    return (inp.shape[0] if inp.dim() == 2 else 1), (inp.shape[-1] if inp.dim() else 1)


def _multi_margin(x: Tensors, p: Params) -> Shape:
    n, classes = _score_matrix(x)
    tgt = x["target"]
    if tgt.dim() > 1 or tgt.numel() != n:
        raise fail(at("target"), f"expected {n} class index(es), shape [{n}], got {list(tgt.shape)}")
    _class_weight(p, classes)
    indices_in(x, "target", classes)
    return (n,) if tgt.dim() else ()


def _multilabel_margin(x: Tensors, p: Params) -> Shape:
    n, classes = _score_matrix(x)
    inp, tgt = x["input"], x["target"]
    ok = (tgt.shape == inp.shape) if inp.dim() == 2 else (tgt.dim() <= 1 and tgt.numel() == classes)
    if not ok:
        raise fail(at("target"), f"expected labels shaped like input {list(inp.shape)}, got {list(tgt.shape)}")
    # PyTorch's own check covers the whole row, also past the first -1.
    within(x, "target", -1, classes - 1, "labels (class indices, -1 ending the list)")
    return (n,) if inp.dim() == 2 else ()


def _multilabel_soft_margin(x: Tensors, p: Params) -> Shape:
    inp = x["input"]
    if inp.dim() == 0:
        raise fail(at("input"), "expected shape (C) or (N, C), classes in the last dimension; got a 0-d tensor")
    # PyTorch broadcasts freely, but a target or weight that grows the loss moves its class dimension.
    _fits(x["target"], at("target"), inp.shape)
    _fits(p["weight"], param("weight"), inp.shape)
    labels_in(x, "target", (0, 1))
    return tuple(inp.shape[:-1])


def _soft_margin(x: Tensors, p: Params) -> Shape:
    _fits(x["target"], at("target"), x["input"].shape)
    labels_in(x, "target", (-1, 1))
    return tuple(x["input"].shape)


def _hinge_embedding(x: Tensors, p: Params) -> Shape:
    shape = broadcast(x, "input", "target")
    labels_in(x, "target", (-1, 1))
    return shape


# Forwards: every param is named as the functional's keyword argument.


def _call(fn: Functional) -> Callable[[Tensors, Params], torch.Tensor]:
    return lambda x, p: fn(x["input"], x["target"], **p)


def _empty_batch_safe(fn: Functional) -> Callable[[Tensors, Params], torch.Tensor]:
    """Reduce an empty batch here: PyTorch's CPU kernel returns uninitialised memory for it."""

    def forward(x: Tensors, p: Params) -> torch.Tensor:
        if x["input"].numel() or p["reduction"] == "none":
            return fn(x["input"], x["target"], **p)
        loss = fn(x["input"], x["target"], **{**p, "reduction": "none"})
        return loss.sum() if p["reduction"] == "sum" else loss.mean()

    return forward


# Declarations shared by several losses.


def _weight(meaning: str) -> Param:
    return Param("weight", "tensor", None, meaning, nullable=True)


CLASS_WEIGHT = _weight(
    "One weight per class, C numbers: raise the weight of rare classes to counter class imbalance. "
    "null weighs every class 1."
)
ELEMENT_WEIGHT = _weight("A weight per element, broadcast to input's shape (often one per class). null weighs all 1.")
IGNORE_INDEX = Param(
    "ignore_index",
    "integer",
    -100,
    "A target value to skip: it adds nothing and does not count in the mean (class-index targets only). "
    "Exempt from the class range check, so -100, -1 or 255 all work.",
    ge=-(2**63),
    le=2**63 - 1,
)
MARGIN = Param("margin", "number", 1.0, "The margin the scores must clear; any finite number.")

SCORES = Input("input", "float", "(C) or (N, C); N may be 0", "Scores, one per class.", differentiable=True)
PLUS_MINUS_ONE = "Labels, each −1 or 1."


CROSS_ENTROPY = Loss(
    name="cross_entropy",
    torch="torch.nn.CrossEntropyLoss",
    functional="cross_entropy",
    task="classification",
    summary="Softmax cross-entropy between raw class scores (logits) and class indices or class probabilities.",
    formula=(
        "For logits x over C classes and class y: ℓ = −w_y · log(exp(x_y) / Σ_c exp(x_c)); for probabilities "
        "q: ℓ = −Σ_c w_c · q_c · log softmax(x)_c. Label smoothing ε first mixes the target with the uniform "
        "distribution: (1 − ε)·target + ε/C. Targets equal to ignore_index give ℓ = 0; mean divides by Σ w_y "
        "over the other targets (class indices) or by the number of samples (probabilities)."
    ),
    use_when=(
        "Single-label classification with several classes. Feed the model's raw logits: the softmax is built "
        "in, so put no softmax layer before it. Class imbalance: set weight. Overconfident models: "
        "label_smoothing (0.1 is common). Soft or mixed labels (distillation, mixup): send a probability "
        "target shaped like input. For two classes or multi-label, use bce_with_logits instead."
    ),
    inputs=(
        Input(
            "input",
            "float",
            "(C), (N, C) or (N, C, d1, …, dK): classes in dimension 1 (0 when unbatched)",
            "Logits: unnormalised scores, one per class.",
            differentiable=True,
        ),
        Input(
            "target",
            "class_target",
            "class indices: [] for input (C), (N) for (N, C), (N, d1, …, dK) for (N, C, d1, …, dK); "
            "probabilities: input's shape",
            "Class indices in [0, C) (or ignore_index), or, when shaped like input, class probabilities "
            "(differentiable then).",
        ),
    ),
    params=(
        CLASS_WEIGHT,
        IGNORE_INDEX,
        REDUCTION,
        Param(
            "label_smoothing",
            "number",
            0.0,
            "How much of the target to replace by the uniform distribution over classes: 0 (none) to 1.",
            ge=0.0,
            le=1.0,
        ),
    ),
    traits=Traits("logits", robust_to_outliers=False, handles_imbalance=True),
    example={"inputs": {"input": [[LN3, 0.0]], "target": [0]}, "grad": ["input"]},
    check=_cross_entropy,
    forward=_call(F.cross_entropy),
)

NLL = Loss(
    name="nll",
    torch="torch.nn.NLLLoss",
    functional="nll_loss",
    task="classification",
    summary="Negative log-likelihood of the true class, given log-probabilities.",
    formula=(
        "For log-probabilities x and class y: ℓ = −w_y · x_y; targets equal to ignore_index give ℓ = 0 and "
        "mean divides by Σ w_y over the others."
    ),
    use_when=(
        "Single-label classification when the model already ends in log_softmax: nll after log_softmax is "
        "cross_entropy split in two. Send log-probabilities (not probabilities, not logits). Class "
        "imbalance: set weight; segmentation maps with unlabelled pixels: ignore_index (255 is common)."
    ),
    inputs=(
        Input(
            "input",
            "float",
            "(C), (N, C) or (N, C, d1, …, dK): classes in dimension 1 (0 when unbatched)",
            "Log-probabilities, one per class.",
            differentiable=True,
        ),
        Input(
            "target",
            "index",
            "[] for input (C), (N) for (N, C), (N, d1, …, dK) for (N, C, d1, …, dK)",
            "Class indices in [0, C), or ignore_index.",
        ),
    ),
    params=(CLASS_WEIGHT, IGNORE_INDEX, REDUCTION),
    traits=Traits("log_probabilities", robust_to_outliers=False, handles_imbalance=True),
    example={
        "inputs": {"input": [[-0.2876820724517809, -1.3862943611198906]], "target": [0]},
        "grad": ["input"],
    },
    check=_class_indices,
    forward=_call(F.nll_loss),
)

BCE = Loss(
    name="bce",
    batchable=True,
    torch="torch.nn.BCELoss",
    functional="binary_cross_entropy",
    task="classification",
    summary="Binary cross-entropy between predicted probabilities and targets in [0, 1].",
    formula="ℓᵢ = −wᵢ · (yᵢ · log xᵢ + (1 − yᵢ) · log(1 − xᵢ)), each log clamped at −100 so ℓ stays finite.",
    use_when=(
        "Binary or multi-label classification when the model already outputs probabilities (after a "
        "sigmoid). On logits prefer bce_with_logits: it is more stable numerically and offers pos_weight "
        "for imbalance. Inputs and targets must lie in [0, 1]."
    ),
    inputs=(
        Input("input", "float", "any shape", "Probabilities in [0, 1].", differentiable=True),
        Input("target", "float", "input's shape", "Targets in [0, 1]: 0/1 labels or soft labels.", differentiable=True),
    ),
    params=(ELEMENT_WEIGHT, REDUCTION),
    traits=Traits("probabilities", robust_to_outliers=False, handles_imbalance=True),
    example={"inputs": {"input": [0.75, 0.25], "target": [1.0, 0.0]}, "grad": ["input"]},
    check=_bce,
    forward=_call(F.binary_cross_entropy),
)

BCE_WITH_LOGITS = Loss(
    name="bce_with_logits",
    batchable=True,
    torch="torch.nn.BCEWithLogitsLoss",
    functional="binary_cross_entropy_with_logits",
    task="classification",
    summary="Binary cross-entropy on logits: a sigmoid and bce in one numerically stable step.",
    formula=(
        "ℓᵢ = −wᵢ · (pᵢ · yᵢ · log σ(xᵢ) + (1 − yᵢ) · log(1 − σ(xᵢ))), σ the sigmoid and p the pos_weight "
        "(1 when absent), computed without overflow for large |x|."
    ),
    use_when=(
        "Binary or multi-label classification (each class its own yes/no) on raw logits: the usual choice "
        "over sigmoid + bce. Class imbalance: pos_weight, one per class, e.g. negatives ÷ positives, trades "
        "precision for recall; weight rescales elements. Targets need not be 0/1 (soft labels)."
    ),
    inputs=(
        Input("input", "float", "any shape", "Logits.", differentiable=True),
        Input("target", "float", "input's shape", "Targets, normally in [0, 1].", differentiable=True),
    ),
    params=(
        ELEMENT_WEIGHT,
        REDUCTION,
        Param(
            "pos_weight",
            "tensor",
            None,
            "Weight of the positive term, broadcast to input's shape (usually one per class, the last "
            "dimension): above 1 favours recall, below 1 precision. null means 1.",
            nullable=True,
        ),
    ),
    traits=Traits("logits", robust_to_outliers=False, handles_imbalance=True),
    example={"inputs": {"input": [LN3, -LN3], "target": [1.0, 0.0]}, "grad": ["input"]},
    check=_binary("weight", "pos_weight"),
    forward=_call(F.binary_cross_entropy_with_logits),
)

MULTI_MARGIN = Loss(
    name="multi_margin",
    torch="torch.nn.MultiMarginLoss",
    functional="multi_margin_loss",
    task="classification",
    summary="Multi-class hinge loss: the true class's score must beat every other by a margin.",
    formula="For scores x over C classes and class y: ℓ = Σ_{i ≠ y} w_y · max(0, margin − x_y + x_i)^p / C.",
    use_when=(
        "Single-label classification with an SVM-style objective: only classes within the margin of the "
        "true one cost anything, so confident correct samples stop contributing. p = 2 squares the hinge. "
        "Class imbalance: weight. For probabilistic outputs use cross_entropy."
    ),
    inputs=(
        SCORES,
        Input("target", "index", "(N) for input (N, C); [] or [1] for (C)", "Class indices in [0, C)."),
    ),
    params=(
        Param("p", "integer", 1, "The hinge's power: 1 or 2.", choices=(1, 2)),
        MARGIN,
        CLASS_WEIGHT,
        REDUCTION,
    ),
    traits=Traits("scores", robust_to_outliers=False, handles_imbalance=True),
    example={"inputs": {"input": [[2.0, 1.5, 0.0]], "target": [0]}, "grad": ["input"]},
    check=_multi_margin,
    forward=_empty_batch_safe(F.multi_margin_loss),
)

MULTILABEL_MARGIN = Loss(
    name="multilabel_margin",
    torch="torch.nn.MultiLabelMarginLoss",
    functional="multilabel_margin_loss",
    task="classification",
    summary="Multi-label hinge loss: every true class's score must beat every other class's by 1.",
    formula=(
        "For scores x over C classes and the set J of target classes (the labels before the first −1): "
        "ℓ = Σ_{j ∈ J} Σ_{i ∉ J} max(0, 1 − (x_j − x_i)) / C."
    ),
    use_when=(
        "Multi-label classification with a ranking, SVM-style objective: each sample's true classes should "
        "all outscore its other classes. Targets list class indices and end with −1. For independent "
        "per-class probabilities use bce_with_logits or multilabel_soft_margin."
    ),
    inputs=(
        SCORES,
        Input(
            "target",
            "index",
            "input's shape",
            "Per sample, the target classes' indices, then −1 to end the list; entries in [−1, C).",
        ),
    ),
    params=(REDUCTION,),
    traits=Traits("scores", robust_to_outliers=False, handles_imbalance=False),
    example={"inputs": {"input": [[1.0, 0.5, -0.5]], "target": [[0, -1, 1]]}, "grad": ["input"]},
    check=_multilabel_margin,
    forward=_empty_batch_safe(F.multilabel_margin_loss),
)

MULTILABEL_SOFT_MARGIN = Loss(
    name="multilabel_soft_margin",
    torch="torch.nn.MultiLabelSoftMarginLoss",
    functional="multilabel_soft_margin_loss",
    task="classification",
    summary="Multi-label logistic loss: a sigmoid cross-entropy per class, averaged over the classes.",
    formula="Per sample: ℓ = −(1/C) · Σ_c w_c · (y_c · log σ(x_c) + (1 − y_c) · log σ(−x_c)), y_c ∈ {0, 1}.",
    use_when=(
        "Multi-label classification on logits with 0/1 targets, one per class, when each sample's loss "
        "should be the mean over its classes (bce_with_logits with reduction mean gives the same number; "
        "this form gives one loss per sample with reduction none). Class imbalance: weight per class."
    ),
    inputs=(
        Input(
            "input",
            "float",
            "(C) or (N, C); with more dimensions the last holds the classes",
            "Logits, one per class.",
            differentiable=True,
        ),
        Input("target", "label", "input's shape (or broadcastable to it)", "Labels, each 0 or 1."),
    ),
    params=(ELEMENT_WEIGHT, REDUCTION),
    traits=Traits("logits", robust_to_outliers=False, handles_imbalance=True),
    example={"inputs": {"input": [[LN3, -LN3]], "target": [[1, 0]]}, "grad": ["input"]},
    check=_multilabel_soft_margin,
    forward=_call(F.multilabel_soft_margin_loss),
)

SOFT_MARGIN = Loss(
    name="soft_margin",
    batchable=True,
    torch="torch.nn.SoftMarginLoss",
    functional="soft_margin_loss",
    task="classification",
    summary="Two-class logistic loss for ±1 labels.",
    formula="ℓᵢ = log(1 + exp(−yᵢ · xᵢ)), yᵢ ∈ {−1, 1}.",
    use_when=(
        "Binary classification with ±1 labels and raw scores: a smooth hinge that still rewards a wider "
        "margin. It equals bce_with_logits after mapping −1 to 0; use that one for 0/1 targets or pos_weight."
    ),
    inputs=(
        Input("input", "float", "any shape", "Scores.", differentiable=True),
        Input("target", "label", "input's shape (or broadcastable to it)", PLUS_MINUS_ONE),
    ),
    params=(REDUCTION,),
    traits=Traits("scores", robust_to_outliers=False, handles_imbalance=False),
    example={"inputs": {"input": [LN3, -LN3], "target": [1, -1]}, "grad": ["input"]},
    check=_soft_margin,
    forward=_call(F.soft_margin_loss),
)

HINGE_EMBEDDING = Loss(
    name="hinge_embedding",
    batchable=True,
    torch="torch.nn.HingeEmbeddingLoss",
    functional="hinge_embedding_loss",
    task="classification",
    summary="Pulls similar pairs' distances down and pushes dissimilar ones beyond a margin, with ±1 labels.",
    formula="ℓᵢ = xᵢ when yᵢ = 1, and max(0, margin − xᵢ) when yᵢ = −1.",
    use_when=(
        "Learning whether two things are similar: input is a distance between a pair (often an L1 "
        "distance), target 1 for similar pairs, −1 for dissimilar. Semi-supervised and embedding work. "
        "For two embeddings directly, cosine_embedding compares them itself."
    ),
    inputs=(
        Input("input", "float", "any shape", "Distances (or other non-negative scores).", differentiable=True),
        Input("target", "label", "broadcastable with input", PLUS_MINUS_ONE),
    ),
    params=(MARGIN, REDUCTION),
    traits=Traits("scores", robust_to_outliers=False, handles_imbalance=False),
    example={"inputs": {"input": [0.3, 2.0, 0.5], "target": [1, -1, -1]}, "grad": ["input"]},
    check=_hinge_embedding,
    forward=_call(F.hinge_embedding_loss),
)

LOSSES = (
    CROSS_ENTROPY,
    NLL,
    BCE,
    BCE_WITH_LOGITS,
    MULTI_MARGIN,
    MULTILABEL_MARGIN,
    MULTILABEL_SOFT_MARGIN,
    SOFT_MARGIN,
    HINGE_EMBEDDING,
)
