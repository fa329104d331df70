"""The checked tree of a custom expression: what `language` produces and `shapes` and `evaluate` read.

A `Node` is an input, a number, or an operation (`op`) applied to other nodes. Only the operations
in `OPS` exist: nothing else can be built, so nothing else can be evaluated.
"""

from dataclasses import dataclass

# Elementwise operators, by the name the evaluator knows them by.
UNARY = frozenset({"neg", "abs", "exp", "log", "log1p", "sqrt", "sigmoid", "tanh", "relu", "softplus"})
BINARY = frozenset({"add", "sub", "mul", "div", "pow", "minimum", "maximum"})
COMPARISONS = frozenset({"lt", "le", "gt", "ge", "eq", "ne"})
CLAMPS = frozenset({"clamp", "clamp_min", "clamp_max"})
ALONG = frozenset({"softmax", "log_softmax"})  # keep the shape, work along one dimension
REDUCTIONS = frozenset({"sum", "mean", "amax", "amin", "logsumexp"})
OPS = UNARY | BINARY | COMPARISONS | CLAMPS | ALONG | REDUCTIONS | {"where", "const", "input"}


@dataclass(frozen=True, eq=False)
class Node:
    """One node of a checked expression.

    `col` (1-based) and `text` locate it in the source for messages: for an operator, its symbol;
    for a call, the function's name; for a name or number, itself.
    """

    op: str
    col: int
    text: str
    args: tuple["Node", ...] = ()
    value: float = 0.0  # const
    name: str = ""  # input
    dim: tuple[int, ...] | None = None  # reductions (None: every dimension), softmax, log_softmax
    keepdim: bool = False
    beta: float = 1.0  # softplus
    threshold: float = 20.0  # softplus

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"unknown operation {self.op!r}")

    @property
    def boolean(self) -> bool:
        """Whether the node's value is a comparison's true/false (1/0 wherever a number is needed)."""
        return self.op in COMPARISONS

    @property
    def constant(self) -> bool:
        """Whether no input contributes to the node's value."""
        return self.op == "const" or (self.op != "input" and all(a.constant for a in self.args))
