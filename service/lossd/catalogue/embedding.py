"""Ranking and embedding losses from torch.nn: pairs and triplets compared by score or distance."""

import torch
import torch.nn.functional as F

from .checks import at, broadcast, fail, labels_in
from .spec import REDUCTION, Input, Loss, Param, Params, Shape, Tensors, Traits

EMBEDDINGS = Traits("embeddings", robust_to_outliers=False, handles_imbalance=False)


def _same_ndim(x: Tensors, first: str, *others: str) -> None:
    n = x[first].dim()
    for name in others:
        if x[name].dim() != n:
            raise fail(at(name), f"must have as many dimensions as {first} ({n}), got shape {list(x[name].shape)}")


def _sign_labels(x: Tensors) -> None:
    # PyTorch takes any value here (cosine_embedding scores the others as 0); only ±1 means anything.
    labels_in(x, "target", (-1.0, 1.0))


def _margin(default: float, meaning: str, positive: bool = False) -> Param:
    return Param("margin", "number", default, meaning, gt=0 if positive else None)


# --- margin_ranking ---------------------------------------------------------------


def _margin_ranking_check(x: Tensors, p: Params) -> Shape:
    _same_ndim(x, "input1", "input2", "target")
    shape = broadcast(x, "input1", "input2", "target")
    _sign_labels(x)
    return shape


MARGIN_RANKING = Loss(
    name="margin_ranking",
    torch="torch.nn.MarginRankingLoss",
    functional="margin_ranking_loss",
    task="ranking",
    summary="Hinge loss on the order of two scores: the preferred one must lead by the margin.",
    formula=(
        "ℓᵢ = max(0, −targetᵢ·(input1ᵢ − input2ᵢ) + margin), targetᵢ ∈ {1, −1}; then reduced by mean (default), "
        "sum or none."
    ),
    use_when=(
        "Learning to rank from pairwise preferences: search results, recommendations, any case where which of "
        "two items should score higher is known but not a target score. target 1 means input1 should rank "
        "above input2, −1 the reverse. A positive margin asks for a clear lead, not just the right order; "
        "pairs already ordered by more than the margin cost nothing."
    ),
    inputs=(
        Input(
            "input1",
            "float",
            "any shape; input1, input2 and target have the same number of dimensions and broadcast together",
            "Scores of the first items.",
            differentiable=True,
        ),
        Input("input2", "float", "like input1", "Scores of the second items.", differentiable=True),
        Input(
            "target", "label", "like input1; each 1 or −1", "1 where input1 should rank higher, −1 where input2 should."
        ),
    ),
    params=(
        _margin(0.0, "How far the preferred score must lead before the pair costs nothing; any finite number."),
        REDUCTION,
    ),
    traits=Traits("scores", robust_to_outliers=False, handles_imbalance=False),
    example={
        "inputs": {"input1": [0.8, 0.2, 0.5], "input2": [0.3, 0.6, 0.5], "target": [1, -1, 1]},
        "params": {"margin": 0.1},
        "grad": ["input1", "input2"],
    },
    check=_margin_ranking_check,
    forward=lambda x, p: F.margin_ranking_loss(
        x["input1"], x["input2"], x["target"], margin=p["margin"], reduction=p["reduction"]
    ),
)


# --- cosine_embedding -------------------------------------------------------------


def _cosine_embedding_check(x: Tensors, p: Params) -> Shape:
    n = x["target"].dim()
    if n > 1:
        raise fail(at("target"), f"expected shape (N) or () unbatched, got shape {list(x['target'].shape)}")
    rule = "(N, D) with a 1-D target" if n == 1 else "(D) with a 0-d target"
    for name in ("input1", "input2"):
        if x[name].dim() != n + 1:
            raise fail(at(name), f"expected shape {rule}, got shape {list(x[name].shape)}")
    pairs = broadcast(x, "input1", "input2")[:-1]  # one cosine per row
    try:
        shape = tuple(torch.broadcast_shapes(pairs, x["target"].shape))
    except RuntimeError:
        raise fail(at("target"), f"shape {list(x['target'].shape)} does not match the {list(pairs)} pairs") from None
    _sign_labels(x)
    return shape


COSINE_EMBEDDING = Loss(
    name="cosine_embedding",
    torch="torch.nn.CosineEmbeddingLoss",
    functional="cosine_embedding_loss",
    task="embedding",
    summary="Pulls similar pairs to cosine similarity 1 and pushes dissimilar pairs below the margin.",
    formula=(
        "With cᵢ = cos(input1ᵢ, input2ᵢ) over the last dimension: ℓᵢ = 1 − cᵢ if targetᵢ = 1, "
        "max(0, cᵢ − margin) if targetᵢ = −1; then reduced by mean (default), sum or none."
    ),
    use_when=(
        "Learning embeddings from labelled pairs (same or different: duplicate questions, matching images and "
        "captions, face verification) when direction matters and length does not. target 1 marks a similar "
        "pair, −1 a dissimilar one; dissimilar pairs cost only while their cosine exceeds the margin "
        "(0 to 0.5 is usual). With anchor/positive/negative triplets, prefer triplet_margin."
    ),
    inputs=(
        Input("input1", "float", "(N, D), or (D) unbatched", "First embeddings.", differentiable=True),
        Input("input2", "float", "like input1 (broadcastable with it)", "Second embeddings.", differentiable=True),
        Input(
            "target",
            "label",
            "(N), or () unbatched; each 1 or −1",
            "1 for pairs that should match, −1 for pairs that should not.",
        ),
    ),
    params=(
        _margin(0.0, "Cosine similarity below which a dissimilar pair costs nothing; from −1 to 1 is meaningful."),
        REDUCTION,
    ),
    traits=EMBEDDINGS,
    example={
        "inputs": {"input1": [[1.0, 0.0], [0.5, 0.5]], "input2": [[0.8, 0.2], [0.6, 0.4]], "target": [1, -1]},
        "params": {"margin": 0.2},
        "grad": ["input1", "input2"],
    },
    check=_cosine_embedding_check,
    forward=lambda x, p: F.cosine_embedding_loss(
        x["input1"], x["input2"], x["target"], margin=p["margin"], reduction=p["reduction"]
    ),
)


# --- triplets ---------------------------------------------------------------------

TRIPLET_INPUTS = (
    Input(
        "anchor",
        "float",
        "(N, D), or (D) unbatched; distances run over the last dimension",
        "Anchor embeddings.",
        differentiable=True,
    ),
    Input(
        "positive",
        "float",
        "as many dimensions as anchor, broadcastable with it",
        "Embeddings that should be near the anchor.",
        differentiable=True,
    ),
    Input(
        "negative",
        "float",
        "as many dimensions as anchor, broadcastable with it",
        "Embeddings that should be far from the anchor.",
        differentiable=True,
    ),
)
TRIPLET_MARGIN_PARAM = _margin(1.0, "How much nearer the positive must be than the negative; > 0.", positive=True)
SWAP = Param(
    "swap",
    "boolean",
    False,
    "Take the negative's distance as the smaller of d(anchor, negative) and d(positive, negative): "
    "the distance swap of Balntas et al.",
)
TRIPLET_EXAMPLE = {
    "anchor": [[0.0, 1.0], [1.0, 0.0]],
    "positive": [[0.1, 0.9], [0.9, 0.2]],
    "negative": [[1.0, 0.0], [0.8, 0.1]],
}


def _triplet_check(x: Tensors, p: Params) -> Shape:
    _same_ndim(x, "anchor", "positive", "negative")
    # Each distance drops the last dimension; PyTorch broadcasts the pairs, then the distances.
    pos = broadcast(x, "anchor", "positive")[:-1]
    neg = broadcast(x, "anchor", "negative")[:-1]
    if p["swap"]:
        broadcast(x, "positive", "negative")
    try:
        return tuple(torch.broadcast_shapes(pos, neg))
    except RuntimeError:
        raise fail(
            at("negative"), f"distances to negative {list(neg)} do not broadcast with those to positive {list(pos)}"
        ) from None


TRIPLET_MARGIN = Loss(
    name="triplet_margin",
    torch="torch.nn.TripletMarginLoss",
    functional="triplet_margin_loss",
    task="embedding",
    summary="The anchor must be nearer the positive than the negative by a margin, in p-norm distance.",
    formula=(
        "With d(x, y) = ‖x − y + eps‖ₚ over the last dimension: ℓᵢ = max(0, d(aᵢ, pᵢ) − d(aᵢ, nᵢ) + margin); "
        "with swap, d(aᵢ, nᵢ) becomes min(d(aᵢ, nᵢ), d(pᵢ, nᵢ)); then reduced by mean (default), sum or none."
    ),
    use_when=(
        "Metric learning from triplets (anchor, an example of the same identity or class, one of another): "
        "face recognition, person re-identification, image or text retrieval. Only the relative distances "
        "matter, so it learns a space where nearest neighbours share a label. Triplets already separated by "
        "the margin cost nothing, so mining hard negatives matters more than the loss's settings. For cosine "
        "distance use triplet_margin_with_distance."
    ),
    inputs=TRIPLET_INPUTS,
    params=(
        TRIPLET_MARGIN_PARAM,
        Param("p", "number", 2.0, "Order of the norm used as distance; > 0 (2 is Euclidean, 1 Manhattan).", gt=0),
        Param(
            "eps",
            "number",
            1e-6,
            "Added to each difference before its norm, keeping gradients finite at zero distance.",
        ),
        SWAP,
        REDUCTION,
    ),
    traits=EMBEDDINGS,
    example={"inputs": TRIPLET_EXAMPLE, "grad": ["anchor", "positive", "negative"]},
    check=_triplet_check,
    forward=lambda x, p: F.triplet_margin_loss(
        x["anchor"],
        x["positive"],
        x["negative"],
        margin=p["margin"],
        p=p["p"],
        eps=p["eps"],
        swap=p["swap"],
        reduction=p["reduction"],
    ),
)


def _cosine_distance(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    # Over the last dimension, like pairwise_distance: dim=1 would fail on unbatched (D) inputs.
    return 1.0 - F.cosine_similarity(x1, x2, dim=-1)


# None is PyTorch's own default, F.pairwise_distance with p = 2.
DISTANCES = {"pairwise": None, "cosine": _cosine_distance}

TRIPLET_MARGIN_WITH_DISTANCE = Loss(
    name="triplet_margin_with_distance",
    torch="torch.nn.TripletMarginWithDistanceLoss",
    functional="triplet_margin_with_distance_loss",
    task="embedding",
    summary="The triplet margin loss with a chosen distance: Euclidean or cosine.",
    formula=(
        "ℓᵢ = max(0, d(aᵢ, pᵢ) − d(aᵢ, nᵢ) + margin), with d = pairwise: ‖x − y + 10⁻⁶‖₂ or cosine: 1 − cos(x, y), "
        "over the last dimension; with swap, d(aᵢ, nᵢ) becomes min(d(aᵢ, nᵢ), d(pᵢ, nᵢ)); then reduced by mean "
        "(default), sum or none."
    ),
    use_when=(
        "Metric learning from triplets, as triplet_margin, when the distance should be cosine: embeddings "
        "compared by angle, for text and retrieval models whose vectors are normalised or whose length carries "
        "no meaning. Cosine distance lies in [0, 2], so keep the margin well below 2. With pairwise it is "
        "triplet_margin with p = 2."
    ),
    inputs=TRIPLET_INPUTS,
    params=(
        Param(
            "distance_function",
            "string",
            "pairwise",
            "`pairwise`: Euclidean distance (F.pairwise_distance, p = 2); `cosine`: 1 − cosine similarity.",
            choices=tuple(DISTANCES),
        ),
        TRIPLET_MARGIN_PARAM,
        SWAP,
        REDUCTION,
    ),
    traits=EMBEDDINGS,
    example={
        "inputs": TRIPLET_EXAMPLE,
        "params": {"distance_function": "cosine", "margin": 0.5},
        "grad": ["anchor", "positive", "negative"],
    },
    check=_triplet_check,
    forward=lambda x, p: F.triplet_margin_with_distance_loss(
        x["anchor"],
        x["positive"],
        x["negative"],
        distance_function=DISTANCES[p["distance_function"]],
        margin=p["margin"],
        swap=p["swap"],
        reduction=p["reduction"],
    ),
)

LOSSES = (MARGIN_RANKING, COSINE_EMBEDDING, TRIPLET_MARGIN, TRIPLET_MARGIN_WITH_DISTANCE)
