"""Sequence losses from torch.nn."""

import torch
import torch.nn.functional as F

from .checks import at, fail, indices_in, ndim_in, param
from .spec import Input, Loss, Param, Params, Shape, Tensors, Traits


def _lengths(x: Tensors, name: str, n: int, unbatched: bool) -> torch.Tensor:
    """`name` as a flat (n,) tensor: (N) batched, () or (1) unbatched, as PyTorch takes them."""
    t = x[name]
    if t.dim() > 1 or t.numel() != n:
        want = "() or (1)" if unbatched else f"({n}): one length per sequence of the batch"
        raise fail(at(name), f"expected shape {want}, got shape {list(t.shape)}")
    t = t.reshape(-1)
    if t.numel() and int(t.min()) < 0:
        raise fail(at(name), f"lengths must not be negative; got {int(t.min())}")
    return t


def _ctc_check(x: Tensors, p: Params) -> Shape:
    lp = x["log_probs"]
    ndim_in(x, "log_probs", (2, 3), "shape (T, N, C), or (T, C) unbatched")
    if lp.numel() == 0:
        raise fail(at("log_probs"), f"must not be empty (PyTorch refuses it), got shape {list(lp.shape)}")
    unbatched = lp.dim() == 2
    t_max, n, c = lp.size(0), (1 if unbatched else lp.size(1)), lp.size(-1)
    if p["blank"] >= c:
        raise fail(param("blank"), f"must be a class index in [0, {c}), C = {c} being log_probs' last dimension")

    input_lengths = _lengths(x, "input_lengths", n, unbatched)
    if int(input_lengths.max()) > t_max:
        raise fail(at("input_lengths"), f"lengths must be at most T = {t_max}; got {int(input_lengths.max())}")
    target_lengths = _lengths(x, "target_lengths", n, unbatched)

    targets = x["targets"]
    ndim_in(x, "targets", (1, 2), "shape (N, S) padded, or (sum(target_lengths)) concatenated")
    if targets.dim() == 1:
        # Bound each length first: a huge one could overflow the sum.
        if int(target_lengths.max()) > targets.numel():
            raise fail(
                at("target_lengths"),
                f"lengths must be at most the {targets.numel()} concatenated labels; got {int(target_lengths.max())}",
            )
        total = int(target_lengths.sum())
        if targets.numel() != total:
            raise fail(
                at("target_lengths"),
                f"concatenated targets hold {targets.numel()} labels, but the target lengths add up to {total}",
            )
        checked = targets
    else:
        if targets.size(0) != n:
            raise fail(at("targets"), f"expected {n} rows, one per sequence, got shape {list(targets.shape)}")
        s = targets.size(1)
        if int(target_lengths.max()) > s:
            raise fail(
                at("target_lengths"),
                f"lengths must be at most S = {s}, targets' second dimension; got {int(target_lengths.max())}",
            )
        # Padding past each length is never read: only labels in use must be classes (blank stands in).
        checked = torch.where(torch.arange(s) < target_lengths[:, None], targets, p["blank"])
    indices_in({"targets": checked}, "targets", c, what="target labels")
    return () if unbatched else (n,)


def _ctc_work(x: Tensors, p: Params) -> int:
    # PyTorch keeps alignment tables of N × T × (2·S + 1), S the longest target: forward and backward alike.
    lp = x["log_probs"]
    n = 1 if lp.dim() == 2 else lp.size(1)
    longest = int(x["target_lengths"].max()) if x["target_lengths"].numel() else 0
    return n * lp.size(0) * (2 * longest + 1)


CTC = Loss(
    name="ctc",
    torch="torch.nn.CTCLoss",
    functional="ctc_loss",
    task="sequence",
    summary="Connectionist temporal classification: the likelihood of a label sequence summed over every alignment.",
    formula=(
        "ℓₙ = −log Σ_π Πₜ exp(log_probs[t, n, πₜ]), over every path π of length input_lengthsₙ that reduces to "
        "targetₙ once repeated labels are merged and blanks dropped; mean (default) divides each ℓₙ by its "
        "target length (at least 1), then averages over the batch; sum or none."
    ),
    use_when=(
        "Sequence outputs without a known alignment to the input frames: speech recognition, handwriting and "
        "line-level OCR, keyword spotting. The model emits a distribution over the classes plus a blank at "
        "every time step, and the target only lists the labels in order. Each input must be at least as long "
        "as its target (plus one step per repeated label); a target that cannot fit gives an infinite loss, "
        "which zero_infinity turns into 0. Feed log_softmax outputs: the gradient assumes them."
    ),
    inputs=(
        Input(
            "log_probs",
            "float",
            "(T, N, C), or (T, C) unbatched; T time steps, N sequences, C classes including blank; not empty",
            "Log-probabilities over the classes at each time step (log_softmax over C).",
            differentiable=True,
        ),
        Input(
            "targets",
            "index",
            "(N, S) padded, S at least every target length, or (sum(target_lengths)) concatenated; labels in [0, C)",
            "Target label sequences; in the padded form, entries past a sequence's length are ignored.",
        ),
        Input("input_lengths", "index", "(N), or () unbatched; each in [0, T]", "Time steps used in each sequence."),
        Input("target_lengths", "index", "(N), or () unbatched; each ≥ 0", "Number of labels in each target."),
    ),
    params=(
        Param("blank", "integer", 0, "Class index of the blank symbol, in [0, C).", ge=0),
        Param(
            "reduction",
            "string",
            "mean",
            "`mean`: each sequence's loss divided by its target length, then averaged; `sum`; or `none`, one "
            "loss per sequence.",
            choices=("none", "mean", "sum"),
        ),
        Param(
            "zero_infinity",
            "boolean",
            False,
            "Turn infinite losses (targets that cannot fit their input) and their gradients into 0.",
        ),
    ),
    traits=Traits("log_probabilities", robust_to_outliers=False, handles_imbalance=False),
    example={
        "inputs": {
            "log_probs": [
                [[-0.4, -1.6, -1.6], [-1.2, -0.5, -2.3]],
                [[-1.6, -0.4, -1.6], [-0.7, -1.2, -1.6]],
                [[-1.6, -1.6, -0.4], [-1.1, -1.1, -1.1]],
            ],
            "targets": [[1, 2], [1, 0]],
            "input_lengths": [3, 3],
            "target_lengths": [2, 1],
        },
        "grad": ["log_probs"],
    },
    check=_ctc_check,
    work=_ctc_work,
    forward=lambda x, p: F.ctc_loss(
        x["log_probs"],
        x["targets"],
        x["input_lengths"],
        x["target_lengths"],
        blank=p["blank"],
        reduction=p["reduction"],
        zero_infinity=p["zero_infinity"],
    ),
)

LOSSES = (CTC,)
