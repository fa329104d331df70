"""Cases for catalogue/embedding.py."""

from typing import Any

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from . import REDUCTIONS, Bad, Case, LossCases, floats, ints, shapes


def _ones(draw: st.DrawFn, shape: tuple[int, ...], keep: int = 0) -> tuple[int, ...]:
    """`shape` with some dimensions set to 1 (never the last `keep`), so it still broadcasts."""
    cut = len(shape) - keep
    return tuple(1 if i < cut and draw(st.integers(0, 3)) == 0 else d for i, d in enumerate(shape))


def _signs(draw: st.DrawFn, shape: tuple[int, ...]) -> torch.Tensor:
    return draw(ints(shape, 0, 1)).to(torch.float64) * 2 - 1


@st.composite
def _margin_ranking(draw: st.DrawFn) -> Case:
    shape = draw(shapes(0, 2))
    inputs = {
        "input1": draw(floats(_ones(draw, shape))),
        "input2": draw(floats(_ones(draw, shape))),
        "target": _signs(draw, _ones(draw, shape)),
    }
    return Case(inputs, {"margin": draw(st.floats(-1.0, 2.0)), "reduction": draw(REDUCTIONS)})


@st.composite
def _cosine_embedding(draw: st.DrawFn) -> Case:
    d = draw(st.integers(1, 4))
    if draw(st.booleans()):
        n = draw(st.integers(1, 4))
        shape, target_shape = (n, d), draw(st.sampled_from([(n,), (1,)]))
    else:
        shape, target_shape = (d,), ()
    inputs = {
        "input1": draw(floats(_ones(draw, shape, keep=1))),
        "input2": draw(floats(_ones(draw, shape, keep=1))),
        "target": _signs(draw, target_shape),
    }
    return Case(inputs, {"margin": draw(st.floats(-0.5, 0.9)), "reduction": draw(REDUCTIONS)})


def _triplet_inputs(draw: st.DrawFn) -> dict[str, torch.Tensor]:
    # (N, D), (D), and more leading dimensions, which PyTorch also takes.
    shape = draw(shapes(1, 3))
    return {
        "anchor": draw(floats(shape)),
        "positive": draw(floats(_ones(draw, shape))),
        "negative": draw(floats(_ones(draw, shape))),
    }


def _triplet_params(draw: st.DrawFn) -> dict[str, Any]:
    return {"margin": draw(st.floats(0.0625, 4.0)), "swap": draw(st.booleans()), "reduction": draw(REDUCTIONS)}


@st.composite
def _triplet_margin(draw: st.DrawFn) -> Case:
    params = {
        **_triplet_params(draw),
        "p": draw(st.sampled_from([1.0, 1.5, 2.0, 3.0])),
        "eps": draw(st.sampled_from([1e-6, 1e-3, 0.25])),
    }
    return Case(_triplet_inputs(draw), params)


@st.composite
def _triplet_margin_with_distance(draw: st.DrawFn) -> Case:
    params = {**_triplet_params(draw), "distance_function": draw(st.sampled_from(["pairwise", "cosine"]))}
    return Case(_triplet_inputs(draw), params)


def _cosine_distance(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    return 1.0 - F.cosine_similarity(x1, x2, dim=-1)


def _with_distance_reference(x: dict[str, torch.Tensor], p: dict[str, Any]) -> torch.Tensor:
    rest = dict(p)
    distance = {"pairwise": None, "cosine": _cosine_distance}[rest.pop("distance_function", "pairwise")]
    loss = torch.nn.TripletMarginWithDistanceLoss(distance_function=distance, **rest)
    return loss(x["anchor"], x["positive"], x["negative"])


def _bad(why: str, inputs: dict[str, Any], loc: tuple[str | int, ...], **rest: Any) -> Bad:
    return Bad(why, {"inputs": inputs, **rest}, 422, loc)


def at(name: str) -> tuple[str, str]:
    return ("inputs", name)


SCORES = {"input1": [0.8, 0.2], "input2": [0.3, 0.6], "target": [1, -1]}
PAIRS = {"input1": [[1.0, 0.0], [0.5, 0.5]], "input2": [[0.8, 0.2], [0.6, 0.4]], "target": [1, -1]}
TRIPLET = {
    "anchor": [[0.0, 1.0], [1.0, 0.0]],
    "positive": [[0.1, 0.9], [0.9, 0.2]],
    "negative": [[1.0, 0.0], [0.8, 0.1]],
}
ROW = [0.5, 0.5]


def _triplet_bad() -> tuple[Bad, ...]:
    """What both triplet losses refuse."""
    return (
        _bad("positive with fewer dimensions", {**TRIPLET, "positive": ROW}, at("positive")),
        _bad("negative with more dimensions", {**TRIPLET, "negative": [TRIPLET["negative"]]}, at("negative")),
        _bad("positive that does not broadcast", {**TRIPLET, "positive": [ROW, ROW, ROW]}, at("positive")),
        _bad(
            "embedding sizes that differ", {**TRIPLET, "negative": [[1.0, 0.0, 0.0], [0.8, 0.1, 0.0]]}, at("negative")
        ),
        _bad(
            "positive and negative that do not broadcast, with swap",
            {
                "anchor": [[0.0], [1.0]],
                "positive": [[0.1, 0.9], [0.9, 0.2]],
                "negative": [[1.0, 0.0, 0.0], [0.8, 0.1, 0.0]],
            },
            at("negative"),
            params={"swap": True},
        ),
        _bad("margin 0", TRIPLET, ("params", "margin"), params={"margin": 0}),
        _bad("negative margin", TRIPLET, ("params", "margin"), params={"margin": -1.0}),
        _bad("swap as a number", TRIPLET, ("params", "swap"), params={"swap": 1}),
    )


CASES = {
    "margin_ranking": LossCases(
        _margin_ranking(),
        lambda x, p: torch.nn.MarginRankingLoss(**p)(x["input1"], x["input2"], x["target"]),
        bad=(
            _bad("label 0", {**SCORES, "target": [1, 0]}, at("target")),
            _bad("label 0.5", {**SCORES, "target": [1, 0.5]}, at("target")),
            _bad("NaN label", {**SCORES, "target": [1, "NaN"]}, at("target")),
            _bad("0-d target for 1-D scores", {**SCORES, "target": 1}, at("target")),
            _bad("input2 with more dimensions", {**SCORES, "input2": [[0.3, 0.6]]}, at("input2")),
            _bad("input2 that does not broadcast", {**SCORES, "input2": [0.3, 0.6, 0.1]}, at("input2")),
            _bad("margin beyond float64", SCORES, ("params", "margin"), params={"margin": "Infinity"}),
            _bad("gradient for labels", SCORES, ("grad", 0), grad=["target"]),
        ),
    ),
    "cosine_embedding": LossCases(
        _cosine_embedding(),
        lambda x, p: torch.nn.CosineEmbeddingLoss(**p)(x["input1"], x["input2"], x["target"]),
        bad=(
            _bad("label 0", {**PAIRS, "target": [1, 0]}, at("target")),
            _bad("2-D target", {**PAIRS, "target": [[1], [-1]]}, at("target")),
            _bad("0-d target for a batch", {**PAIRS, "target": 1}, at("input1")),
            _bad("1-D target for one pair", {"input1": ROW, "input2": ROW, "target": [1]}, at("input1")),
            _bad("0-d inputs", {"input1": 0.5, "input2": 0.5, "target": 1}, at("input1")),
            _bad("input2 unbatched beside a batch", {**PAIRS, "input2": ROW}, at("input2")),
            _bad("embedding sizes that differ", {**PAIRS, "input2": [[0.8, 0.2, 0.0], [0.6, 0.4, 0.0]]}, at("input2")),
            _bad("a label per element, not per pair", {**PAIRS, "target": [1, -1, 1]}, at("target")),
            _bad("gradient for labels", PAIRS, ("grad", 0), grad=["target"]),
        ),
    ),
    "triplet_margin": LossCases(
        _triplet_margin(),
        lambda x, p: torch.nn.TripletMarginLoss(**p)(x["anchor"], x["positive"], x["negative"]),
        bad=(
            *_triplet_bad(),
            _bad("p 0", TRIPLET, ("params", "p"), params={"p": 0}),
            _bad("negative p", TRIPLET, ("params", "p"), params={"p": -2.0}),
            _bad(
                "distance_function is the other triplet loss'",
                TRIPLET,
                ("params", "distance_function"),
                params={"distance_function": "cosine"},
            ),
        ),
    ),
    "triplet_margin_with_distance": LossCases(
        _triplet_margin_with_distance(),
        _with_distance_reference,
        bad=(
            *_triplet_bad(),
            _bad(
                "unknown distance", TRIPLET, ("params", "distance_function"), params={"distance_function": "euclidean"}
            ),
            _bad("p is triplet_margin's", TRIPLET, ("params", "p"), params={"p": 1.0}),
        ),
    ),
}
