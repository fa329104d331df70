"""Evaluating a checked expression with torch: each operation of `tree.OPS` is one torch call, so autograd
differentiates the result as it would the same code written by hand."""

from collections.abc import Callable, Mapping

import torch
import torch.nn.functional as F

from .tree import Node

_ELEMENTWISE: dict[str, Callable[..., torch.Tensor]] = {
    "neg": torch.neg,
    "abs": torch.abs,
    "exp": torch.exp,
    "log": torch.log,
    "log1p": torch.log1p,
    "sqrt": torch.sqrt,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "pow": torch.pow,
    "minimum": torch.minimum,
    "maximum": torch.maximum,
    "lt": torch.lt,
    "le": torch.le,
    "gt": torch.gt,
    "ge": torch.ge,
    "eq": torch.eq,
    "ne": torch.ne,
}
_REDUCE: dict[str, Callable[..., torch.Tensor]] = {
    "sum": torch.sum,
    "mean": torch.mean,
    "amax": torch.amax,
    "amin": torch.amin,
    "logsumexp": torch.logsumexp,
}


def evaluate(root: Node, x: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """The expression's value on `x` (tensors of one floating dtype on one device, as validated)."""
    first = next(iter(x.values()))
    return _number(_eval(root, x, first.dtype, first.device, None), first.dtype)


def constant(node: Node, cache: dict[Node, torch.Tensor]) -> float:
    """The value of a subexpression without inputs, in float64 on the CPU; `cache` keeps computed ones."""
    return float(_number(_eval(node, {}, torch.float64, torch.device("cpu"), cache), torch.float64))


def _number(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """A comparison's true/false as 1/0 wherever a number is needed."""
    return t.to(dtype) if t.dtype == torch.bool else t


def _eval(
    node: Node,
    x: Mapping[str, torch.Tensor],
    dtype: torch.dtype,
    device: torch.device,
    cache: dict[Node, torch.Tensor] | None,
) -> torch.Tensor:
    if cache is not None and node in cache:
        return cache[node]
    op = node.op
    if op == "const":
        out = torch.tensor(node.value, dtype=dtype, device=device)
    elif op == "input":
        out = x[node.name]
    else:
        args = [_eval(a, x, dtype, device, cache) for a in node.args]
        out = _apply(node, args, dtype)
    if cache is not None:
        cache[node] = out
    return out


def _apply(node: Node, args: list[torch.Tensor], dtype: torch.dtype) -> torch.Tensor:
    op = node.op
    if op == "where":
        return torch.where(args[0], _number(args[1], dtype), _number(args[2], dtype))
    a = [_number(t, dtype) for t in args]
    if op in _ELEMENTWISE:
        return _ELEMENTWISE[op](*a)
    if op == "softplus":
        return F.softplus(a[0], beta=node.beta, threshold=node.threshold)
    if op == "clamp":
        return torch.clamp(a[0], min=a[1], max=a[2])
    if op == "clamp_min":
        return torch.clamp(a[0], min=a[1])
    if op == "clamp_max":
        return torch.clamp(a[0], max=a[1])
    if op == "softmax":
        assert node.dim is not None
        return torch.softmax(a[0], dim=node.dim[0])
    if op == "log_softmax":
        assert node.dim is not None
        return torch.log_softmax(a[0], dim=node.dim[0])
    if op in _REDUCE:
        t = a[0]
        if node.dim is None and not node.keepdim and op in ("sum", "mean"):
            return _REDUCE[op](t)
        dims = tuple(range(t.dim())) if node.dim is None else node.dim
        return _REDUCE[op](t, dim=dims, keepdim=node.keepdim)
    raise AssertionError(f"no evaluation for {op!r}")  # tree.Node refuses unknown ops
