"""Per-loss test material, one module per catalogue module.

Each loss has a `LossCases`:
  strategy   a hypothesis strategy drawing a valid `Case` (inputs and params);
  reference  the expected loss, computed by torch.nn's own class (or, for the
             losses torch does not ship, an independent formula), never by
             lossd's catalogue;
  bad        requests PyTorch rejects (or should), each with the status and
             the `loc` of the field the problem must name.

The generic drivers (test_conformance.py, test_bad_inputs.py) run them all.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from hypothesis import strategies as st


@dataclass
class Case:
    """Valid inputs for one loss.

    Floating inputs are float64 (the driver casts them to the request dtype);
    index inputs are int64. `params` are JSON values, except tensor params
    (`weight`, `pos_weight`), which are float64 tensors.
    """

    inputs: dict[str, torch.Tensor]
    params: dict[str, Any] = field(default_factory=dict)


# reference(inputs, params) -> loss; inputs already in the compute dtype, with
# requires_grad set on the differentiable ones; params' tensors in the compute dtype.
Reference = Callable[[dict[str, torch.Tensor], dict[str, Any]], torch.Tensor]


@dataclass(frozen=True)
class Bad:
    """A request body that must be refused with `status`, naming `loc`."""

    why: str
    body: dict[str, Any]
    status: int
    loc: tuple[str | int, ...]


@dataclass(frozen=True)
class LossCases:
    strategy: st.SearchStrategy[Case]
    reference: Reference
    bad: tuple[Bad, ...] = ()


def floats(shape: tuple[int, ...], lo: float = -10.0, hi: float = 10.0) -> st.SearchStrategy[torch.Tensor]:
    """A float64 tensor of `shape` with finite values in [lo, hi]."""
    n = 1
    for d in shape:
        n *= d
    return st.lists(st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=32), min_size=n, max_size=n).map(
        lambda v: torch.tensor(v, dtype=torch.float64).reshape(shape)
    )


def ints(shape: tuple[int, ...], lo: int, hi: int) -> st.SearchStrategy[torch.Tensor]:
    """An int64 tensor of `shape` with values in [lo, hi]."""
    n = 1
    for d in shape:
        n *= d
    return st.lists(st.integers(lo, hi), min_size=n, max_size=n).map(
        lambda v: torch.tensor(v, dtype=torch.int64).reshape(shape)
    )


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    return st.lists(st.integers(1, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


REDUCTIONS = st.sampled_from(["mean", "sum", "none"])
