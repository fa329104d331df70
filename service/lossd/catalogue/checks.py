"""Helpers a loss's `check` uses; each raises `InvalidRequest` naming the field to change."""

from collections.abc import Sequence

import torch

from ..errors import InvalidRequest, Loc
from .spec import Params, Shape, Tensors


def at(name: str) -> Loc:
    """The location of an input."""
    return ("inputs", name)


def param(name: str) -> Loc:
    """The location of a param."""
    return ("params", name)


def fail(loc: Loc, msg: str) -> InvalidRequest:
    return InvalidRequest.at(loc, msg)


def shape_of(x: Tensors, name: str) -> Shape:
    return tuple(x[name].shape)


def ndim_in(x: Tensors, name: str, allowed: Sequence[int], rule: str) -> int:
    """Require `x[name].dim()` in `allowed`; `rule` says the expected shape in words."""
    n = x[name].dim()
    if n not in allowed:
        raise fail(at(name), f"expected {rule}, got shape {list(x[name].shape)}")
    return n


def same_shape(x: Tensors, name: str, like: str) -> None:
    if x[name].shape != x[like].shape:
        raise fail(at(name), f"must have the same shape as {like} {list(x[like].shape)}, got {list(x[name].shape)}")


def broadcast(x: Tensors, *names: str) -> Shape:
    """The broadcast shape of the named inputs; the last one that does not fit is named."""
    shape: Shape = tuple(x[names[0]].shape)
    for n in names[1:]:
        joined = broadcast_shapes(shape, tuple(x[n].shape))
        if joined is None:
            raise fail(at(n), f"shape {list(x[n].shape)} does not broadcast with {names[0]} {list(x[names[0]].shape)}")
        shape = joined
    return shape


def broadcast_shapes(a: Shape, b: Shape) -> Shape | None:
    """NumPy's broadcasting rule on two shapes, or None where they do not broadcast. (`torch.broadcast_shapes`
    gives the same answer through a Python reference implementation that costs more than a small loss.)"""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + a
    b = (1,) * (n - len(b)) + b
    out = []
    for i, j in zip(a, b, strict=True):
        if i != j and i != 1 and j != 1:
            return None
        out.append(j if i == 1 else i)
    return tuple(out)


def within(x: Tensors, name: str, lo: float, hi: float, what: str = "") -> None:
    """All values in [lo, hi]; NaN fails, as in PyTorch's own range checks."""
    t = x[name]
    if t.numel() and not bool(((t >= lo) & (t <= hi)).all()):
        bad = _first_bad(~((t >= lo) & (t <= hi)))
        raise fail(at(name), f"{what or 'values'} must lie in [{lo:g}, {hi:g}]; element {bad} is {_val(t, bad)}")


def labels_in(x: Tensors, name: str, allowed: Sequence[float]) -> None:
    """All values among `allowed` (for ±1 or 0/1 labels)."""
    t = x[name]
    ok = torch.zeros_like(t, dtype=torch.bool)
    for v in allowed:
        ok |= t == v
    if t.numel() and not bool(ok.all()):
        bad = _first_bad(~ok)
        shown = " or ".join(f"{v:g}" for v in allowed)
        raise fail(at(name), f"labels must be {shown}; element {bad} is {_val(t, bad)}")


def indices_in(x: Tensors, name: str, n: int, ignore_index: int | None = None, what: str = "class indices") -> None:
    """All values in [0, n), except `ignore_index` where given."""
    t = x[name]
    ok = (t >= 0) & (t < n)
    if ignore_index is not None:
        ok |= t == ignore_index
    if t.numel() and not bool(ok.all()):
        bad = _first_bad(~ok)
        extra = f" (or ignore_index {ignore_index})" if ignore_index is not None else ""
        raise fail(at(name), f"{what} must lie in [0, {n}){extra}; element {bad} is {_val(t, bad)}")


def finite_param(p_loc: Loc, value: float) -> None:
    if value != value or value in (float("inf"), float("-inf")):
        raise fail(p_loc, "must be finite")


def _first_bad(mask: torch.Tensor) -> list[int]:
    idx = mask.nonzero()[0].tolist() if mask.dim() else []
    return idx


def _val(t: torch.Tensor, idx: list[int]) -> str:
    v = t[tuple(idx)].item() if idx else t.item()
    return repr(v)


def target_size_warning(x: Tensors, p: Params) -> list[str]:
    """The notice PyTorch gives when `target` is broadcast against a differently shaped `input`."""
    if x["input"].shape == x["target"].shape:
        return []
    return [
        f"target shape {list(x['target'].shape)} differs from input shape {list(x['input'].shape)}: "
        "they are broadcast against each other, which is likely not what you want"
    ]
