"""Cases for catalogue/classification.py."""

from typing import Any

import torch
from hypothesis import strategies as st

from . import REDUCTIONS, Bad, Case, LossCases, floats, ints, shapes

# A class index that PyTorch skips: the default, the usual "no label" values, or a real class.
IGNORE_INDICES = st.sampled_from([None, -100, -1, 255, 0])


def _broadcastable(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts to `shape` without enlarging it."""
    k = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else d for d in shape[len(shape) - k :])


def _class_layout(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Input and index-target shapes for (C), (N, C) or (N, C, d1, ..., dK), and C."""
    c = draw(st.integers(1, 4))
    form = draw(st.sampled_from(["unbatched", "batched", "spatial"]))
    if form == "unbatched":
        return (c,), (), c
    n = draw(st.integers(1, 4))
    spatial = draw(shapes(1, 3)) if form == "spatial" else ()
    return (n, c, *spatial), (n, *spatial), c


def _class_params(draw: st.DrawFn, c: int, ignore: int | None) -> dict[str, Any]:
    params: dict[str, Any] = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        params["weight"] = draw(floats((c,), 0.125, 2.0))
    if ignore is not None:
        params["ignore_index"] = ignore
    return params


def _ignore(draw: st.DrawFn, c: int) -> int | None:
    """An ignore_index, or None for the default; 0 only where another class is left."""
    return draw(IGNORE_INDICES.filter(lambda i: i != 0 or c > 1))


def _indices(draw: st.DrawFn, shape: tuple[int, ...], c: int, ignore: int) -> torch.Tensor:
    """Class indices, some of them `ignore`; the first stays a class so a mean is never 0/0."""
    t = draw(ints(shape, 0, c - 1))
    if draw(st.booleans()):
        t[draw(ints(shape, 0, 1)).bool()] = ignore
    t.view(-1)[0] = draw(st.sampled_from([k for k in range(c) if k != ignore]))
    return t


@st.composite
def _cross_entropy(draw: st.DrawFn) -> Case:
    in_shape, idx_shape, c = _class_layout(draw)
    logits = draw(floats(in_shape))
    if draw(st.booleans()):
        # Probabilities (soft labels); PyTorch refuses ignore_index ≥ 0 with them.
        ignore = draw(st.sampled_from([None, -100, -1]))
        target = draw(floats(in_shape, 0.0, 1.0))
    else:
        ignore = _ignore(draw, c)
        target = _indices(draw, idx_shape, c, -100 if ignore is None else ignore)
    params = _class_params(draw, c, ignore)
    if draw(st.booleans()):
        params["label_smoothing"] = draw(st.floats(0.0, 1.0))
    return Case({"input": logits, "target": target}, params)


@st.composite
def _nll(draw: st.DrawFn) -> Case:
    in_shape, idx_shape, c = _class_layout(draw)
    ignore = _ignore(draw, c)
    log_probs = torch.log_softmax(draw(floats(in_shape)), dim=0 if len(in_shape) == 1 else 1)
    target = _indices(draw, idx_shape, c, -100 if ignore is None else ignore)
    return Case({"input": log_probs, "target": target}, _class_params(draw, c, ignore))


def _labels(draw: st.DrawFn, shape: tuple[int, ...], values: tuple[float, float]) -> torch.Tensor:
    lo, hi = values
    return draw(ints(shape, 0, 1)).to(torch.float64) * (hi - lo) + lo


@st.composite
def _bce(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    target = _labels(draw, shape, (0, 1)) if draw(st.booleans()) else draw(floats(shape, 0.0, 1.0))
    params: dict[str, Any] = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        params["weight"] = draw(floats(_broadcastable(draw, shape), 0.125, 2.0))
    return Case({"input": draw(floats(shape, 0.0625, 0.9375)), "target": target}, params)


@st.composite
def _bce_with_logits(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    target = _labels(draw, shape, (0, 1)) if draw(st.booleans()) else draw(floats(shape, 0.0, 1.0))
    params: dict[str, Any] = {"reduction": draw(REDUCTIONS)}
    for name in ("weight", "pos_weight"):
        if draw(st.booleans()):
            params[name] = draw(floats(_broadcastable(draw, shape), 0.125, 4.0))
    return Case({"input": draw(floats(shape)), "target": target}, params)


def _score_layout(draw: st.DrawFn) -> tuple[tuple[int, ...], int, int]:
    """A margin loss's input shape: () (one class), (C) or (N, C); with N and C."""
    form = draw(st.sampled_from(["scalar", "unbatched", "batched"]))
    c = 1 if form == "scalar" else draw(st.integers(1, 4))
    if form == "batched":
        n = draw(st.integers(1, 4))
        return (n, c), n, c
    return ((c,) if form == "unbatched" else ()), 1, c


@st.composite
def _multi_margin(draw: st.DrawFn) -> Case:
    shape, n, c = _score_layout(draw)
    # One index per sample; a single sample may also send it 0-d.
    target_shape = draw(st.sampled_from([(n,), ()] if n == 1 else [(n,)]))
    params: dict[str, Any] = {
        "reduction": draw(REDUCTIONS),
        "p": draw(st.sampled_from([1, 2])),
        "margin": draw(st.floats(-1.0, 3.0)),
    }
    if draw(st.booleans()):
        params["weight"] = draw(floats((c,), 0.125, 2.0))
    return Case({"input": draw(floats(shape)), "target": draw(ints(target_shape, 0, c - 1))}, params)


def _label_row(draw: st.DrawFn, c: int) -> list[int]:
    """Distinct classes, then -1, then anything in [-1, C) (PyTorch stops reading at the -1)."""
    chosen = draw(st.permutations(range(c)))[: draw(st.integers(0, c))]
    if len(chosen) == c:
        return chosen
    tail = c - len(chosen) - 1
    return [*chosen, -1, *draw(st.lists(st.integers(-1, c - 1), min_size=tail, max_size=tail))]


@st.composite
def _multilabel_margin(draw: st.DrawFn) -> Case:
    shape, n, c = _score_layout(draw)
    rows = [_label_row(draw, c) for _ in range(n)]
    if len(shape) == 2:
        target = torch.tensor(rows, dtype=torch.int64)
    else:
        target = torch.tensor(rows[0], dtype=torch.int64)
        if c == 1 and draw(st.booleans()):
            target = target.reshape(())  # one class: PyTorch also takes the label 0-d
    return Case({"input": draw(floats(shape)), "target": target}, {"reduction": draw(REDUCTIONS)})


@st.composite
def _multilabel_soft_margin(draw: st.DrawFn) -> Case:
    shape = draw(shapes(1, 3))
    target = _labels(draw, _broadcastable(draw, shape) if draw(st.booleans()) else shape, (0, 1))
    params: dict[str, Any] = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        params["weight"] = draw(floats(_broadcastable(draw, shape), 0.125, 2.0))
    return Case({"input": draw(floats(shape)), "target": target}, params)


@st.composite
def _soft_margin(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    target = _labels(draw, _broadcastable(draw, shape) if draw(st.booleans()) else shape, (-1, 1))
    return Case({"input": draw(floats(shape)), "target": target}, {"reduction": draw(REDUCTIONS)})


@st.composite
def _hinge_embedding(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    # PyTorch broadcasts both ways here: the target may also add dimensions.
    target_shape = draw(st.sampled_from([shape, _broadcastable(draw, shape), (*draw(shapes(0, 1)), *shape)]))
    params = {"reduction": draw(REDUCTIONS), "margin": draw(st.floats(-1.0, 3.0))}
    return Case({"input": draw(floats(shape, 0.0, 4.0)), "target": _labels(draw, target_shape, (-1, 1))}, params)


def _bad(why: str, inputs: dict[str, Any], loc: tuple[str | int, ...], **rest: Any) -> Bad:
    return Bad(why, {"inputs": inputs, **rest}, 422, loc)


def _empty(*shape: int, dtype: str = "float32") -> dict[str, Any]:
    return {"dtype": dtype, "shape": list(shape), "data": []}


INPUT, TARGET, GRAD = ("inputs", "input"), ("inputs", "target"), ("grad", 0)
WEIGHT, POS_WEIGHT, IGNORE = ("params", "weight"), ("params", "pos_weight"), ("params", "ignore_index")
ROWS = [[0.5, 1.0, -1.0], [2.0, 0.0, 0.3]]  # N = 2, C = 3
PROBS = [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]
INDICES = {"input": ROWS, "target": [0, 1]}
ROW_LABELS = {"input": ROWS, "target": [[1, 0, 0], [0, 1, 1]]}
SOFT = {"input": ROWS, "target": PROBS}
PAIR = {"input": [0.5, 0.5], "target": [1, 0]}
ONE = {"input": [0.5], "target": [1]}
SMOOTHING = ("params", "label_smoothing")

# Bad requests both class-index losses share.
_CLASS_INDEX_BAD = (
    _bad("0-d input", {"input": 1.5, "target": 0}, INPUT),
    _bad("fewer targets than samples", {"input": ROWS, "target": [0]}, TARGET),
    _bad("a column of targets", {"input": ROWS, "target": [[0], [1]]}, TARGET),
    _bad("two indices for an unbatched input", {"input": ROWS[0], "target": [0, 1]}, TARGET),
    _bad("unbatched index in a list", {"input": ROWS[0], "target": [1]}, TARGET),
    _bad("spatial target of the wrong size", {"input": [[[0.1, 0.2], [0.3, 0.4]]], "target": [[0, 1, 1]]}, TARGET),
    _bad("class index C", {"input": ROWS, "target": [0, 3]}, TARGET),
    _bad("negative class index other than ignore_index", {"input": ROWS, "target": [0, -1]}, TARGET),
    _bad("-100 once ignore_index moved", {"input": ROWS, "target": [0, -100]}, TARGET, params={"ignore_index": 255}),
    _bad("weight of the wrong length", INDICES, WEIGHT, params={"weight": [1.0, 2.0]}),
    _bad("weight of two dimensions", INDICES, WEIGHT, params={"weight": [[1.0, 2.0, 3.0]]}),
    _bad("no classes, one spatial dimension", {"input": _empty(1, 0, 2), "target": [[-100, -100]]}, INPUT),
    _bad("ignore_index beyond int64", INDICES, IGNORE, params={"ignore_index": 2**63}),
    _bad("gradient for class indices", INDICES, GRAD, grad=["target"]),
    _bad("non-integral class index", {"input": ROWS, "target": [0, 1.5]}, TARGET),
    _bad("deprecated reduce", INDICES, ("params", "reduce"), params={"reduce": False}),
)

CASES = {
    "cross_entropy": LossCases(
        _cross_entropy(),
        lambda x, p: torch.nn.CrossEntropyLoss(**p)(x["input"], x["target"]),
        bad=(
            *_CLASS_INDEX_BAD,
            _bad("ignore_index ≥ 0 with probabilities", SOFT, IGNORE, params={"ignore_index": 0}),
            _bad("weight of the wrong length, probabilities", SOFT, WEIGHT, params={"weight": [1, 2, 3, 4]}),
            _bad("0-d input and probability", {"input": 1.5, "target": 1.0}, INPUT),
            _bad("label_smoothing above 1", INDICES, SMOOTHING, params={"label_smoothing": 1.5}),
            _bad("negative label_smoothing", INDICES, SMOOTHING, params={"label_smoothing": -0.1}),
        ),
    ),
    "nll": LossCases(
        _nll(),
        lambda x, p: torch.nn.NLLLoss(**p)(x["input"], x["target"]),
        bad=(
            *_CLASS_INDEX_BAD,
            _bad("probabilities as target", SOFT, TARGET),
            _bad("no classes, 3 spatial dims", {"input": _empty(1, 0, 1, 1, 2), "target": [[[[-100, -100]]]]}, INPUT),
        ),
    ),
    "bce": LossCases(
        _bce(),
        lambda x, p: torch.nn.BCELoss(**p)(x["input"], x["target"]),
        bad=(
            _bad("target of another shape", {"input": [[0.5, 0.5]], "target": [1.0, 0.0]}, TARGET),
            _bad("probability above 1", {"input": [0.5, 1.5], "target": [1.0, 0.0]}, INPUT),
            _bad("NaN probability", {"input": [0.5, "NaN"], "target": [1.0, 0.0]}, INPUT),
            _bad("target below 0", {"input": [0.5, 0.5], "target": [1.0, -0.5]}, TARGET),
            _bad("weight that does not broadcast", PAIR, WEIGHT, params={"weight": [1, 2, 3]}),
            _bad("weight that grows the shape", PAIR, WEIGHT, params={"weight": [[1, 2]]}),
            _bad("pos_weight is bce_with_logits'", ONE, POS_WEIGHT, params={"pos_weight": [2]}),
        ),
    ),
    "bce_with_logits": LossCases(
        _bce_with_logits(),
        lambda x, p: torch.nn.BCEWithLogitsLoss(**p)(x["input"], x["target"]),
        bad=(
            _bad("target of another shape", {"input": [[0.5, -0.5]], "target": [1.0, 0.0]}, TARGET),
            _bad("weight that does not broadcast", SOFT, WEIGHT, params={"weight": [1, 2]}),
            _bad("weight that grows the shape", SOFT, WEIGHT, params={"weight": [[[1, 2, 3]]]}),
            _bad("pos_weight per sample", SOFT, POS_WEIGHT, params={"pos_weight": [1, 2]}),
            _bad("pos_weight that grows the shape", ONE, POS_WEIGHT, params={"pos_weight": [1, 2]}),
        ),
    ),
    "multi_margin": LossCases(
        _multi_margin(),
        lambda x, p: torch.nn.MultiMarginLoss(**p)(x["input"], x["target"]),
        bad=(
            _bad("three dimensions", {"input": [ROWS], "target": [[0, 1]]}, INPUT),
            _bad("no classes", {"input": _empty(2, 0), "target": [0, 0]}, INPUT),
            _bad("fewer targets than samples", {"input": ROWS, "target": [0]}, TARGET),
            _bad("a column of targets", {"input": ROWS, "target": [[0], [1]]}, TARGET),
            _bad("class index C", {"input": ROWS, "target": [0, 3]}, TARGET),
            _bad("negative class index", {"input": ROWS, "target": [0, -1]}, TARGET),
            _bad("weight of the wrong length", INDICES, WEIGHT, params={"weight": [1.0, 2.0]}),
            _bad("weight of two dimensions", INDICES, WEIGHT, params={"weight": [[1.0, 2.0, 3.0]]}),
            _bad("p = 3", INDICES, ("params", "p"), params={"p": 3}),
            _bad("fractional p", INDICES, ("params", "p"), params={"p": 1.5}),
            _bad("no ignore_index here", INDICES, IGNORE, params={"ignore_index": -1}),
        ),
    ),
    "multilabel_margin": LossCases(
        _multilabel_margin(),
        lambda x, p: torch.nn.MultiLabelMarginLoss(**p)(x["input"], x["target"]),
        bad=(
            _bad("three dimensions", {"input": [ROWS], "target": [[[0, -1, 0], [1, -1, 0]]]}, INPUT),
            _bad("no classes", {"input": _empty(2, 0), "target": _empty(2, 0, dtype="int64")}, INPUT),
            _bad("one label row for two samples", {"input": ROWS, "target": [0, -1, 0]}, TARGET),
            _bad("rows shorter than C", {"input": ROWS, "target": [[0, -1], [1, -1]]}, TARGET),
            _bad("label C", {"input": ROWS, "target": [[0, 3, -1], [1, -1, 0]]}, TARGET),
            _bad("label below -1", {"input": ROWS, "target": [[0, -2, 1], [1, -1, 0]]}, TARGET),
            _bad("out of range after the -1", {"input": ROWS[0], "target": [0, -1, 7]}, TARGET),
            _bad("gradient for labels", {"input": ROWS, "target": [[0, -1, 0], [1, -1, 0]]}, GRAD, grad=["target"]),
        ),
    ),
    "multilabel_soft_margin": LossCases(
        _multilabel_soft_margin(),
        lambda x, p: torch.nn.MultiLabelSoftMarginLoss(**p)(x["input"], x["target"]),
        bad=(
            _bad("0-d input", {"input": 0.5, "target": 1}, INPUT),
            _bad("target per sample, not per class", {"input": ROWS, "target": [1, 0]}, TARGET),
            _bad("target that grows the shape", {"input": ROWS[0], "target": [[1, 0, 1], [0, 1, 1]]}, TARGET),
            _bad("label 0.5", {"input": ROWS, "target": [[1, 0, 0.5], [0, 1, 1]]}, TARGET),
            _bad("label -1", {"input": ROWS, "target": [[1, 0, -1], [0, 1, 1]]}, TARGET),
            _bad("weight that does not broadcast", ROW_LABELS, WEIGHT, params={"weight": [1.0, 2.0]}),
            _bad("weight that grows the shape", PAIR, WEIGHT, params={"weight": [[1], [2]]}),
            _bad("gradient for labels", ROW_LABELS, GRAD, grad=["target"]),
        ),
    ),
    "soft_margin": LossCases(
        _soft_margin(),
        lambda x, p: torch.nn.SoftMarginLoss(**p)(x["input"], x["target"]),
        bad=(
            _bad("0/1 labels", {"input": [0.5, -0.5], "target": [1, 0]}, TARGET),
            _bad("target that does not broadcast", {"input": [0.5, -0.5], "target": [1, -1, 1]}, TARGET),
            _bad("target that grows the shape", {"input": [0.5, -0.5], "target": [[1, -1], [-1, 1]]}, TARGET),
            _bad("gradient for labels", ONE, GRAD, grad=["target"]),
        ),
    ),
    "hinge_embedding": LossCases(
        _hinge_embedding(),
        lambda x, p: torch.nn.HingeEmbeddingLoss(**p)(x["input"], x["target"]),
        bad=(
            _bad("label 0", {"input": [0.5, 2.0], "target": [1, 0]}, TARGET),
            _bad("NaN label", {"input": [0.5, 2.0], "target": [1, "NaN"]}, TARGET),
            _bad("target that does not broadcast", {"input": [0.5, 2.0], "target": [1, -1, 1]}, TARGET),
            _bad("gradient for labels", ONE, GRAD, grad=["target"]),
            _bad("margin as a string", ONE, ("params", "margin"), params={"margin": "1"}),
        ),
    ),
}
