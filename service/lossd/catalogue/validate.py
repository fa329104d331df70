"""Generic validation: wire values in, a `Prepared` computation out, before any device sees a tensor.

Order: names (unknown or missing inputs and params), param types and ranges,
tensors decoded and cast by role, `grad`, the loss's own `check`, `grad_output`.
"""

import contextlib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import torch

from ..codec import ElementBudget, Limits, WireTensor, decode
from ..errors import FieldError, InvalidRequest, LimitExceeded, Loc
from .spec import DEPRECATED, Input, Loss, Param, Shape

_NONFINITE = {"NaN", "Infinity", "-Infinity"}
ComputeDtype = Literal["float32", "float64"]
COMPUTE_DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "float64": torch.float64}


@dataclass(frozen=True)
class Prepared:
    """A validated computation: CPU tensors in their compute dtypes, params with defaults filled in."""

    loss: Loss
    inputs: dict[str, torch.Tensor]
    params: dict[str, Any]
    grad: tuple[str, ...]
    grad_output: torch.Tensor | None
    dtype: torch.dtype
    value_shape: Shape
    warnings: list[str]

    @property
    def elements(self) -> int:
        return sum(t.numel() for t in self.inputs.values())


def prepare(
    loss: Loss,
    inputs: Mapping[str, Any],
    params: Mapping[str, Any] | None,
    grad: bool | list[str] | None,
    grad_output: Any,
    dtype: ComputeDtype,
    limits: Limits,
    budget: ElementBudget,
) -> Prepared:
    """Validate one compute request for `loss`.

    Raises `InvalidRequest` (422) listing what is wrong, or `LimitExceeded` (413).
    """
    compute_dtype = COMPUTE_DTYPES[dtype]
    params = params or {}
    _check_names(loss, inputs, params)
    errors: list[FieldError] = []
    p: dict[str, Any] = {}
    for spec in loss.params:
        with _collect(errors):
            p[spec.name] = _param(spec, params.get(spec.name), compute_dtype, limits, budget)
    x: dict[str, torch.Tensor] = {}
    downcast = []
    for spec in loss.inputs:
        with _collect(errors):
            wire = decode(inputs[spec.name], ("inputs", spec.name), limits, budget)
            x[spec.name] = _cast(spec, wire, x, compute_dtype)
            if not wire.plain and wire.tensor.dtype == torch.float64 and x[spec.name].dtype == torch.float32:
                downcast.append(spec.name)
    if errors:
        raise InvalidRequest(errors)
    grad_names = _grad(loss, x, grad)
    unreduced = loss.check(x, p)
    work = loss.work(x, p) if loss.work is not None else math.prod(unreduced)
    if work > limits.max_tensor_elements:
        # Broadcasting (or a loss's own tables, as CTC's) can make a small request's work huge.
        raise LimitExceeded(
            "max_tensor_elements",
            limits.max_tensor_elements,
            f"computing {loss.name} on these shapes needs {work} elements in one tensor",
            ("inputs",),
        )
    budget.take(work, ("inputs",))
    value_shape = unreduced if p.get("reduction") == "none" else ()
    go = _grad_output(grad_output, grad_names, value_shape, compute_dtype, limits, budget)
    notes = loss.warnings(x, p)
    if downcast:
        notes = [*notes, _downcast_note(downcast)]
    return Prepared(loss, x, p, grad_names, go, compute_dtype, tuple(value_shape), notes)


@contextlib.contextmanager
def _collect(errors: list[FieldError]) -> Iterator[None]:
    """Gather the 422s of independent fields, so one answer names them all."""
    try:
        yield
    except InvalidRequest as e:
        errors.extend(e.errors)


def _downcast_note(names: list[str]) -> str:
    return (
        f"{', '.join(names)} arrived as float64 and was computed in float32, the request's dtype; "
        'send "dtype": "float64" to compute in double precision'
    )


def _check_names(loss: Loss, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    errors = []
    known_inputs = {i.name for i in loss.inputs}
    for name in inputs:
        if name not in known_inputs:
            errors.append(
                FieldError(
                    ("inputs", name), f"{loss.name} has no input {name!r}; its inputs are {_names(known_inputs)}"
                )
            )
    for spec in loss.inputs:
        if spec.name not in inputs:
            errors.append(FieldError(("inputs", spec.name), "required input is missing"))
    known_params = {p.name for p in loss.params}
    for name in params:
        if name in DEPRECATED:
            errors.append(FieldError(("params", name), DEPRECATED[name]))
        elif name in loss.refused_params:
            errors.append(FieldError(("params", name), loss.refused_params[name]))
        elif name not in known_params:
            errors.append(
                FieldError(
                    ("params", name), f"{loss.name} has no param {name!r}; its params are {_names(known_params)}"
                )
            )
    if errors:
        raise InvalidRequest(errors)


def _names(names: set[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def _param(spec: Param, value: Any, dtype: torch.dtype, limits: Limits, budget: ElementBudget) -> Any:
    loc: Loc = ("params", spec.name)
    if value is None:
        return spec.default
    if spec.type == "tensor":
        return decode(value, loc, limits, budget).tensor.to(dtype)
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise InvalidRequest.at(loc, "expected true or false")
        return value
    if spec.type == "string":
        if not isinstance(value, str):
            raise InvalidRequest.at(loc, "expected a string")
    elif spec.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRequest.at(loc, "expected an integer")
    elif spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            finite = (
                " (params are finite: non-finite strings belong in tensor data only)"
                if isinstance(value, str) and value in _NONFINITE
                else ""
            )
            raise InvalidRequest.at(loc, f"expected a number{finite}")
        try:
            value = float(value)
        except OverflowError:  # an integer beyond float64
            value = math.inf
        if not math.isfinite(value):  # an `Overflow` literal reads as ±inf
            raise InvalidRequest.at(loc, "number is beyond float64's range")
    if spec.choices is not None and value not in spec.choices:
        raise InvalidRequest.at(loc, f"must be one of {', '.join(map(str, spec.choices))}; got {value!r}")
    for bound, ok, word in (
        (spec.ge, lambda b: value >= b, "≥"),
        (spec.gt, lambda b: value > b, ">"),
        (spec.le, lambda b: value <= b, "≤"),
        (spec.lt, lambda b: value < b, "<"),
    ):
        if bound is not None and not ok(bound):
            raise InvalidRequest.at(loc, f"must be {word} {bound:g}; got {value!r}")
    return value


def _cast(spec: Input, wire: WireTensor, x: Mapping[str, torch.Tensor], dtype: torch.dtype) -> torch.Tensor:
    t = wire.tensor
    role = spec.role
    if role == "class_target":
        role = "float" if "input" in x and t.shape == x["input"].shape else "index"
    if role in ("float", "label"):
        return t.to(dtype)
    return _index(wire, ("inputs", spec.name))


def _index(wire: WireTensor, loc: Loc) -> torch.Tensor:
    t = wire.tensor
    if t.dtype in (torch.int64, torch.int32):
        return t.to(torch.int64)
    if t.dtype == torch.bool:
        raise InvalidRequest.at(loc, "expected integer indices, got booleans")
    if wire.plain and bool(torch.isfinite(t).all()) and bool((t == t.round()).all()):
        if t.numel() and t.abs().max() >= 2**63:
            raise InvalidRequest.at(loc, "an index lies outside int64's range")
        return t.to(torch.int64)
    raise InvalidRequest.at(
        loc, f"expected integer indices (int64 or int32), got {'non-integral numbers' if wire.plain else t.dtype}"
    )


def _grad(loss: Loss, x: Mapping[str, torch.Tensor], grad: bool | list[str] | None) -> tuple[str, ...]:
    allowed = loss.differentiable(x)
    if grad is None or grad is False:
        return ()
    if grad is True:
        return allowed
    errors = []
    for i, name in enumerate(grad):
        if not isinstance(name, str):
            errors.append(FieldError(("grad", i), "must be an input's name (a string)"))
        elif name not in x:
            errors.append(FieldError(("grad", i), f"{loss.name} has no input {name!r}"))
        elif name not in allowed:
            errors.append(
                FieldError(
                    ("grad", i), f"{name!r} is not differentiable here; differentiable inputs: {', '.join(allowed)}"
                )
            )
    if errors:
        raise InvalidRequest(errors)
    return tuple(dict.fromkeys(grad))


def _grad_output(
    value: Any, grad: tuple[str, ...], shape: Shape, dtype: torch.dtype, limits: Limits, budget: ElementBudget
) -> torch.Tensor | None:
    if value is None:
        return None
    if not grad:
        raise InvalidRequest.at(("grad_output",), "grad_output needs grad: name the inputs to differentiate")
    t = decode(value, ("grad_output",), limits, budget).tensor
    if tuple(t.shape) != tuple(shape):
        raise InvalidRequest.at(
            ("grad_output",), f"must have the loss value's shape {list(shape)}, got {list(t.shape)}"
        )
    return t.to(dtype)
