"""What a catalogue entry is made of: one `Loss` per loss, declaring inputs, params and checks."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import torch

Task = Literal["regression", "classification", "ranking", "embedding", "sequence", "probabilistic", "segmentation"]
InputKind = Literal["values", "logits", "probabilities", "log_probabilities", "embeddings", "scores"]
TASKS: tuple[Task, ...] = get_args(Task)
INPUT_KINDS: tuple[InputKind, ...] = get_args(InputKind)

# How an input's wire tensor becomes a compute tensor:
#   float         cast to the request's dtype (ints and bools too)
#   index         int64 class indices or lengths; int32 is widened, a floating tensor is a 422
#   label         cast to the request's dtype, never differentiable (±1 or 0/1 labels)
#   class_target  cross_entropy's target: probabilities (float) when shaped like `input`, else index
TensorRole = Literal["float", "index", "label", "class_target"]
ParamType = Literal["number", "integer", "boolean", "string", "tensor"]

Tensors = Mapping[str, torch.Tensor]
Params = Mapping[str, Any]
Shape = tuple[int, ...]


@dataclass(frozen=True)
class Input:
    name: str
    role: TensorRole
    shape: str
    description: str
    differentiable: bool = False


@dataclass(frozen=True)
class Param:
    """A loss parameter. Ranges are inclusive (`ge`, `le`) or exclusive (`gt`, `lt`)."""

    name: str
    type: ParamType
    default: Any
    description: str
    choices: tuple[Any, ...] | None = None
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    nullable: bool = False


@dataclass(frozen=True)
class Traits:
    input_kind: InputKind
    robust_to_outliers: bool
    handles_imbalance: bool


def _no_warnings(x: Tensors, p: Params) -> list[str]:
    return []


@dataclass(frozen=True)
class Loss:
    """One catalogue entry.

    `check(x, p)` runs after generic validation (roles, dtypes, param types and
    ranges) on CPU tensors already in their compute dtype, raises
    `InvalidRequest` for anything PyTorch would reject (or should), and returns
    the shape of the unreduced loss (what `reduction="none"` gives).
    `forward(x, p)` computes the loss on the device; it must equal `torch.nn`.
    `work(x, p)`, where given, bounds the elements of the largest intermediate
    (CTC's alignment table); validation refuses work over `max_tensor_elements`.
    """

    name: str
    torch: str | None
    task: Task
    summary: str
    formula: str
    use_when: str
    inputs: tuple[Input, ...]
    params: tuple[Param, ...]
    traits: Traits
    example: Mapping[str, Any]
    check: Callable[[Tensors, Params], Shape]
    forward: Callable[[Tensors, Params], torch.Tensor]
    warnings: Callable[[Tensors, Params], list[str]] = _no_warnings
    # Elements of the largest tensor the computation builds, where that exceeds the unreduced loss's.
    work: Callable[[Tensors, Params], int] | None = None
    functional: str | None = None
    extra_aliases: tuple[str, ...] = ()
    # Params PyTorch accepts that lossd refuses, each with the message to give.
    refused_params: Mapping[str, str] = field(default_factory=dict)
    # Whether a batching pool may stack several requests into one computation: true only for a loss whose
    # `reduction: "none"` value has one entry per element of its equal-shaped inputs, each from that
    # element alone (lossd.compute.batching splits and reduces each request's slice itself).
    batchable: bool = False

    @property
    def aliases(self) -> tuple[str, ...]:
        names = []
        if self.torch:
            names.append(self.torch.rsplit(".", 1)[-1])
        if self.functional:
            names.append(self.functional)
        return (*names, *self.extra_aliases)

    def input(self, name: str) -> Input:
        return next(i for i in self.inputs if i.name == name)

    def differentiable(self, x: Tensors) -> tuple[str, ...]:
        """Inputs a gradient may be asked for, given these (validated) tensors."""
        return tuple(
            i.name
            for i in self.inputs
            if i.differentiable or (i.role == "class_target" and x[i.name].is_floating_point())
        )


# Shared parameter declarations.
REDUCTION = Param(
    "reduction",
    "string",
    "mean",
    "How the per-element losses are combined: `mean`, `sum`, or `none` for the unreduced tensor.",
    choices=("none", "mean", "sum"),
)
DEPRECATED = {
    "size_average": "size_average is deprecated in PyTorch and not accepted; use reduction",
    "reduce": "reduce is deprecated in PyTorch and not accepted; use reduction",
}
