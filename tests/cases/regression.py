"""Cases for catalogue/regression.py."""

from collections.abc import Callable
from typing import Any

import torch
from hypothesis import strategies as st

from . import REDUCTIONS, Bad, Case, LossCases, floats, shapes


def _squashed(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts to `shape`: some leading dimensions dropped, some others 1."""
    k = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else d for d in shape[len(shape) - k :])


@st.composite
def _pointwise(draw: st.DrawFn, **params: st.SearchStrategy[Any]) -> Case:
    shape = draw(shapes())
    # Mostly the same shape; sometimes a target PyTorch broadcasts (and warns about).
    target_shape = _squashed(draw, shape) if draw(st.integers(0, 3)) == 0 else shape
    drawn = {"reduction": draw(REDUCTIONS), **{k: draw(v) for k, v in params.items()}}
    return Case({"input": draw(floats(shape)), "target": draw(floats(target_shape))}, drawn)


def _reference(
    cls: Callable[..., torch.nn.Module],
) -> Callable[[dict[str, torch.Tensor], dict[str, Any]], torch.Tensor]:
    # PyTorch warns when target's shape differs, then broadcasts; broadcasting first, as it does,
    # keeps the test free of warnings (which are errors here, and not thread-safe to silence).
    return lambda x, p: cls(**p)(*torch.broadcast_tensors(x["input"], x["target"]))


def _bad(why: str, body: dict[str, Any], loc: tuple[str | int, ...]) -> Bad:
    return Bad(why, body, 422, loc)


PAIR = {"input": [1.0, 2.0, 3.0], "target": [1.5, 2.0, 0.0]}
TARGET = ("inputs", "target")
NOT_BROADCASTING = _bad(
    "target that does not broadcast", {"inputs": {"input": [1.0, 2.0, 3.0], "target": [1.0, 2.0]}}, TARGET
)
DEPRECATED = _bad(
    "deprecated size_average",
    {"inputs": {"input": [1.0], "target": [1.0]}, "params": {"size_average": True}},
    ("params", "size_average"),
)

CASES = {
    "l1": LossCases(
        _pointwise(),
        _reference(torch.nn.L1Loss),
        bad=(
            NOT_BROADCASTING,
            DEPRECATED,
            _bad("unknown reduction", {"inputs": PAIR, "params": {"reduction": "batchmean"}}, ("params", "reduction")),
            _bad(
                "weight is F.l1_loss's, not L1Loss'",
                {"inputs": PAIR, "params": {"weight": [1.0, 1.0, 1.0]}},
                ("params", "weight"),
            ),
        ),
    ),
    "mse": LossCases(
        _pointwise(),
        _reference(torch.nn.MSELoss),
        bad=(NOT_BROADCASTING, DEPRECATED),
    ),
    "huber": LossCases(
        _pointwise(delta=st.one_of(st.sampled_from([0.5, 1.0, 2.0]), st.floats(0.0625, 8.0))),
        _reference(torch.nn.HuberLoss),
        bad=(
            NOT_BROADCASTING,
            _bad("delta 0", {"inputs": PAIR, "params": {"delta": 0}}, ("params", "delta")),
            _bad("negative delta", {"inputs": PAIR, "params": {"delta": -1.0}}, ("params", "delta")),
            _bad("delta as a string", {"inputs": PAIR, "params": {"delta": "1.0"}}, ("params", "delta")),
            _bad("beta is smooth_l1's", {"inputs": PAIR, "params": {"beta": 1.0}}, ("params", "beta")),
        ),
    ),
    "smooth_l1": LossCases(
        _pointwise(beta=st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.floats(0.0625, 8.0))),
        _reference(torch.nn.SmoothL1Loss),
        bad=(
            NOT_BROADCASTING,
            _bad("negative beta", {"inputs": PAIR, "params": {"beta": -0.5}}, ("params", "beta")),
            _bad("beta as a boolean", {"inputs": PAIR, "params": {"beta": True}}, ("params", "beta")),
            _bad("deprecated reduce", {"inputs": PAIR, "params": {"reduce": False}}, ("params", "reduce")),
        ),
    ),
}
