"""Cases for catalogue/sequence.py."""

from typing import Any

import torch
from hypothesis import strategies as st

from . import REDUCTIONS, Bad, Case, LossCases, floats


@st.composite
def _ctc(draw: st.DrawFn) -> Case:
    t_max, c = draw(st.integers(1, 6)), draw(st.integers(2, 5))
    unbatched = draw(st.booleans())
    n = 1 if unbatched else draw(st.integers(1, 3))
    blank = draw(st.integers(0, c - 1))
    zero_infinity = draw(st.booleans())
    labels = [k for k in range(c) if k != blank]

    sequences, input_lengths = [], []
    for _ in range(n):
        seq = draw(st.lists(st.sampled_from(labels), max_size=t_max // 2))
        # Each repeated label needs a blank between; shorter inputs give inf, drawn only with zero_infinity.
        need = len(seq) + sum(a == b for a, b in zip(seq, seq[1:], strict=False))
        sequences.append(seq)
        input_lengths.append(draw(st.integers(0 if zero_infinity else need, t_max)))
    target_lengths = [len(s) for s in sequences]

    if draw(st.booleans()):
        targets = torch.tensor([k for s in sequences for k in s], dtype=torch.int64)
    else:
        # Padded; what lies past each length is never read, in range or not.
        width = max(target_lengths) + draw(st.integers(0, 2))
        pad = draw(st.sampled_from([0, -1, c + 3]))
        targets = torch.tensor([s + [pad] * (width - len(s)) for s in sequences], dtype=torch.int64).reshape(n, width)

    def lengths(v: list[int]) -> torch.Tensor:
        t = torch.tensor(v, dtype=torch.int64)
        return t.reshape(()) if unbatched and draw(st.booleans()) else t

    logits = draw(floats((t_max, c) if unbatched else (t_max, n, c), -4.0, 4.0))
    inputs = {
        "log_probs": torch.log_softmax(logits, dim=-1),
        "targets": targets,
        "input_lengths": lengths(input_lengths),
        "target_lengths": lengths(target_lengths),
    }
    params = {"blank": blank, "reduction": draw(REDUCTIONS), "zero_infinity": zero_infinity}
    return Case(inputs, params)


def _bad(why: str, inputs: dict[str, Any], loc: tuple[str | int, ...], **rest: Any) -> Bad:
    return Bad(why, {"inputs": inputs, **rest}, 422, loc)


def at(name: str) -> tuple[str, str]:
    return ("inputs", name)


# T = 3, N = 2, C = 3.
LOG_PROBS = [
    [[-0.4, -1.6, -1.6], [-1.2, -0.5, -2.3]],
    [[-1.6, -0.4, -1.6], [-0.7, -1.2, -1.6]],
    [[-1.6, -1.6, -0.4], [-1.1, -1.1, -1.1]],
]
PADDED = {"log_probs": LOG_PROBS, "targets": [[1, 2], [1, -1]], "input_lengths": [3, 3], "target_lengths": [2, 1]}
CONCATENATED = {**PADDED, "targets": [1, 2, 1]}
UNBATCHED = {"log_probs": [row[0] for row in LOG_PROBS], "targets": [1, 2], "input_lengths": 3, "target_lengths": 2}


def _typed(dtype: str, *shape: int) -> dict[str, Any]:
    return {"dtype": dtype, "shape": list(shape), "data": []}


CASES = {
    "ctc": LossCases(
        _ctc(),
        lambda x, p: torch.nn.CTCLoss(**p)(x["log_probs"], x["targets"], x["input_lengths"], x["target_lengths"]),
        bad=(
            _bad("blank = C", PADDED, ("params", "blank"), params={"blank": 3}),
            _bad("negative blank", PADDED, ("params", "blank"), params={"blank": -1}),
            _bad("label C", {**PADDED, "targets": [[1, 3], [1, -1]]}, at("targets")),
            _bad("negative label in use", {**CONCATENATED, "targets": [1, -1, 1]}, at("targets")),
            _bad("label C, unbatched", {**UNBATCHED, "targets": [1, 7]}, at("targets")),
            _bad("input length beyond T", {**PADDED, "input_lengths": [3, 4]}, at("input_lengths")),
            _bad("negative input length", {**PADDED, "input_lengths": [3, -1]}, at("input_lengths")),
            _bad("negative target length", {**PADDED, "target_lengths": [2, -1]}, at("target_lengths")),
            _bad("target length beyond the padded width", {**PADDED, "target_lengths": [2, 3]}, at("target_lengths")),
            _bad("target lengths that do not add up", {**CONCATENATED, "target_lengths": [2, 2]}, at("target_lengths")),
            _bad("a huge target length", {**CONCATENATED, "target_lengths": [2**62, 2**62]}, at("target_lengths")),
            _bad("one input length for two sequences", {**PADDED, "input_lengths": [3]}, at("input_lengths")),
            _bad(
                "three target lengths for two sequences", {**PADDED, "target_lengths": [2, 1, 0]}, at("target_lengths")
            ),
            _bad("lengths as a column", {**PADDED, "input_lengths": [[3], [3]]}, at("input_lengths")),
            _bad("two lengths for one unbatched sequence", {**UNBATCHED, "input_lengths": [3, 3]}, at("input_lengths")),
            _bad(
                "padded targets with a row per time step",
                {**PADDED, "targets": [[1, 2], [1, 0], [2, 2]]},
                at("targets"),
            ),
            _bad("0-d targets", {**UNBATCHED, "targets": 1, "target_lengths": 1}, at("targets")),
            _bad("3-D targets", {**PADDED, "targets": [[[1, 2]], [[1, 0]]]}, at("targets")),
            _bad("1-D log_probs", {**UNBATCHED, "log_probs": [-0.4, -1.6, -1.6]}, at("log_probs")),
            _bad("4-D log_probs", {**PADDED, "log_probs": [LOG_PROBS]}, at("log_probs")),
            _bad(
                "no sequences",
                {
                    "log_probs": _typed("float32", 3, 0, 3),
                    "targets": _typed("int64", 0),
                    "input_lengths": _typed("int64", 0),
                    "target_lengths": _typed("int64", 0),
                },
                at("log_probs"),
            ),
            _bad("no classes", {**UNBATCHED, "log_probs": _typed("float32", 3, 0)}, at("log_probs")),
            _bad("fractional length", {**PADDED, "input_lengths": [3, 2.5]}, at("input_lengths")),
            _bad("float targets", {**PADDED, "targets": {"dtype": "float32", "data": [[1, 2], [1, 0]]}}, at("targets")),
            _bad("gradient for targets", PADDED, ("grad", 0), grad=["targets"]),
            _bad("blank as a float", PADDED, ("params", "blank"), params={"blank": 0.5}),
        ),
    ),
}
