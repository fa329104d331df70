"""What an expression allocates, known before it runs: every node's shape from the inputs' shapes.

Shapes follow PyTorch's rules (broadcasting for elementwise operations; reductions drop, or with
`keepdim` keep as 1, the dimensions they reduce). With the inputs' shapes known, every intermediate
tensor is bounded by `max_tensor_elements` and all of them together by `max_total_elements` (a 413),
so a broadcast of small inputs to 10⁹ elements is refused without allocating anything. Without them
(a dry run given no shapes) a shape is known only where the expression fixes it, as a full reduction
does: enough to say whether the result is a single number whatever the inputs.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import LimitExceeded
from .language import LOC, Expression, fail
from .tree import ALONG, REDUCTIONS, Node

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """The result's shape (None where it depends on shapes not given) and the elements of all intermediates."""

    shape: Shape | None
    elements: int


def infer(
    expr: Expression,
    shapes: Mapping[str, Shape] | None,
    max_tensor_elements: int,
    max_total_elements: int,
) -> Plan:
    """The expression's `Plan` for inputs of these shapes (None: unknown).

    Raises `InvalidRequest` (422) for shapes that do not fit the operations (naming the operation's
    column and token) and `LimitExceeded` (413) for a tensor over either limit.
    """
    walker = _Walker(shapes, max_tensor_elements, max_total_elements)
    shape = walker.shape(expr.root)
    return Plan(shape, walker.total)


class _Walker:
    def __init__(self, shapes: Mapping[str, Shape] | None, max_tensor: int, max_total: int) -> None:
        self.shapes = shapes
        self.max_tensor = max_tensor
        self.max_total = max_total
        self.total = 0

    def shape(self, node: Node) -> Shape | None:
        if node.op == "const":
            return ()
        if node.op == "input":
            return tuple(self.shapes[node.name]) if self.shapes is not None else None
        args = [self.shape(a) for a in node.args]
        out = self._rule(node, args)
        if out is not None and not node.constant:
            self._count(node, out)
        return out

    def _count(self, node: Node, shape: Shape) -> None:
        n = math.prod(shape)
        where = f"col {node.col}, at {node.text!r}"
        if n > self.max_tensor:
            raise LimitExceeded(
                "max_tensor_elements",
                self.max_tensor,
                f"{where}: the expression would make a tensor of shape {list(shape)} ({n} elements)",
                LOC,
            )
        self.total += n
        if self.total > self.max_total:
            raise LimitExceeded(
                "max_total_elements",
                self.max_total,
                f"{where}: the expression's intermediate tensors would hold more than {self.max_total} elements",
                LOC,
            )

    def _rule(self, node: Node, args: list[Shape | None]) -> Shape | None:
        if node.op in REDUCTIONS:
            return self._reduce(node, args[0])
        if node.op in ALONG:
            if args[0] is not None:
                assert node.dim is not None
                self._dims(node, args[0], node.dim)
            return args[0]
        return self._broadcast(node, args)

    def _broadcast(self, node: Node, args: list[Shape | None]) -> Shape | None:
        if any(a is None for a in args):
            return None
        out: Shape = ()
        for a in args:
            assert a is not None
            out = _broadcast2(out, a, node)
        return out

    def _dims(self, node: Node, shape: Shape, dims: tuple[int, ...]) -> tuple[int, ...]:
        rank = max(len(shape), 1)
        norm = []
        for d in dims:
            if not -rank <= d < rank:
                raise fail(node.col, node.text, f"dim {d} is out of range for a tensor of shape {list(shape)}")
            norm.append(d % rank)
        if len(set(norm)) != len(norm):
            raise fail(node.col, node.text, f"dim {list(dims)} names a dimension twice")
        return tuple(norm)

    def _reduce(self, node: Node, shape: Shape | None) -> Shape | None:
        if shape is None:
            return () if node.dim is None and not node.keepdim else None
        dims = tuple(range(len(shape))) if node.dim is None else self._dims(node, shape, node.dim)
        if node.op in ("amax", "amin") and any(shape[d] == 0 for d in dims if d < len(shape)):
            raise fail(node.col, node.text, f"{node.op} of an empty tensor (shape {list(shape)}) has no value")
        if node.keepdim:
            return tuple(1 if i in dims else s for i, s in enumerate(shape))
        return tuple(s for i, s in enumerate(shape) if i not in dims)


def _broadcast2(a: Shape, b: Shape, node: Node) -> Shape:
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(pa, pb, strict=True):
        if x != y and x != 1 and y != 1:
            raise fail(node.col, node.text, f"shapes {list(a)} and {list(b)} do not broadcast")
        out.append(y if x == 1 else x)
    return tuple(out)
