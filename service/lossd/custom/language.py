"""The expression language of custom losses: a small, checked subset of Python's expression syntax.

    expr   := number | name | "(" expr ")"
            | "-" expr | "+" expr
            | expr ("+" | "-" | "*" | "/" | "**") expr
            | expr ("<" | "<=" | ">" | ">=" | "==" | "!=") expr       one comparison, never chained
            | function "(" expr, ..., keyword=literal, ... ")"
    number := an integer or decimal literal (1, 0.5, 1e-8, 1_000)
    name   := one of the request's inputs: [A-Za-z][A-Za-z0-9_]*, not a function's name

The functions (`FUNCTIONS`), with PyTorch's meaning:

    abs exp log log1p sqrt sigmoid tanh relu (x)      softplus(x, beta=1, threshold=20)
    pow(x, exponent)   minimum(x, other)   maximum(x, other)   where(condition, x, other)
    clamp(x, min=None, max=None)                      at least one bound; a bound may be an expression
    softmax(x, dim)    log_softmax(x, dim)
    sum mean amax amin logsumexp (x, dim=None, keepdim=False)     dim: an integer or a tuple of them

A comparison is true/false: `where`'s condition must be one, and anywhere a number is needed it counts
as 1/0, so `(input > target) * input` works. `dim`, `keepdim`, `beta` and `threshold` take literals.

How it is kept safe: the text is parsed by `ast.parse(mode="eval")` (never compiled or evaluated),
and each node is turned into a `tree.Node` only if its type is on an explicit allow-list; anything else
(attributes, subscripts, calls of other names, lambdas, comprehensions, strings and f-strings, names
starting with "_", walrus, `if`/`and`/`or`/`not`, `is`/`in`) is refused with its position. Before
parsing, the text's length, characters and parenthesis depth are bounded; after, the number of nodes,
the nesting depth, every number and every constant subexpression (computed in float64, bounded time:
there are no loops) and every constant exponent. What the expression may allocate is bounded
separately, from the inputs' shapes, before anything runs (`shapes.infer`).
"""

import ast
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from ..errors import InvalidRequest, Loc
from .evaluate import constant
from .tree import ALONG, COMPARISONS, REDUCTIONS, Node

LOC: Loc = ("expression",)


@dataclass(frozen=True)
class ExpressionLimits:
    """How large an expression may be. Fixed by the language, documented in the OpenAPI description."""

    max_length: int = 1000  # characters
    max_nodes: int = 256  # numbers, names, operators and calls
    max_depth: int = 32  # nesting of operations (and of parentheses)
    max_inputs: int = 16  # distinct input names
    max_constant: float = 1e9  # |number|, and |constant subexpression|
    max_exponent: float = 64.0  # |constant exponent| of ** and pow


LIMITS = ExpressionLimits()


@dataclass(frozen=True)
class Signature:
    """A function's parameters in positional order; the first `required` must be given."""

    params: tuple[str, ...]
    required: int


_X = Signature(("x",), 1)
_REDUCE = Signature(("x", "dim", "keepdim"), 1)
FUNCTIONS: dict[str, Signature] = {
    **{name: _X for name in ("abs", "exp", "log", "log1p", "sqrt", "sigmoid", "tanh", "relu")},
    "softplus": Signature(("x", "beta", "threshold"), 1),
    "pow": Signature(("x", "exponent"), 2),
    "minimum": Signature(("x", "other"), 2),
    "maximum": Signature(("x", "other"), 2),
    "where": Signature(("condition", "x", "other"), 3),
    "clamp": Signature(("x", "min", "max"), 1),
    "softmax": Signature(("x", "dim"), 2),
    "log_softmax": Signature(("x", "dim"), 2),
    **{name: _REDUCE for name in ("sum", "mean", "amax", "amin", "logsumexp")},
}
_EXPRESSION_PARAMS = frozenset({"x", "exponent", "other", "condition", "min", "max"})
_NUMBER_PARAMS = frozenset({"beta", "threshold"})
_FUNCTION_LIST = ", ".join(sorted(FUNCTIONS))

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_COMPARE = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq", ast.NotEq: "ne"}
_ALLOWED_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,()+-*/<>=! \t\r\n")
_CHAR_HINTS = {
    **dict.fromkeys("[]", "subscripts and lists are not part of the language"),
    **dict.fromkeys("{}", "dicts and sets are not part of the language"),
    **dict.fromkeys("'\"", "strings are not part of the language"),
    ":": "slices, lambdas and annotations are not part of the language",
    **dict.fromkeys("@%&|^~", "not an operator of the language; the operators are + - * / ** < <= > >= == !="),
    ";": "one expression only",
    "#": "comments are not part of the language",
    "\\": "backslashes are not part of the language",
}
# What each refused node type is, for the message.
_REFUSED = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "subscripts are not part of the language",
    ast.Starred: "unpacking (*) is not part of the language",
    ast.Lambda: "lambdas are not part of the language",
    ast.ListComp: "comprehensions are not part of the language",
    ast.SetComp: "comprehensions are not part of the language",
    ast.DictComp: "comprehensions are not part of the language",
    ast.GeneratorExp: "generator expressions are not part of the language",
    ast.JoinedStr: "f-strings are not part of the language",
    ast.FormattedValue: "f-strings are not part of the language",
    ast.NamedExpr: "assignment (:=) is not part of the language",
    ast.IfExp: "conditional expressions are not part of the language; use where(condition, x, other)",
    ast.BoolOp: "and/or are not part of the language; use where, minimum or maximum",
    ast.Await: "await is not part of the language",
    ast.Yield: "yield is not part of the language",
    ast.YieldFrom: "yield is not part of the language",
    ast.List: "lists are not part of the language",
    ast.Tuple: "tuples are only allowed as dim=(...)",
    ast.Set: "sets are not part of the language",
    ast.Dict: "dicts are not part of the language",
    ast.Slice: "slices are not part of the language",
}


@dataclass(frozen=True)
class Expression:
    """A checked expression: its tree, the inputs it uses (in order of first use), and its size."""

    source: str
    root: Node
    inputs: tuple[str, ...]
    nodes: int
    depth: int
    functions: tuple[str, ...]


def fail(col: int, token: str, msg: str) -> InvalidRequest:
    """A 422 at ["expression"] that names the position (1-based column) and the token at fault."""
    return InvalidRequest.at(LOC, f"col {col}, at {token!r}: {msg}")


def parse(source: str, limits: ExpressionLimits = LIMITS) -> Expression:
    """Check `source` and build its tree. Raises `InvalidRequest` (422) naming where it is wrong."""
    _scan(source, limits)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        col = _syntax_col(source, e)
        raise fail(col, _token_at(source, col - 1), f"invalid syntax: {e.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise fail(1, _token_at(source, 0), "too complex to parse") from None
    _bound_size(tree.body, source, limits)
    root = _Builder(source, limits).build(tree.body)
    first = {n.name: n for n in reversed(_nodes(root)) if n.op == "input"}  # each name's first use
    inputs = tuple(sorted(first, key=lambda name: first[name].col))
    if not inputs:
        raise fail(1, _token_at(source, 0), "the expression uses no input; a loss is computed from its inputs")
    if len(inputs) > limits.max_inputs:
        extra = first[inputs[limits.max_inputs]]
        raise fail(extra.col, extra.name, f"the expression uses {len(inputs)} inputs; at most {limits.max_inputs}")
    functions = tuple(sorted({n.text for n in _nodes(root) if n.text in FUNCTIONS}))
    return Expression(source, root, inputs, sum(1 for _ in _nodes(root)), _depth(root), functions)


# --- before parsing ----------------------------------------------------------------------------


def _scan(source: str, limits: ExpressionLimits) -> None:
    if not source.strip():
        raise InvalidRequest.at(LOC, "the expression is empty")
    if len(source) > limits.max_length:
        raise fail(
            limits.max_length + 1,
            source[limits.max_length : limits.max_length + 10],
            f"the expression is {len(source)} characters long; at most {limits.max_length}",
        )
    depth = 0
    for i, ch in enumerate(source):
        if ch not in _ALLOWED_CHARS:
            if not ch.isascii():
                hint = "only ASCII characters are allowed"
            elif not ch.isprintable():
                hint = "control characters are not allowed"
            else:
                hint = _CHAR_HINTS.get(ch, "this character is not part of the language")
            raise fail(i + 1, ch, hint)
        if ch == "(":
            depth += 1
            if depth > limits.max_depth:
                raise fail(i + 1, ch, f"parentheses nest deeper than {limits.max_depth}")
        elif ch == ")":
            depth -= 1
    _numbers_end_cleanly(source)


# A number literal as Python writes it (validity is the parser's business; this finds where it ends).
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?"
)


def _numbers_end_cleanly(source: str) -> None:
    """Refuse a number run into a name (`1if`, `0x1for`): Python's parser takes some of these with a
    SyntaxWarning on stderr, which a caller could repeat at will."""
    i = 0
    while i < len(source):
        ch = source[i]
        starts = ch.isdigit() or (ch == "." and source[i + 1 : i + 2].isdigit())
        if starts and (i == 0 or not (source[i - 1].isalnum() or source[i - 1] in "_.")):
            m = _NUMBER.match(source, i)
            assert m is not None
            end = m.end()
            if end < len(source) and (source[end].isalnum() or source[end] == "_"):
                raise fail(end + 1, _token_at(source, end), "a number must not run into a name; put a space between")
            i = end
        else:
            i += 1


def _syntax_col(source: str, e: SyntaxError) -> int:
    if not e.offset or e.offset < 1 or not e.lineno:  # the text ended too soon
        return len(source) + 1
    starts = _line_starts(source)
    return min(starts[min(e.lineno, len(starts)) - 1] + e.offset, len(source) + 1)


def _token_at(source: str, i: int) -> str:
    """The token starting at index `i` of `source` (or the end of the text)."""
    while i < len(source) and source[i].isspace():
        i += 1
    if i >= len(source):
        return "end of expression"
    m = _TOKEN.match(source, i)
    assert m is not None
    return m.group()


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9_.eE]*|\*\*|//|<<|>>|<=|>=|==|!=|.", re.DOTALL)


def _line_starts(source: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]


# --- after parsing: size, then the allow-list ------------------------------------------------------


def _bound_size(body: ast.expr, source: str, limits: ExpressionLimits) -> None:
    """Count nodes and nesting without recursion, so that the builder's recursion is bounded."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(body, 1)]
    starts = _line_starts(source)
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr):
            count += 1
            if count > limits.max_nodes:
                raise fail(
                    _col(starts, node), _token_at(source, _col(starts, node) - 1), f"more than {limits.max_nodes} nodes"
                )
            if depth > limits.max_depth:
                raise fail(
                    _col(starts, node),
                    _token_at(source, _col(starts, node) - 1),
                    f"operations nest deeper than {limits.max_depth}",
                )
        stack.extend((child, depth + isinstance(node, ast.expr)) for child in ast.iter_child_nodes(node))


def _col(starts: list[int], node: ast.AST) -> int:
    """The 1-based column, in the whole text, where `node` (an expression or keyword) starts."""
    line: int = getattr(node, "lineno", 1)
    offset: int = getattr(node, "col_offset", 0)
    return starts[line - 1] + offset + 1


class _Builder:
    """Turns an allowed `ast` expression into `Node`s; refuses everything else."""

    def __init__(self, source: str, limits: ExpressionLimits) -> None:
        self.source = source
        self.limits = limits
        self.starts = _line_starts(source)
        self.folded: dict[Node, torch.Tensor] = {}  # constant subexpressions already computed

    def build(self, node: ast.expr) -> Node:
        out = self._expr(node)
        if out.constant:
            self._fold(out)
        return out

    # positions

    def _col(self, node: ast.AST) -> int:
        return _col(self.starts, node)

    def _end(self, node: ast.AST) -> int:
        line: int = getattr(node, "end_lineno", None) or 1
        offset: int = getattr(node, "end_col_offset", None) or 0
        return self.starts[line - 1] + offset

    def _fail(self, node: ast.AST, msg: str, token: str | None = None) -> InvalidRequest:
        col = self._col(node)
        return fail(col, token if token is not None else _token_at(self.source, col - 1), msg)

    def _operator(self, left: ast.AST, right: ast.AST) -> tuple[int, str]:
        """The column and text of the operator between two operands (skipping spaces and parentheses)."""
        i = self._end(left)
        while i < len(self.source) and (self.source[i].isspace() or self.source[i] == ")"):
            i += 1
        return i + 1, _token_at(self.source, i)

    def _segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or _token_at(self.source, self._col(node) - 1)

    # nodes

    def _expr(self, node: ast.expr) -> Node:
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            col = self._end(node.value) + 1
            raise fail(col, "." + node.attr, "attribute access is not allowed; call the function on it: f(x)")
        why = _REFUSED.get(type(node), f"{type(node).__name__} is not part of the language")
        raise self._fail(node, why)

    def _number(self, node: ast.Constant) -> Node:
        v = node.value
        if isinstance(v, bool) or v is None or v is Ellipsis:
            raise self._fail(node, f"{v!r} is not a number; True and False are only allowed as keepdim=")
        if isinstance(v, (str, bytes)):
            raise self._fail(node, "strings are not part of the language")
        if not isinstance(v, (int, float)):
            raise self._fail(node, f"{type(v).__name__} numbers are not part of the language")
        text = self._segment(node)
        value = self._bounded(v, node, text)
        return Node("const", self._col(node), text, value=value)

    def _bounded(self, v: int | float, node: ast.AST, text: str) -> float:
        try:
            value = float(v)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value) or abs(value) > self.limits.max_constant:
            raise self._fail(node, f"numbers are bounded by ±{self.limits.max_constant:g}", text)
        return value

    def _name(self, node: ast.Name) -> Node:
        name = node.id
        if name.startswith("_"):
            raise self._fail(node, "names starting with '_' are not allowed", name)
        if name in FUNCTIONS:
            raise self._fail(node, f"{name} is a function: call it, {name}(...)", name)
        if not NAME.fullmatch(name):
            raise self._fail(node, "not a valid input name", name)
        return Node("input", self._col(node), name, name=name)

    def _unary(self, node: ast.UnaryOp) -> Node:
        if isinstance(node.op, ast.UAdd):
            return self._expr(node.operand)
        if isinstance(node.op, ast.USub):
            operand = self._expr(node.operand)
            if operand.op == "const":  # a negative number literal
                return Node("const", self._col(node), self._segment(node), value=-operand.value)
            return self._folded(Node("neg", self._col(node), "-", (operand,)))
        word = "not" if isinstance(node.op, ast.Not) else "~"
        raise self._fail(node, f"{word!r} is not part of the language", word)

    def _binary(self, node: ast.BinOp) -> Node:
        col, token = self._operator(node.left, node.right)
        op = _BINARY.get(type(node.op))
        if op is None:
            raise fail(col, token, "not an operator of the language; the operators are + - * / ** and comparisons")
        left, right = self._expr(node.left), self._expr(node.right)
        if op == "pow":
            self._exponent(right)
        return self._folded(Node(op, col, token, (left, right)))

    def _compare(self, node: ast.Compare) -> Node:
        col, token = self._operator(node.left, node.comparators[0])
        if len(node.ops) > 1:
            col2, token2 = self._operator(node.comparators[0], node.comparators[1])
            raise fail(col2, token2, "chained comparisons are not part of the language; compare two values")
        op = _COMPARE.get(type(node.ops[0]))
        if op is None:
            raise fail(col, token, "not a comparison of the language; use < <= > >= == !=")
        left, right = self._expr(node.left), self._expr(node.comparators[0])
        return self._folded(Node(op, col, token, (left, right)))

    def _call(self, node: ast.Call) -> Node:
        func = node.func
        if isinstance(func, ast.Attribute):
            raise fail(
                self._end(func.value) + 1,
                "." + func.attr,
                f"attribute access is not allowed; write {func.attr}(x), not x.{func.attr}()",
            )
        if not isinstance(func, ast.Name):
            raise self._fail(func, "only the language's functions can be called")
        name = func.id
        if name not in FUNCTIONS:
            raise self._fail(func, f"not a function of the language; the functions are {_FUNCTION_LIST}", name)
        args = self._bind(node, name, FUNCTIONS[name])
        return self._folded(self._apply(node, name, args))

    def _bind(self, node: ast.Call, name: str, sig: Signature) -> dict[str, ast.expr]:
        bound: dict[str, ast.expr] = {}
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                raise self._fail(arg, "unpacking (*) is not part of the language", "*")
            if i >= len(sig.params):
                n = len(sig.params)
                raise self._fail(arg, f"{name} takes at most {n} argument{'s' * (n > 1)}: {', '.join(sig.params)}")
            bound[sig.params[i]] = arg
        for kw in node.keywords:
            if kw.arg is None:
                raise self._fail(kw, "unpacking (**) is not part of the language", "**")
            if kw.arg not in sig.params:
                raise self._fail(kw, f"{name} has no argument {kw.arg!r}; its arguments: {', '.join(sig.params)}")
            if kw.arg in bound:
                raise self._fail(kw, f"{name} got {kw.arg!r} twice")
            bound[kw.arg] = kw.value
        missing = [p for p in sig.params[: sig.required] if p not in bound]
        if missing:
            raise self._fail(node.func, f"{name} needs {', '.join(missing)}", name)
        return bound

    def _apply(self, node: ast.Call, name: str, args: dict[str, ast.expr]) -> Node:
        col, text = self._col(node), name
        built = {k: self._expr(v) for k, v in args.items() if k in _EXPRESSION_PARAMS}
        if name == "where":
            if not built["condition"].boolean:
                raise self._fail(args["condition"], "where's condition must be a comparison, such as input > 0")
            return Node("where", col, text, (built["condition"], built["x"], built["other"]))
        if name == "clamp":
            lo, hi = built.get("min"), built.get("max")
            if lo is None and hi is None:
                raise self._fail(node.func, "clamp needs min, max or both", name)
            if lo is not None and hi is not None:
                return Node("clamp", col, text, (built["x"], lo, hi))
            if lo is not None:
                return Node("clamp_min", col, text, (built["x"], lo))
            assert hi is not None
            return Node("clamp_max", col, text, (built["x"], hi))
        if name == "pow":
            self._exponent(built["exponent"])
            return Node("pow", col, text, (built["x"], built["exponent"]))
        if name in ("minimum", "maximum"):
            return Node(name, col, text, (built["x"], built["other"]))
        if name == "softplus":
            beta = self._literal_number(args.get("beta"), 1.0)
            if beta <= 0:
                raise self._fail(args["beta"], "softplus's beta must be > 0")
            threshold = self._literal_number(args.get("threshold"), 20.0)
            return Node("softplus", col, text, (built["x"],), beta=beta, threshold=threshold)
        if name in ALONG:
            dims = self._dims(args["dim"])
            if len(dims) != 1:
                raise self._fail(args["dim"], f"{name} takes one dim")
            return Node(name, col, text, (built["x"],), dim=dims)
        if name in REDUCTIONS:
            dim = self._dims(args["dim"]) if "dim" in args else None
            keepdim = self._keepdim(args.get("keepdim"))
            return Node(name, col, text, (built["x"],), dim=dim, keepdim=keepdim)
        return Node(name, col, text, (built["x"],))

    # literals

    def _literal_number(self, node: ast.expr | None, default: float) -> float:
        if node is None:
            return default
        sign = 1.0
        inner = node
        if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, (ast.USub, ast.UAdd)):
            sign = -1.0 if isinstance(inner.op, ast.USub) else 1.0
            inner = inner.operand
        if not (isinstance(inner, ast.Constant) and isinstance(inner.value, (int, float))) or isinstance(
            inner.value, bool
        ):
            raise self._fail(node, "expected a number literal")
        return sign * self._bounded(inner.value, node, self._segment(node))

    def _int(self, node: ast.expr) -> int:
        sign = 1
        inner = node
        if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.USub):
            sign, inner = -1, inner.operand
        if not (isinstance(inner, ast.Constant) and type(inner.value) is int):
            raise self._fail(node, "dim must be an integer literal (or a tuple of them), such as 1 or -1")
        if abs(inner.value) > 64:
            raise self._fail(node, f"dim {sign * inner.value} is out of range: a tensor has at most 64 dimensions")
        return sign * inner.value

    def _dims(self, node: ast.expr) -> tuple[int, ...]:
        if isinstance(node, ast.Tuple):
            if not node.elts:
                raise self._fail(node, "dim=() names no dimension; leave dim out to reduce over all of them")
            dims = tuple(self._int(e) for e in node.elts)
        else:
            dims = (self._int(node),)
        return dims

    def _keepdim(self, node: ast.expr | None) -> bool:
        if node is None:
            return False
        if not (isinstance(node, ast.Constant) and isinstance(node.value, bool)):
            raise self._fail(node, "keepdim must be True or False")
        return node.value

    def _exponent(self, exponent: Node) -> None:
        if exponent.constant:
            value = self._fold(exponent)
            if abs(value) > self.limits.max_exponent:
                raise fail(
                    exponent.col, exponent.text, f"constant exponents are bounded by ±{self.limits.max_exponent:g}"
                )

    # constant subexpressions

    def _folded(self, node: Node) -> Node:
        if node.constant:
            self._fold(node)
        return node

    def _fold(self, node: Node) -> float:
        """The value of a constant subexpression, in float64; refused unless finite and within bounds."""
        try:
            value = constant(node, self.folded)
        except (RuntimeError, ValueError, IndexError) as e:
            raise fail(node.col, node.text, f"cannot compute this constant: {e}") from None
        if not math.isfinite(value) or abs(value) > self.limits.max_constant:
            raise fail(
                node.col,
                node.text,
                f"this constant is {value!r}; constants are finite and bounded by ±{self.limits.max_constant:g}",
            )
        return value


def _nodes(root: Node) -> Sequence[Node]:
    """Every node, in the order their text appears (pre-order, left to right)."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.args))
    return out


def _depth(root: Node) -> int:
    best, stack = 0, [(root, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        stack.extend((a, d + 1) for a in node.args)
    return best


__all__ = ["COMPARISONS", "FUNCTIONS", "LIMITS", "Expression", "ExpressionLimits", "fail", "parse"]
