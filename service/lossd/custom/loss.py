"""A custom expression as a catalogue `Loss`, so that it runs through the same validation, engine and pool
as every built-in loss: its inputs are decoded and cast by `prepare`, its shapes checked (and what it
would allocate bounded) by the loss's `check`, and its `forward` evaluates the expression."""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import torch

from ..catalogue.spec import Input, Loss, Param, Params, Shape, Tensors, Traits
from ..catalogue.validate import ComputeDtype, Prepared, prepare
from ..codec import ElementBudget, Limits
from ..errors import FieldError, InvalidRequest
from .evaluate import evaluate
from .language import Expression
from .shapes import infer

NAME = "custom"
# The value is the expression's result, whatever its shape: a number when it reduces to one, else a tensor
# (as a built-in loss's `reduction: "none"`). Not a request field: custom requests take no params.
_AS_IS = Param("reduction", "string", "none", "The expression's result as it is.", choices=("none",))


@dataclass(frozen=True)
class CustomJob(Prepared):
    """A prepared custom expression; `work` counts the elements of its intermediate tensors.

    The pool runs tiny jobs inline on the event loop, judged by `elements`: here that is the
    inputs' elements and the work together, so a broadcast of small inputs leaves the loop.
    """

    work: int = 0

    @property
    def elements(self) -> int:
        return super().elements + self.work


class ExpressionForward:
    """A loss's `forward` that evaluates a checked expression (picklable: it holds only the tree)."""

    def __init__(self, expr: Expression) -> None:
        self.root = expr.root

    def __call__(self, x: Tensors, p: Params) -> torch.Tensor:
        return evaluate(self.root, x)


def expression_loss(expr: Expression, check: Any) -> Loss:
    """A one-off `Loss` for `expr`: every input floating and differentiable, no params."""
    return Loss(
        name=NAME,
        torch=None,
        task="regression",
        summary="A caller-defined loss expression.",
        formula=expr.source,
        use_when="",
        inputs=tuple(
            Input(n, "float", "any shape that broadcasts", "An input of the expression.", differentiable=True)
            for n in expr.inputs
        ),
        params=(_AS_IS,),
        traits=Traits("values", robust_to_outliers=False, handles_imbalance=False),
        example={},
        check=check,
        forward=ExpressionForward(expr),
        batchable=False,
    )


def prepare_custom(
    expr: Expression,
    inputs: Mapping[str, Any],
    grad: bool | list[str] | None,
    grad_output: Any,
    dtype: ComputeDtype,
    limits: Limits,
    budget: ElementBudget,
    max_total_elements: int,
) -> CustomJob:
    """Validate a custom request for the checked `expr`, as `prepare` does a built-in loss's.

    Every input must be used and every name used must be given (422 at ["inputs", name]);
    the shapes must fit the operations (422 at ["expression"]) and what the expression would
    allocate must stay within the limits (413), all before anything is computed.
    """
    errors = [
        FieldError(("inputs", name), f"the expression does not use {name!r}; it uses {', '.join(expr.inputs)}")
        for name in inputs
        if name not in expr.inputs
    ]
    errors += [
        FieldError(("inputs", name), "required input is missing: the expression uses it")
        for name in expr.inputs
        if name not in inputs
    ]
    if errors:
        raise InvalidRequest(errors)
    works: list[int] = []

    def check(x: Tensors, p: Params) -> Shape:
        plan = infer(expr, {n: tuple(t.shape) for n, t in x.items()}, limits.max_tensor_elements, max_total_elements)
        works.append(plan.elements)
        assert plan.shape is not None
        return plan.shape

    job = prepare(expression_loss(expr, check), inputs, None, grad, grad_output, dtype, limits, budget)
    return CustomJob(**{f.name: getattr(job, f.name) for f in fields(Prepared)}, work=works[-1])
