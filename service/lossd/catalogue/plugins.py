"""Operator plugins: trusted losses written in Python, installed as packages and found by entry point.

The plugin API
--------------
A plugin is an installed distribution that declares entry points in the group ``lossd.losses``, one per
loss, each named after the loss it gives::

    [project.entry-points."lossd.losses"]
    tutorial_mape = "lossd_tutorial:mape"

The object an entry point names is either a `Loss` or a callable taking no arguments that returns one.
A `Loss` is the same descriptor every built-in has (see `spec.Loss`): `name`, `summary`, `formula`,
`use_when`, `task`, `inputs`, `params`, `traits`, `example` (a complete, valid request body), `check`
(validation before anything runs; returns the unreduced loss's shape) and `forward` (the computation).
`module_loss` builds one from an `nn.Module` class, the tutorials' way: `forward` constructs
``module(**params)`` and calls it on the inputs in their declared order. Import these names from
`lossd.plugins`.

A plugin loss then is a catalogue entry like any other: it is listed by ``GET /v1/losses``, named in the
OpenAPI document's examples, computed by ``POST /v1/losses/{name}``, ``/v1/batch`` and ``/v1/compare``,
validated by the same generic rules (inputs, params, dtypes, ``grad``, limits) and its own `check`, and run
by the same pool and engine. A loss computed element by element (one ``reduction="none"`` value per
element of its equal-shaped inputs) opts in to the pool's batching with ``batchable=True``; by default
each request runs alone.

Loading rules
-------------
Entry points are read when the catalogue is first used (at start-up), in name order. Each loss is
checked before it is accepted: the entry point's name equals the loss's; the name is snake_case
(``[a-z][a-z0-9_]*``), not ``custom``, and neither it nor an alias is already taken (by a built-in or an
earlier plugin), case-insensitively; the descriptor is complete (task, traits, texts, inputs with at least one
differentiable, params whose defaults satisfy their own ranges); and its example validates and computes
on the CPU, with the value shape `check` promises and gradients for its differentiable inputs. A plugin that
fails to import, raises, or fails a check is logged (logger ``lossd.plugins``) and skipped: it never stops
the service, and never replaces a built-in.
"""

import dataclasses
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any, get_args

import torch

from ..codec import ElementBudget, Limits
from .checks import broadcast
from .spec import (
    DEPRECATED,
    INPUT_KINDS,
    TASKS,
    Input,
    Loss,
    Param,
    Params,
    ParamType,
    Shape,
    Task,
    TensorRole,
    Tensors,
    Traits,
)
from .validate import prepare

GROUP = "lossd.losses"
RESERVED = frozenset({"custom"})  # the `loss` a custom expression's answer carries
log = logging.getLogger("lossd.plugins")

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Generous bounds for running a plugin's example at load: examples are small.
_EXAMPLE_LIMITS = Limits(max_tensor_elements=1 << 20, max_dims=8)


class PluginError(Exception):
    """Why a plugin loss was refused."""


def load(taken: Sequence[Loss], found: Iterable[EntryPoint] | None = None) -> list[Loss]:
    """The plugin losses of the installed entry points (or of `found`) that pass every check.

    `taken` are the losses already in the catalogue; their names and aliases are not available.
    """
    try:
        points = sorted(entry_points(group=GROUP) if found is None else found, key=lambda ep: (ep.name, ep.value))
    except Exception as e:  # unreadable package metadata: start with the built-ins
        log.warning("plugin losses not loaded: the entry points could not be read: %s", _reason(e))
        return []
    keys = {key.lower() for loss in taken for key in (loss.name, *loss.aliases)}
    accepted: list[Loss] = []
    for ep in points:
        try:
            loss = _resolve(ep)
            check_plugin(loss, keys)
        except (Exception, SystemExit) as e:  # third-party code: whatever it does, the service starts without it
            log.warning("plugin loss %r (%s) skipped: %s", ep.name, ep.value, _reason(e))
            continue
        keys.update(key.lower() for key in (loss.name, *loss.aliases))
        accepted.append(loss)
        log.info("plugin loss %r loaded from %s", loss.name, ep.value)
    return accepted


def _reason(e: BaseException) -> str:
    return str(e) if isinstance(e, PluginError) else f"{type(e).__name__}: {e}"


def _resolve(ep: EntryPoint) -> Loss:
    obj = ep.load()
    if not isinstance(obj, Loss) and callable(obj):
        obj = obj()
    if not isinstance(obj, Loss):
        raise PluginError(f"the entry point gives a {type(obj).__name__}, not a lossd Loss or a factory of one")
    if obj.name != ep.name:
        raise PluginError(f"the entry point is named {ep.name!r} but its loss {obj.name!r}; name them alike")
    return obj


def check_plugin(loss: Loss, taken: set[str]) -> None:
    """Refuse (`PluginError`) a plugin loss that is incomplete, clashes with `taken` names, or whose example fails."""
    if not _NAME.fullmatch(loss.name):
        raise PluginError(f"the name {loss.name!r} is not snake_case ([a-z][a-z0-9_]*, at most 64 characters)")
    if loss.name in RESERVED:
        raise PluginError(f"the name {loss.name!r} is reserved (custom expressions answer with it)")
    for key in (loss.name, *loss.aliases):
        if key.lower() in taken:
            raise PluginError(f"the name {key!r} is already taken by a built-in loss or an earlier plugin")
    if loss.task not in TASKS:
        raise PluginError(f"task {loss.task!r} is not one of {', '.join(TASKS)}")
    _check_traits(loss.traits)
    for key in ("summary", "formula", "use_when"):
        if not isinstance(getattr(loss, key), str) or not getattr(loss, key).strip():
            raise PluginError(f"{key} must be a non-empty string")
    _check_inputs(loss.inputs)
    _check_params(loss.params, {i.name for i in loss.inputs})
    for key in ("check", "forward", "warnings"):
        if not callable(getattr(loss, key)):
            raise PluginError(f"{key} must be callable")
    if not isinstance(loss.batchable, bool):
        raise PluginError("batchable must be true or false")
    _run_example(loss)


def _check_traits(traits: Traits) -> None:
    if not isinstance(traits, Traits):
        raise PluginError("traits must be a lossd Traits")
    if traits.input_kind not in INPUT_KINDS:
        raise PluginError(f"traits.input_kind {traits.input_kind!r} is not one of {', '.join(INPUT_KINDS)}")
    for key in ("robust_to_outliers", "handles_imbalance"):
        if not isinstance(getattr(traits, key), bool):
            raise PluginError(f"traits.{key} must be true or false")


def _check_inputs(inputs: Sequence[Input]) -> None:
    if not isinstance(inputs, tuple) or not inputs or not all(isinstance(i, Input) for i in inputs):
        raise PluginError("inputs must be a non-empty tuple of lossd Inputs")
    names = [i.name for i in inputs]
    if len(set(names)) != len(names):
        raise PluginError(f"input names repeat: {names}")
    for i in inputs:
        if not isinstance(i.name, str) or not _IDENTIFIER.fullmatch(i.name):
            raise PluginError(f"input name {i.name!r} is not an identifier")
        if i.role not in get_args(TensorRole):
            raise PluginError(f"input {i.name!r} has role {i.role!r}; roles are {', '.join(get_args(TensorRole))}")
        if not i.shape or not i.description:
            raise PluginError(f"input {i.name!r} needs its shape rule and a description")
    if not any(i.differentiable or i.role == "class_target" for i in inputs):
        raise PluginError("no input is differentiable: a loss gives a gradient for at least one")


def _check_params(params: Sequence[Param], input_names: set[str]) -> None:
    if not isinstance(params, tuple) or not all(isinstance(p, Param) for p in params):
        raise PluginError("params must be a tuple of lossd Params")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise PluginError(f"param names repeat: {names}")
    for p in params:
        if not isinstance(p.name, str) or not _IDENTIFIER.fullmatch(p.name) or p.name in DEPRECATED:
            raise PluginError(f"param name {p.name!r} is not allowed")
        if p.name in input_names:
            raise PluginError(f"{p.name!r} is both an input and a param")
        if p.type not in get_args(ParamType):
            raise PluginError(f"param {p.name!r} has type {p.type!r}; types are {', '.join(get_args(ParamType))}")
        if not p.description:
            raise PluginError(f"param {p.name!r} needs a description")
        if p.default is not None and p.type != "tensor":
            _check_default(p)


def _check_default(p: Param) -> None:
    v = p.default
    ok_type = {
        "number": isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
        "integer": isinstance(v, int) and not isinstance(v, bool),
        "boolean": isinstance(v, bool),
        "string": isinstance(v, str),
    }[p.type]
    if not ok_type:
        raise PluginError(f"param {p.name!r}: default {v!r} is not a {p.type}")
    if p.choices is not None and v not in p.choices:
        raise PluginError(f"param {p.name!r}: default {v!r} is not among its choices")
    if p.type in ("number", "integer"):
        x = float(v)
        if (
            (p.ge is not None and not x >= p.ge)
            or (p.gt is not None and not x > p.gt)
            or (p.le is not None and not x <= p.le)
            or (p.lt is not None and not x < p.lt)
        ):
            raise PluginError(f"param {p.name!r}: default {v!r} is outside its own range")


def _run_example(loss: Loss) -> None:
    """Validate the example as a request and compute it on the CPU, value and gradients."""
    ex = loss.example
    if not isinstance(ex, Mapping) or not isinstance(ex.get("inputs"), Mapping):
        raise PluginError("example must be a request body with inputs")
    unknown = set(ex) - {"inputs", "params", "grad", "grad_output", "dtype", "output_encoding"}
    if unknown:
        raise PluginError(f"example has fields a compute request does not: {sorted(unknown)}")
    try:
        job = prepare(
            loss,
            ex["inputs"],
            ex.get("params"),
            True,  # every differentiable input: its gradient must compute too
            None,
            ex.get("dtype") or "float32",
            _EXAMPLE_LIMITS,
            ElementBudget(1 << 21),
        )
    except Exception as e:
        raise PluginError(f"its example is not a valid request: {e}") from e
    x = {n: t.detach().clone().requires_grad_(n in job.grad) for n, t in job.inputs.items()}
    with torch.enable_grad():
        value = loss.forward(x, job.params)
        if not isinstance(value, torch.Tensor):
            raise PluginError(f"forward returned a {type(value).__name__}, not a tensor")
        if tuple(value.shape) != tuple(job.value_shape):
            raise PluginError(f"forward gave shape {list(value.shape)} where check promises {list(job.value_shape)}")
        if value.dtype != job.dtype:
            raise PluginError(f"forward gave {value.dtype} for a request in {job.dtype}")
        if job.grad and value.requires_grad:
            torch.autograd.grad(value, [x[n] for n in job.grad], torch.ones_like(value), allow_unused=True)


# --- building a Loss from an nn.Module class ----------------------------------------------------------


class ModuleForward:
    """`forward` for a module-based loss: ``module(**params)(*inputs)``; picklable when `module` is importable."""

    def __init__(self, module: Callable[..., torch.nn.Module], names: Sequence[str]) -> None:
        self.module = module
        self.names = tuple(names)

    def __call__(self, x: Tensors, p: Params) -> torch.Tensor:
        out: torch.Tensor = self.module(**p)(*(x[n] for n in self.names))
        return out


def _broadcast_check(names: Sequence[str]) -> Callable[[Tensors, Params], Shape]:
    def check(x: Tensors, p: Params) -> Shape:
        return broadcast(x, *names)

    return check


def module_loss(
    module: Callable[..., torch.nn.Module],
    *,
    name: str,
    summary: str,
    formula: str,
    use_when: str,
    task: Task,
    inputs: Sequence[Input],
    traits: Traits,
    example: Mapping[str, Any],
    params: Sequence[Param] = (),
    check: Callable[[Tensors, Params], Shape] | None = None,
    warnings: Callable[[Tensors, Params], list[str]] | None = None,
    aliases: Sequence[str] = (),
    batchable: bool = False,
) -> Loss:
    """A plugin `Loss` computed by an `nn.Module` class, as the tutorials write their own losses.

    Each computation constructs ``module(**params)`` (every declared param, defaults filled in: they
    are the constructor's arguments, as in torch.nn) and calls it with the inputs in the order
    declared. `check` defaults to requiring that all inputs broadcast together (422 naming the one that
    does not), returning their broadcast shape; a loss without a `reduction` param answers a number.
    """
    names = [i.name for i in inputs]
    loss = Loss(
        name=name,
        torch=None,
        task=task,
        summary=summary,
        formula=formula,
        use_when=use_when,
        inputs=tuple(inputs),
        params=tuple(params),
        traits=traits,
        example=example,
        check=check or _broadcast_check(names),
        forward=ModuleForward(module, names),
        extra_aliases=tuple(aliases),
        batchable=batchable,
    )
    return loss if warnings is None else dataclasses.replace(loss, warnings=warnings)
