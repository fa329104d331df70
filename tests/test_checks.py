"""The catalogue's shape helpers agree with PyTorch's own rules."""

import torch
from hypothesis import example, given
from hypothesis import strategies as st

from lossd.catalogue.checks import broadcast_shapes

shapes = st.lists(st.integers(0, 3), max_size=4).map(tuple)


@given(shapes, shapes)
@example((2, 3), (3, 2))
@example((0,), (2,))
@example((4, 1), (5,))
def test_broadcast_shapes_is_torchs_rule(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    try:
        expected: tuple[int, ...] | None = tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        expected = None
    assert broadcast_shapes(a, b) == expected
