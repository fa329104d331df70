"""Hostile custom expressions: escapes (dunders, imports, attributes, calls of other names, f-strings,
comprehensions, lambdas, subscripts) and exhaustion (huge numbers and exponents, deep nesting, long
or large expressions, broadcasts to 10⁹ elements). Each is refused (422, or 413 for what it would
allocate) quickly; afterwards the service is healthy and still computes the seed example exactly.

`where` says what is at fault: the expression's text (a 422 at ["expression"], refused by the dry
run too), a name that is no input (a 422 at ["inputs", name]), or the allocation (a 413).
"""

import base64
import math
import re
import time
from typing import Any

import httpx
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lossd.codec import ElementBudget, Limits
from lossd.compute.engine import run
from lossd.custom import parse, prepare_custom
from lossd.errors import InvalidRequest

PAIR = {"input": [1.0, 2.0], "target": [1.5, 2.5]}
SEED = {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}
QUICK_S = 2.0  # each refusal must come back within this (it takes milliseconds)


def _zeros(*shape: int) -> dict[str, Any]:
    return {"dtype": "float32", "shape": list(shape), "b64": base64.b64encode(np.zeros(shape, np.float32)).decode()}


CUBE = {"a": _zeros(1000, 1, 1), "b": _zeros(1, 1000, 1), "c": _zeros(1, 1, 1000)}  # 3000 elements
SQUARE = {"a": _zeros(4096, 1), "b": _zeros(1, 4096)}  # a * b: 4096² = max_tensor_elements exactly
WIDE = "x*x*x*x*x*x*x*x"  # 15 nodes, depth 8
# (id, expression, inputs (None: PAIR), where)
CORPUS: list[tuple[str, str, dict[str, Any] | None, str]] = [
    # dunders, imports, builtins
    ("import", "__import__('os').system('id')", None, "expression"),
    ("import-no-quotes", "__import__(os)", None, "expression"),
    ("dunder-name", "__builtins__", None, "expression"),
    ("underscore", "_ + input", None, "expression"),
    ("dunder-class", "input.__class__", None, "expression"),
    ("dunder-chain", "input.__class__.__mro__", None, "expression"),
    ("subclasses", "().__class__.__base__.__subclasses__()", None, "expression"),
    ("dict", "input.__dict__", None, "expression"),
    ("globals", "globals()", None, "expression"),
    ("locals", "locals()", None, "expression"),
    ("vars", "vars(input)", None, "expression"),
    ("dir", "dir(input)", None, "expression"),
    ("eval", "eval(input)", None, "expression"),
    ("exec", "exec(input)", None, "expression"),
    ("compile", "compile(input, input, input)", None, "expression"),
    ("open", "open(input)", None, "expression"),
    ("getattr", "getattr(input, target)", None, "expression"),
    ("setattr", "setattr(input, target, input)", None, "expression"),
    ("type", "type(input)", None, "expression"),
    ("print", "print(input)", None, "expression"),
    ("breakpoint", "breakpoint()", None, "expression"),
    ("help", "help(input)", None, "expression"),
    # attributes and method calls
    ("method", "input.numpy()", None, "expression"),
    ("data-ptr", "input.data_ptr()", None, "expression"),
    ("torch-module", "torch.exp(input)", None, "expression"),
    ("torch-load", "torch.load(input)", None, "expression"),
    ("grad-attr", "input.grad", None, "expression"),
    ("call-result-attr", "abs(input).sum()", None, "expression"),
    ("names-not-inputs", "os + sys", None, "inputs"),
    ("self", "self", None, "inputs"),
    # other syntax
    ("lambda", "(lambda x: x)(input)", None, "expression"),
    ("generator", "sum(x for x in input)", None, "expression"),
    ("generator-bare", "(x for x in input)", None, "expression"),
    ("list-comp", "[x for x in input]", None, "expression"),
    ("dict-comp", "{x: 1 for x in input}", None, "expression"),
    ("set", "{input, target}", None, "expression"),
    ("fstring", "f'{input}'", None, "expression"),
    ("fstring-dunder", 'f"{input.__class__}"', None, "expression"),
    ("string", "'abc'", None, "expression"),
    ("bytes", "b'abc'", None, "expression"),
    ("subscript", "input[0]", None, "expression"),
    ("slice", "input[::-1]", None, "expression"),
    ("walrus", "(input := 1)", None, "expression"),
    ("if-else", "input if target else input", None, "expression"),
    ("and", "input and target", None, "expression"),
    ("not", "not input", None, "expression"),
    ("invert", "~input", None, "expression"),
    ("is", "input is target", None, "expression"),
    ("in", "input in target", None, "expression"),
    ("matmul", "input @ target", None, "expression"),
    ("floordiv", "input // target", None, "expression"),
    ("mod", "input % target", None, "expression"),
    ("shift", "input << 2", None, "expression"),
    ("yield", "(yield input)", None, "expression"),
    ("await", "await input", None, "expression"),
    ("star-args", "mean(*input)", None, "expression"),
    ("kw-unpack", "mean(**input)", None, "expression"),
    ("chained", "input < target < 1", None, "expression"),
    ("semicolon", "input; import os", None, "expression"),
    ("newline-statement", "input\nimport os", None, "expression"),
    ("backslash", "input \\\n + target", None, "expression"),
    ("null-byte", "input\x00", None, "expression"),
    ("homoglyph", "\uff45\uff58\uff50(input)", None, "expression"),
    ("complex", "input * 1j", None, "expression"),
    ("number-into-keyword", "1if input else 2", None, "expression"),
    ("hex-into-keyword", "0x1for x in input", None, "expression"),
    ("ellipsis", "input * ...", None, "expression"),
    ("none", "input * None", None, "expression"),
    ("bool-number", "input * True", None, "expression"),
    ("dim-expression", "sum(input, dim=input)", None, "expression"),
    ("dim-out-of-range", "sum(input, dim=64)", {"input": [1.0, 2.0]}, "expression"),
    ("dim-too-big-literal", "sum(input, dim=99999999999)", None, "expression"),
    # huge numbers and exponents
    ("exponent-1e308", "input ** 1e308", None, "expression"),
    ("exponent-big-int", "input ** 99999999", None, "expression"),
    ("exponent-negative", "pow(input, -1e5)", None, "expression"),
    ("power-tower", "2 ** 2 ** 2 ** 2 ** 2 ** 2", None, "expression"),
    ("nine-nine-nine", "9 ** 9 ** 9 * input", None, "expression"),
    ("ten-400", "10 ** 400 * input", None, "expression"),
    ("overflow-literal", "1e999 * input", None, "expression"),
    ("long-integer", "1" * 900 + " * input", None, "expression"),
    ("exp-tower", "exp(exp(exp(1000))) * input", None, "expression"),
    ("constant-overflow", "(1e9 * 1e9) * input", None, "expression"),
    ("nan-constant", "log(-1) * input", None, "expression"),
    ("division-by-zero", "input / 0 * 0 + 1 / 0", None, "expression"),
    # nesting, size and length
    ("deep-parens", "(" * 500 + "input" + ")" * 500, None, "expression"),
    ("deep-calls", "abs(" * 100 + "input" + ")" * 100, None, "expression"),
    ("deep-unary", "-" * 900 + "input", None, "expression"),
    ("deep-power", "input" + " ** input" * 100, None, "expression"),
    ("long-chain", "input" + "+input" * 150, None, "expression"),
    ("many-nodes", "+".join([WIDE] * 20), {"x": [1.0]}, "expression"),
    ("long", "input + " * 1000 + "input", None, "expression"),
    ("long-whitespace", "input" + " " * 5000, None, "expression"),
    ("many-inputs", " + ".join(f"x{i}" for i in range(17)), {f"x{i}": [1.0] for i in range(17)}, "expression"),
    # what it would allocate
    ("broadcast-1e9", "a + b + c", CUBE, "size"),
    ("broadcast-1e9-reduced", "sum(a * b * c)", CUBE, "size"),
    ("broadcast-1e9-where", "where(a > b, a, c)", CUBE, "size"),
    ("broadcast-1e9-clamp", "mean(clamp(a, min=b, max=c))", CUBE, "size"),
    ("broadcast-1e9-softmax", "logsumexp(log_softmax(a * b * c, dim=0))", CUBE, "size"),
    ("intermediates-total", "sum(a * b) + sum(a * b) + sum(a * b)", SQUARE, "size"),
]


def _shape(t: Any) -> list[int]:
    return t["shape"] if isinstance(t, dict) else list(np.shape(t))


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    r = client.post(path, json=body)
    return r, time.perf_counter() - start


def test_the_corpus_is_large_and_unique() -> None:
    assert len(CORPUS) >= 50
    assert len({c[0] for c in CORPUS}) == len(CORPUS)
    assert len({c[1] for c in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(("expression", "inputs", "where"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_a_hostile_expression_is_refused_quickly(
    client: httpx.Client, expression: str, inputs: dict[str, Any] | None, where: str
) -> None:
    r, took = _post(client, "/v1/custom", {"expression": expression, "inputs": inputs or PAIR, "grad": True})
    assert r.status_code == (413 if where == "size" else 422), r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert took < QUICK_S, f"took {took:.2f} s"
    problem = r.json()
    if where == "expression":
        assert problem["errors"][0]["loc"] == ["expression"], problem
        assert problem["errors"][0]["msg"].startswith("col ") or "empty" in problem["errors"][0]["msg"], problem
    elif where == "inputs":
        assert all(e["loc"][0] == "inputs" for e in problem["errors"]), problem
    else:
        assert problem["limit"] in ("max_tensor_elements", "max_total_elements"), problem


@pytest.mark.parametrize(
    ("expression", "inputs", "where"),
    [c[1:] for c in CORPUS if c[3] != "inputs"],
    ids=[c[0] for c in CORPUS if c[3] != "inputs"],
)
def test_the_dry_run_refuses_it_too(
    client: httpx.Client, expression: str, inputs: dict[str, Any] | None, where: str
) -> None:
    # The shapes of the inputs it names, so that what depends on shapes is checked too.
    shapes = {n: _shape(t) for n, t in (inputs or PAIR).items() if re.search(rf"\b{n}\b", expression)}
    r, took = _post(client, "/v1/custom/check", {"expression": expression, "shapes": shapes})
    assert r.status_code in ((413,) if where == "size" else (422,)), r.text
    assert took < QUICK_S, f"took {took:.2f} s"


def test_the_service_is_healthy_and_correct_after_the_corpus(client: httpx.Client) -> None:
    for expression, inputs, _ in [c[1:] for c in CORPUS]:  # once more, back to back
        assert client.post("/v1/custom", json={"expression": expression, "inputs": inputs or PAIR}).status_code in (
            413,
            422,
        )
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    builtin = client.post("/v1/losses/mse", json={"inputs": SEED, "grad": ["input"]}).json()
    custom = client.post(
        "/v1/custom", json={"expression": "mean((input - target) ** 2)", "inputs": SEED, "grad": ["input"]}
    ).json()
    assert builtin["value"] == custom["value"] == 0.13749998807907104
    assert builtin["grads"] == custom["grads"]


# --- the language, fuzzed: whatever it is sent, a tree or a 422, and shapes inferred as torch computes them --

SHAPES = {"a": (2, 3), "b": (3,), "c": (2, 1), "d": ()}
_LEAF = st.one_of(st.sampled_from(sorted(SHAPES)), st.floats(-3, 3, allow_nan=False).map(lambda v: repr(round(v, 3))))
_UNARY = ["abs", "exp", "log", "log1p", "sqrt", "sigmoid", "tanh", "relu", "softplus"]
_DIMS = ["", ", dim=0", ", dim=-1", ", dim=1, keepdim=True", ", dim=(0, 1)", ", dim=2", ", keepdim=True"]


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.sampled_from(["+", "-", "*", "/", "**", "<", ">=", "==", "!="])
    return st.one_of(
        st.tuples(children, binary, children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["-", ""]), children).map("".join),
        st.tuples(st.sampled_from(_UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["sum", "mean", "amax", "amin", "logsumexp"]), children, st.sampled_from(_DIMS)).map(
            lambda t: f"{t[0]}({t[1]}{t[2]})"
        ),
        st.tuples(st.sampled_from(["softmax", "log_softmax"]), children, st.sampled_from(["0", "-1", "1"])).map(
            lambda t: f"{t[0]}({t[1]}, dim={t[2]})"
        ),
        st.tuples(st.sampled_from(["minimum", "maximum", "pow"]), children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        st.tuples(children, children, children).map(lambda t: f"where({t[0]} > {t[1]}, {t[1]}, {t[2]})"),
        st.tuples(children, children, st.sampled_from(["min", "max"])).map(lambda t: f"clamp({t[0]}, {t[2]}={t[1]})"),
    )


EXPRESSIONS = st.recursive(_LEAF, _extend, max_leaves=10)
LIMITS = Limits(max_tensor_elements=1 << 16, max_dims=8)


@settings(max_examples=200)
@given(expression=EXPRESSIONS)
def test_a_drawn_expression_is_a_422_or_computes_in_the_shape_inferred(expression: str) -> None:
    try:
        expr = parse(expression)
    except InvalidRequest as e:
        assert e.errors[0].loc == ("expression",)
        return
    inputs = {n: torch.linspace(-2, 2, math.prod(SHAPES[n])).reshape(SHAPES[n]).tolist() for n in expr.inputs}
    try:
        job = prepare_custom(expr, inputs, True, None, "float64", LIMITS, ElementBudget(1 << 20), 1 << 20)
    except InvalidRequest as e:
        assert e.errors[0].loc[0] == "expression", e.errors
        return
    result = run(job, torch.device("cpu"))  # a torch error here would be a shape rule that is missing
    assert tuple(result.value.shape) == job.value_shape
    assert set(result.grads) == set(expr.inputs)


_CHARS = "abcxyz_0123456789.,()+-*/<>=! \n[]{}'\":@%&|^~;#\\eEjJ"


@settings(max_examples=200)
@given(text=st.text(alphabet=st.sampled_from(list(_CHARS)), max_size=60))
def test_any_text_is_a_tree_or_a_422(text: str) -> None:
    try:
        parse(text)
    except InvalidRequest as e:
        assert e.errors[0].loc == ("expression",)
