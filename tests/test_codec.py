"""lossd.codec: the contract's three tensor forms in, tensors out, and back ("Tensors on the wire")."""

import base64
import math
from typing import Any

import numpy as np
import orjson
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from lossd.codec import ElementBudget, Limits, Overflow, decode, encode, encode_number, encode_result
from lossd.errors import InvalidRequest, LimitExceeded

from wire import DTYPE_NAMES, FORMS, to_wire

LIMITS = Limits(max_tensor_elements=64, max_dims=4)
ROOMY = Limits(max_tensor_elements=100_000, max_dims=8)
LOC = ("inputs", "input")
NAN, INF = math.nan, math.inf


def decoded(value: Any, limits: Limits = LIMITS) -> torch.Tensor:
    return decode(value, LOC, limits).tensor


def assert_same(got: torch.Tensor, want: torch.Tensor) -> None:
    """Same dtype, shape and values (NaN equal to NaN), bit for bit."""
    assert got.dtype == want.dtype, f"dtype {got.dtype} != {want.dtype}"
    assert tuple(got.shape) == tuple(want.shape), f"shape {list(got.shape)} != {list(want.shape)}"
    torch.testing.assert_close(got, want, rtol=0, atol=0, equal_nan=True)


def written(t: torch.Tensor) -> Any:
    """The JSON that `encode(t, "json")` becomes on the wire (orjson writes its numpy arrays)."""
    return orjson.loads(orjson.dumps(encode(t, "json"), option=orjson.OPT_SERIALIZE_NUMPY))


def le_bytes(t: torch.Tensor) -> str:
    """base64 of `t`'s little-endian row-major bytes, built independently of the codec."""
    if t.dtype == torch.bfloat16:
        arr = t.contiguous().view(torch.int16).numpy().astype("<i2")
    else:
        arr = t.contiguous().numpy()
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    return base64.b64encode(arr.tobytes()).decode()


def invalid_at(value: Any, loc: tuple[Any, ...], limits: Limits = LIMITS) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as info:
        decode(value, LOC, limits)
    errors = info.value.errors
    assert [e.loc for e in errors] == [LOC + loc], errors
    assert all(e.msg for e in errors)
    return info.value


# --- each wire form decodes to the right tensor and dtype ---------------------------------------

PLAIN = [
    pytest.param(3, torch.tensor(3, dtype=torch.int64), id="int-is-0d-int64"),
    pytest.param(2.5, torch.tensor(2.5, dtype=torch.float64), id="float-is-0d-float64"),
    pytest.param(True, torch.tensor(True), id="bool-is-0d-bool"),
    pytest.param([1, 2, 3], torch.tensor([1, 2, 3], dtype=torch.int64), id="ints-are-int64"),
    pytest.param([0.5, -1.25], torch.tensor([0.5, -1.25], dtype=torch.float64), id="floats-are-float64"),
    pytest.param(
        [[1, 2.5], [3, 4]],
        torch.tensor([[1.0, 2.5], [3.0, 4.0]], dtype=torch.float64),
        id="ints-and-floats-are-float64",
    ),
    pytest.param([1.0, 2.0], torch.tensor([1.0, 2.0], dtype=torch.float64), id="integral-floats-stay-float64"),
    pytest.param([True, False, True], torch.tensor([True, False, True]), id="bools-are-bool"),
    pytest.param([[True], [False]], torch.tensor([[True], [False]]), id="nested-bools-are-bool"),
    pytest.param("NaN", torch.tensor(NAN, dtype=torch.float64), id="NaN-string"),
    pytest.param("Infinity", torch.tensor(INF, dtype=torch.float64), id="Infinity-string"),
    pytest.param("-Infinity", torch.tensor(-INF, dtype=torch.float64), id="minus-Infinity-string"),
    pytest.param(
        [1, "NaN", "-Infinity"], torch.tensor([1.0, NAN, -INF], dtype=torch.float64), id="non-finite-among-ints"
    ),
    pytest.param(
        [["Infinity", 0.5], [2, "NaN"]],
        torch.tensor([[INF, 0.5], [2.0, NAN]], dtype=torch.float64),
        id="nested-non-finite",
    ),
    pytest.param([[[1], [2]]], torch.tensor([[[1], [2]]], dtype=torch.int64), id="rank-3"),
]


@pytest.mark.parametrize(("value", "want"), PLAIN)
def test_plain_json_decodes_to_its_tensor(value: Any, want: torch.Tensor) -> None:
    out = decode(value, LOC, LIMITS)
    assert out.plain
    assert_same(out.tensor, want)


TYPED = [
    pytest.param(
        {"dtype": "float32", "shape": [2, 2], "data": [0.1, 0.9, 0.8, 0.2]},
        torch.tensor([[0.1, 0.9], [0.8, 0.2]], dtype=torch.float32),
        id="flat-data-with-shape",
    ),
    pytest.param(
        {"dtype": "float32", "data": [[0.1, 0.9], [0.8, 0.2]]},
        torch.tensor([[0.1, 0.9], [0.8, 0.2]], dtype=torch.float32),
        id="nested-data-without-shape",
    ),
    pytest.param(
        {"dtype": "float64", "shape": [2, 2], "data": [[0.1, 0.9], [0.8, 0.2]]},
        torch.tensor([[0.1, 0.9], [0.8, 0.2]], dtype=torch.float64),
        id="nested-data-with-its-shape",
    ),
    pytest.param(
        {"dtype": "float64", "data": [1, 2]},
        torch.tensor([1.0, 2.0], dtype=torch.float64),
        id="flat-data-without-shape",
    ),
    pytest.param(
        {"dtype": "float16", "data": ["NaN", "Infinity", "-Infinity", 0.5]},
        torch.tensor([NAN, INF, -INF, 0.5], dtype=torch.float16),
        id="float16-non-finite",
    ),
    pytest.param(
        {"dtype": "bfloat16", "data": [1.5, -2]}, torch.tensor([1.5, -2.0], dtype=torch.bfloat16), id="bfloat16"
    ),
    pytest.param({"dtype": "int32", "data": [1, -2]}, torch.tensor([1, -2], dtype=torch.int32), id="int32"),
    pytest.param(
        {"dtype": "int64", "shape": [3], "data": [0, 2**62, -(2**63)]},
        torch.tensor([0, 2**62, -(2**63)]),
        id="int64-extremes",
    ),
    pytest.param({"dtype": "bool", "shape": [2], "data": [True, False]}, torch.tensor([True, False]), id="bool"),
    pytest.param(
        {"dtype": "float32", "shape": [], "data": 1.5}, torch.tensor(1.5, dtype=torch.float32), id="0d-data-number"
    ),
    pytest.param(
        {"dtype": "float32", "shape": [], "data": [1.5]}, torch.tensor(1.5, dtype=torch.float32), id="0d-data-list"
    ),
    pytest.param(
        {"dtype": "float32", "data": 1.5}, torch.tensor(1.5, dtype=torch.float32), id="0d-data-number-without-shape"
    ),
    pytest.param(
        {"dtype": "float32", "shape": [0, 3], "data": []}, torch.empty(0, 3, dtype=torch.float32), id="empty-0x3"
    ),
    pytest.param(
        {"dtype": "int64", "shape": [2, 0], "data": []}, torch.empty(2, 0, dtype=torch.int64), id="empty-int64-2x0"
    ),
    pytest.param(
        {"dtype": "float32", "shape": [2], "data": [1, 2], "b64": None},
        torch.tensor([1.0, 2.0]),
        id="null-b64-is-absent",
    ),
]


@pytest.mark.parametrize(("value", "want"), TYPED)
def test_typed_json_decodes_to_its_tensor_in_its_dtype(value: Any, want: torch.Tensor) -> None:
    out = decode(value, LOC, LIMITS)
    assert not out.plain
    assert_same(out.tensor, want)


BINARY = [
    pytest.param(torch.tensor([[0.1, -2.5, 3.0], [NAN, INF, -INF]], dtype=dtype), id=DTYPE_NAMES[dtype])
    for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64)
] + [
    pytest.param(torch.tensor([[1, -(2**31)], [2**31 - 1, 0]], dtype=torch.int32), id="int32"),
    pytest.param(torch.tensor([[1, -(2**63)], [2**63 - 1, 0]], dtype=torch.int64), id="int64"),
    pytest.param(torch.tensor([[True, False], [False, True]]), id="bool"),
    pytest.param(torch.tensor(2.5, dtype=torch.float32), id="0d"),
    pytest.param(torch.empty(0, 3, dtype=torch.float32), id="empty-0x3"),
]


@pytest.mark.parametrize("want", BINARY)
def test_binary_decodes_little_endian_bytes_in_every_dtype(want: torch.Tensor) -> None:
    value = {"dtype": DTYPE_NAMES[want.dtype], "shape": list(want.shape), "b64": le_bytes(want)}
    assert_same(decoded(value), want)


def test_binary_with_null_data_is_binary() -> None:
    want = torch.tensor([1.0, 2.0])
    assert_same(decoded({"dtype": "float32", "shape": [2], "b64": le_bytes(want), "data": None}), want)


# --- bad forms are a 422 naming the field ------------------------------------------------------

BAD = [
    pytest.param([[1, 2], [3]], (), id="ragged-rows"),
    pytest.param([[1, 2], 3], (), id="ragged-depth"),
    pytest.param([[], [1]], (), id="ragged-empty-row"),
    pytest.param([1, True], (1,), id="bool-after-number"),
    pytest.param([True, 1], (0,), id="bool-before-number"),
    pytest.param([[1.5, 2], [3, False]], (1, 1), id="nested-bool-among-numbers"),
    pytest.param([[0.5] * 3, [2.5, 3.5, True]], (1, 2), id="bool-after-floats"),
    pytest.param(["1.5"], (0,), id="numeric-string"),
    pytest.param([[1, 2], [3, "1.5"]], (1, 1), id="nested-numeric-string"),
    pytest.param([1, "nan"], (1,), id="lower-case-nan"),
    pytest.param([1, "inf"], (1,), id="inf-abbreviation"),
    pytest.param("1.5", (), id="bare-numeric-string"),
    pytest.param([1, None], (1,), id="null-element"),
    pytest.param([1, {}], (1,), id="object-element"),
    pytest.param(None, (), id="null-tensor"),
    pytest.param([], (), id="empty-plain-list"),
    pytest.param([[]], (), id="empty-nested-plain-list"),
    pytest.param(Overflow(INF), (), id="bare-number-beyond-float64"),
    pytest.param([1.0, Overflow(-INF)], (1,), id="number-beyond-float64"),
    pytest.param([1, 10**400], (1,), id="integer-beyond-float64"),
    pytest.param({"dtype": "float32", "data": [1], "scale": 2}, ("scale",), id="unknown-key"),
    pytest.param({"dtype": "float32", "shape": [1], "data": [1], "b64": "AACAPw=="}, ("b64",), id="data-and-b64"),
    pytest.param({"data": [1.0]}, ("dtype",), id="missing-dtype"),
    pytest.param({"dtype": None, "data": [1.0]}, ("dtype",), id="null-dtype"),
    pytest.param({"dtype": "FLOAT32", "data": [1.0]}, ("dtype",), id="upper-case-dtype"),
    pytest.param({"dtype": "float8", "data": [1.0]}, ("dtype",), id="unknown-dtype"),
    pytest.param({"dtype": "torch.float32", "data": [1.0]}, ("dtype",), id="torch-dtype-name"),
    pytest.param({"dtype": 32, "data": [1.0]}, ("dtype",), id="dtype-not-a-string"),
    pytest.param({"dtype": "float32"}, ("data",), id="neither-data-nor-b64"),
    pytest.param({"dtype": "float32", "shape": [-1, 2], "data": [1, 2]}, ("shape",), id="negative-shape-entry"),
    pytest.param({"dtype": "float32", "shape": [1.5], "data": [1]}, ("shape",), id="fractional-shape-entry"),
    pytest.param({"dtype": "float32", "shape": [True], "data": [1]}, ("shape",), id="bool-shape-entry"),
    pytest.param({"dtype": "float32", "shape": 2, "data": [1, 2]}, ("shape",), id="shape-not-a-list"),
    pytest.param({"dtype": "float32", "shape": [3], "data": [1, 2]}, ("data",), id="shape-data-count-mismatch"),
    pytest.param(
        {"dtype": "float32", "shape": [3, 2], "data": [[1, 2, 3], [4, 5, 6]]},
        ("data",),
        id="shape-nested-data-mismatch",
    ),
    pytest.param({"dtype": "float32", "shape": [], "data": [1, 2]}, ("data",), id="0d-shape-two-values"),
    pytest.param({"dtype": "float32", "data": [[1, 2], [3]]}, ("data",), id="ragged-typed-data"),
    pytest.param({"dtype": "float32", "data": ["1.5"]}, ("data", 0), id="typed-numeric-string"),
    pytest.param({"dtype": "float32", "data": [True]}, ("data",), id="typed-float-with-bools"),
    pytest.param({"dtype": "float32", "data": [1.0, 10**400]}, ("data", 1), id="typed-integer-beyond-float64"),
    pytest.param({"dtype": "int64", "data": [1, 1.5]}, ("data",), id="int-data-with-fraction"),
    pytest.param({"dtype": "int64", "data": 1.5}, ("data",), id="int-0d-data-with-fraction"),
    pytest.param({"dtype": "int64", "data": [1, "NaN"]}, ("data",), id="int-data-with-NaN"),
    pytest.param({"dtype": "int32", "data": [2**31]}, ("data",), id="int32-over-range"),
    pytest.param({"dtype": "int32", "data": [-(2**31) - 1]}, ("data",), id="int32-under-range"),
    pytest.param({"dtype": "bool", "data": [1, 0]}, ("data",), id="bool-data-with-numbers"),
    pytest.param({"dtype": "bool", "data": 1}, ("data",), id="bool-0d-data-number"),
    pytest.param({"dtype": "float32", "shape": [1], "b64": "not base64!"}, ("b64",), id="bad-base64"),
    pytest.param({"dtype": "float32", "shape": [1], "b64": "AACAPw"}, ("b64",), id="unpadded-base64"),
    pytest.param({"dtype": "float32", "shape": [1], "b64": 5}, ("b64",), id="b64-not-a-string"),
    # the JSON's types are checked before its size: a malformed tensor is a 422 however large it claims to be
    pytest.param({"dtype": "float32", "shape": [10**6], "b64": 5}, ("b64",), id="b64-not-a-string-large-shape"),
    pytest.param({"dtype": "float32", "shape": [10**6], "b64": "", "data": [1.0]}, ("b64",), id="both-large-shape"),
    pytest.param({"dtype": "float32", "shape": [2], "b64": "AACAPw=="}, ("b64",), id="too-few-bytes"),
    pytest.param({"dtype": "float16", "shape": [1], "b64": "AACAPw=="}, ("b64",), id="too-many-bytes"),
    pytest.param({"dtype": "float32", "b64": "AACAPw=="}, ("shape",), id="binary-without-shape"),
    pytest.param(
        {"dtype": "bool", "shape": [2], "b64": base64.b64encode(b"\x01\x02").decode()}, ("b64",), id="bool-byte-2"
    ),
    pytest.param(
        {"dtype": "bool", "shape": [1], "b64": base64.b64encode(b"\xff").decode()}, ("b64",), id="bool-byte-255"
    ),
]


@pytest.mark.parametrize(("value", "loc"), BAD)
def test_bad_form_is_invalid_request_naming_the_field(value: Any, loc: tuple[Any, ...]) -> None:
    invalid_at(value, loc)


def test_upper_case_dtype_message_lists_the_dtypes() -> None:
    error = invalid_at({"dtype": "FLOAT32", "data": [1.0]}, ("dtype",))
    assert "float32" in error.errors[0].msg


def test_byte_count_mismatch_message_says_what_was_expected() -> None:
    error = invalid_at({"dtype": "float32", "shape": [2], "b64": "AACAPw=="}, ("b64",))
    assert "4 bytes" in error.errors[0].msg and "8 bytes" in error.errors[0].msg


# --- limits ------------------------------------------------------------------------------------


def limit_at(value: Any, limit: str, loc: tuple[Any, ...], limits: Limits = LIMITS) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as info:
        decode(value, LOC, limits)
    assert info.value.limit == limit
    assert info.value.value == getattr(limits, limit)
    assert info.value.loc == LOC + loc
    assert limit in info.value.detail and str(getattr(limits, limit)) in info.value.detail
    return info.value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"dtype": "float32", "shape": [65], "data": [1.0]}, id="typed-data-mismatched"),
        pytest.param({"dtype": "float32", "shape": [8, 9], "data": "not even data"}, id="typed-data-garbage"),
        pytest.param({"dtype": "float32", "shape": [1000], "b64": ""}, id="binary-bytes-mismatched"),
        pytest.param({"dtype": "float32", "shape": [1000], "b64": "not base64!"}, id="binary-bad-base64"),
    ],
)
def test_declared_shape_over_max_tensor_elements_is_limit_exceeded_whatever_the_data(value: Any) -> None:
    limit_at(value, "max_tensor_elements", ("shape",))


def test_plain_list_over_max_tensor_elements_is_limit_exceeded() -> None:
    limit_at([0.5] * 65, "max_tensor_elements", ())


def test_typed_data_over_max_tensor_elements_without_shape_is_limit_exceeded() -> None:
    limit_at({"dtype": "float32", "data": [0.5] * 65}, "max_tensor_elements", ("data",))


def test_max_tensor_elements_itself_is_allowed() -> None:
    assert decoded([0.5] * 64).numel() == 64


@pytest.mark.parametrize(
    ("value", "loc"),
    [
        pytest.param([[[[[1]]]]], (), id="plain-nested"),
        pytest.param({"dtype": "float32", "shape": [1, 1, 1, 1, 1], "data": [1]}, ("shape",), id="typed-shape"),
        pytest.param({"dtype": "float32", "data": [[[[[1]]]]]}, ("data",), id="typed-nested-data"),
        pytest.param({"dtype": "float32", "shape": [1, 1, 1, 1, 1], "b64": "AACAPw=="}, ("shape",), id="binary-shape"),
    ],
)
def test_too_many_dims_is_limit_exceeded(value: Any, loc: tuple[Any, ...]) -> None:
    limit_at(value, "max_dims", loc)


def test_max_dims_itself_is_allowed() -> None:
    assert decoded([[[[1]]]]).dim() == 4


def test_element_budget_counts_every_tensor_of_a_request() -> None:
    budget = ElementBudget(max_total_elements=10)
    decode([1.0] * 6, ("inputs", "input"), LIMITS, budget)
    decode([1.0] * 4, ("inputs", "target"), LIMITS, budget)
    assert budget.used == 10
    with pytest.raises(LimitExceeded) as info:
        decode([1.0], ("params", "weight"), LIMITS, budget)
    assert (info.value.limit, info.value.value, info.value.loc) == ("max_total_elements", 10, ("params", "weight"))
    assert "max_total_elements" in info.value.detail and "10" in info.value.detail


def test_element_budget_counts_empty_and_0d_tensors_by_their_elements() -> None:
    budget = ElementBudget(max_total_elements=1)
    decode({"dtype": "float32", "shape": [0, 3], "data": []}, LOC, LIMITS, budget)
    decode(2.5, LOC, LIMITS, budget)
    assert budget.used == 1


@pytest.mark.parametrize("odd", [True, Overflow(INF)], ids=["bool", "number-beyond-float64"])
@pytest.mark.parametrize("many", [0.0, 1.0, 2.5], ids=["zeros", "ones", "other-numbers"])
def test_an_odd_leaf_among_many_numbers_is_found(odd: Any, many: float) -> None:
    # a bool reads as 0 or 1 and an overflow as inf: among many such numbers, every leaf is looked at
    with pytest.raises(InvalidRequest) as info:
        decode([many] * 2000 + [odd], LOC, ROOMY)
    assert info.value.errors[0].loc == (*LOC, 2000)


# --- encoding ----------------------------------------------------------------------------------


def test_float32_values_are_widened_exactly_to_float64() -> None:
    out = written(torch.tensor([0.1], dtype=torch.float32))
    assert out == [float(np.float32(0.1))]
    assert out != [0.1]


# A few numbers are read through Python floats, many through numpy: both must write the same JSON.
SIZES = [(2, 2), (5,), (9, 9)]


@pytest.mark.parametrize("shape", SIZES)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_json_encoding_holds_each_value_exactly(dtype: torch.dtype, shape: tuple[int, ...]) -> None:
    t = (torch.randn(shape, generator=torch.Generator().manual_seed(0)) * 1000 / 3).to(dtype)
    assert written(t) == t.double().tolist()


@pytest.mark.parametrize("shape", SIZES)
def test_non_finite_values_encode_as_the_contract_strings(shape: tuple[int, ...]) -> None:
    t = torch.full(shape, 0.25).flatten()
    t[:3] = torch.tensor([NAN, INF, -INF])
    want = ["NaN", "Infinity", "-Infinity"] + [0.25] * (t.numel() - 3)
    assert written(t.reshape(shape)) == _nest(want, shape)


def _nest(flat: list[Any], shape: tuple[int, ...]) -> Any:
    for n in reversed(shape[1:]):
        flat = [flat[i : i + n] for i in range(0, len(flat), n)]
    return flat


@pytest.mark.parametrize(
    ("x", "want"), [(NAN, "NaN"), (INF, "Infinity"), (-INF, "-Infinity"), (0.25, 0.25), (-0.0, -0.0), (1e308, 1e308)]
)
def test_encode_number_writes_non_finite_as_strings(x: float, want: float | str) -> None:
    assert encode_number(x) == want
    assert type(encode_number(x)) is type(want)


@pytest.mark.parametrize(
    ("t", "want"),
    [
        (torch.tensor([[1, -2]], dtype=torch.int64), [[1, -2]]),
        (torch.tensor([3, 4], dtype=torch.int32), [3, 4]),
        (torch.tensor([True, False]), [True, False]),
    ],
    ids=["int64", "int32", "bool"],
)
def test_integer_and_bool_tensors_encode_as_json_integers_and_booleans(t: torch.Tensor, want: Any) -> None:
    assert written(t) == want


def test_json_encoding_of_non_finite_values_decodes_back() -> None:
    t = torch.tensor([[NAN, INF], [-INF, 0.1]], dtype=torch.float32)
    assert_same(decoded(written(t)), t.double())


@pytest.mark.parametrize("want", BINARY)
def test_b64_encoding_round_trips_in_every_dtype(want: torch.Tensor) -> None:
    out = encode(want, "b64")
    assert out == {"dtype": DTYPE_NAMES[want.dtype], "shape": list(want.shape), "b64": le_bytes(want)}
    assert_same(decoded(out), want)


def test_encode_result_of_a_reduced_loss_is_a_number() -> None:
    value = torch.tensor(0.1, dtype=torch.float32)
    grads = {"input": torch.tensor([NAN, 0.5], dtype=torch.float32)}
    out = encode_result(value, grads, "json", reduced=True)
    assert out == {"value": float(np.float32(0.1)), "shape": [], "dtype": "float32", "grads": {"input": ["NaN", 0.5]}}


def test_encode_result_of_an_unreduced_loss_is_a_tensor_in_the_encoding() -> None:
    value = torch.tensor([0.5, INF], dtype=torch.float64)
    out = encode_result(value, {}, "b64", reduced=False)
    assert out == {"value": encode(value, "b64"), "shape": [2], "dtype": "float64"}
    assert "grads" not in out


def test_encode_result_writes_a_non_finite_value_as_a_string() -> None:
    assert encode_result(torch.tensor(INF), {}, "json", reduced=True)["value"] == "Infinity"


# --- round trip: any tensor, in any wire form, decodes to itself -------------------------------

_VALUES = {
    torch.float16: st.floats(width=16),
    torch.bfloat16: st.floats(width=32),
    torch.float32: st.floats(width=32),
    torch.float64: st.floats(),
    torch.int32: st.integers(-(2**31), 2**31 - 1),
    torch.int64: st.integers(-(2**63), 2**63 - 1),
    torch.bool: st.booleans(),
}


@st.composite
def tensors(draw: st.DrawFn) -> torch.Tensor:
    dtype = draw(st.sampled_from(list(_VALUES)))
    shape = draw(st.lists(st.integers(0, 3), max_size=4))
    values = draw(st.lists(_VALUES[dtype], min_size=math.prod(shape), max_size=math.prod(shape)))
    return torch.tensor(values, dtype=torch.float64 if dtype.is_floating_point else dtype).to(dtype).reshape(shape)


def _plain_dtype(t: torch.Tensor) -> torch.dtype:
    """What a plain JSON list decodes to: bool, int64 or float64."""
    if t.dtype == torch.bool:
        return torch.bool
    return torch.float64 if t.is_floating_point() else torch.int64


@given(t=tensors(), form=st.sampled_from(FORMS))
def test_any_tensor_round_trips_through_each_wire_form(t: torch.Tensor, form: str) -> None:
    out = decode(to_wire(t, form), LOC, ROOMY).tensor
    plain = form == "plain" and t.numel() > 0  # an empty tensor travels typed
    assert_same(out, t.to(_plain_dtype(t)) if plain else t)


@given(t=tensors())
def test_any_tensor_round_trips_through_its_own_encodings(t: torch.Tensor) -> None:
    assert_same(decode(encode(t, "b64"), LOC, ROOMY).tensor, t)
    if t.numel() > 0:
        assert_same(decode(written(t), LOC, ROOMY).tensor, t.to(_plain_dtype(t)))
