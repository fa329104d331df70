"""Cases for catalogue/regression.py."""

import torch
from hypothesis import strategies as st

from . import REDUCTIONS, Bad, Case, LossCases, floats, shapes


@st.composite
def _pointwise(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    return Case({"input": draw(floats(shape)), "target": draw(floats(shape))}, {"reduction": draw(REDUCTIONS)})


CASES = {
    "mse": LossCases(
        _pointwise(),
        lambda x, p: torch.nn.MSELoss(**p)(x["input"], x["target"]),
        bad=(
            Bad(
                "target that does not broadcast",
                {"inputs": {"input": [1.0, 2.0, 3.0], "target": [1.0, 2.0]}},
                422,
                ("inputs", "target"),
            ),
            Bad(
                "deprecated size_average",
                {"inputs": {"input": [1.0], "target": [1.0]}, "params": {"size_average": True}},
                422,
                ("params", "size_average"),
            ),
        ),
    ),
}
