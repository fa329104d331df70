"""The wire codec: the three tensor forms of the contract into torch tensors, and back.

Forms (api.md, "Tensors on the wire"):
  plain   a number, a non-finite string, or a rectangular nested list;
  typed   {"dtype", "shape"?, "data"}: row-major, flat or nested;
  binary  {"dtype", "shape", "b64"}: base64 of the little-endian row-major bytes.

Large nested lists go through one `numpy.array` call; only lists holding
non-finite strings (or anything odd) take the element-by-element path.
"""

import binascii
import itertools
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pybase64
import torch

from .errors import InvalidRequest, LimitExceeded, Loc

WIRE_DTYPES: dict[str, torch.dtype] = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
}
DTYPE_NAMES = {v: k for k, v in WIRE_DTYPES.items()}
NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_INT_RANGE = {torch.int32: (-(2**31), 2**31 - 1), torch.int64: (-(2**63), 2**63 - 1)}
_TYPED_KEYS = frozenset({"dtype", "shape", "data", "b64"})

OutputEncoding = Literal["json", "b64"]


class Overflow(float):
    """A JSON number literal beyond float64's range, kept so validation can name where it was."""


@dataclass(frozen=True)
class Limits:
    max_tensor_elements: int
    max_dims: int


class ElementBudget:
    """Counts elements over all tensors of one request; over the limit is a 413 for the whole request."""

    def __init__(self, max_total_elements: int) -> None:
        self.limit = max_total_elements
        self.used = 0

    def take(self, n: int, loc: Loc) -> None:
        self.used += n
        if self.used > self.limit:
            raise LimitExceeded(
                "max_total_elements", self.limit, f"the request holds more than {self.limit} tensor elements", loc
            )


@dataclass(frozen=True)
class WireTensor:
    """A decoded tensor in its wire dtype, on the CPU.

    `plain` is true for the plain JSON form, where integral numbers may serve
    as indices (plain numbers decode to int64 when all are integers, else float64).
    """

    tensor: torch.Tensor
    plain: bool


def decode(value: Any, loc: Loc, limits: Limits, budget: ElementBudget | None = None) -> WireTensor:
    """Decode one tensor of any wire form.

    Raises `InvalidRequest` (422) for a malformed tensor and `LimitExceeded`
    (413) for one over `max_tensor_elements` or `max_dims`; both name `loc`.
    """
    if isinstance(value, WireTensor):  # decoded by another front end (the Open Inference Protocol)
        check_size(tuple(value.tensor.shape), loc, limits)
        out = value
    elif isinstance(value, dict):
        out = WireTensor(_typed(value, loc, limits), plain=False)
    else:
        out = WireTensor(_plain(value, loc, limits), plain=True)
    if budget is not None:
        budget.take(out.tensor.numel(), loc)
    return out


# --- plain JSON ---------------------------------------------------------------


def _plain(value: Any, loc: Loc, limits: Limits) -> torch.Tensor:
    if isinstance(value, bool):
        return torch.tensor(value)
    if isinstance(value, list):
        arr = _nested(value, loc, limits, numbers_only=False)
        if arr.size == 0:
            raise InvalidRequest.at(loc, "an empty tensor needs the typed form, with its shape")
        return torch.from_numpy(arr)
    return torch.from_numpy(np.asarray(_scalar(value, loc), dtype=_scalar_dtype(value)))


def _scalar_dtype(value: Any) -> type:
    return (
        np.int64
        if isinstance(value, int) and _INT_RANGE[torch.int64][0] <= value <= _INT_RANGE[torch.int64][1]
        else np.float64
    )


def _scalar(value: Any, loc: Loc) -> float | int:
    if isinstance(value, Overflow):
        raise InvalidRequest.at(loc, "number is beyond float64's range")
    if isinstance(value, bool):
        raise InvalidRequest.at(loc, "booleans are not numbers: a tensor is all numbers or all booleans")
    if isinstance(value, int):
        return value if _scalar_dtype(value) is np.int64 else _int_to_float(value, loc)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        if value in NONFINITE:
            return NONFINITE[value]
        raise InvalidRequest.at(
            loc, f'expected a number; the only strings allowed are "NaN", "Infinity" and "-Infinity", got {value!r}'
        )
    if value is None:
        raise InvalidRequest.at(loc, "expected a tensor, got null")
    raise InvalidRequest.at(loc, f"expected a number or a nested list of numbers, got {type(value).__name__}")


def _int_to_float(value: int, loc: Loc) -> float:
    try:
        return float(value)
    except OverflowError:
        raise InvalidRequest.at(loc, "number is beyond float64's range") from None


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list) and value:
        value = value[0]
        depth += 1
    return depth


def _nested(value: list[Any], loc: Loc, limits: Limits, numbers_only: bool) -> np.ndarray:
    """A rectangular nested list as a numpy array: bool, int64 or float64."""
    if _depth(value) > limits.max_dims:
        raise LimitExceeded("max_dims", limits.max_dims, "a tensor has too many dimensions", loc)
    try:
        arr = np.array(value)
    except (ValueError, OverflowError, TypeError):
        arr = None
    if arr is None or arr.dtype.kind == "O" and _is_ragged(value):
        raise InvalidRequest.at(loc, "ragged nested list: every row must have the same length")
    check_size(arr.shape, loc, limits)
    kind = arr.dtype.kind
    # numpy turns [True, 2] into [1, 2] and an overflowed literal into inf: only plain ints and floats pass.
    if kind in "iuf" and _numbers_only(value, arr):
        return arr.astype(np.float64) if kind == "u" else arr
    if kind == "b":
        if numbers_only:
            raise InvalidRequest.at(loc, "expected numbers, got booleans")
        return arr
    # Strings (non-finite or not), booleans among numbers, None, objects: check element by element.
    leaves = list(_flatten(value, arr.ndim))
    out = np.empty(len(leaves), dtype=np.float64)
    for i, leaf in enumerate(leaves):
        try:
            out[i] = _scalar(leaf, loc)
        except InvalidRequest as e:
            where = list(np.unravel_index(i, arr.shape)) if arr.ndim else []
            raise InvalidRequest.at(loc + tuple(int(j) for j in where), e.errors[0].msg) from None
    return out.reshape(arr.shape)


def _is_ragged(value: list[Any]) -> bool:
    try:
        np.array(value, dtype=float)
    except ValueError as e:
        return "inhomogeneous" in str(e) or "sequence" in str(e)
    except (TypeError, OverflowError):  # not ragged: an odd leaf, or an integer beyond float64
        return False
    return False


def _flatten(value: list[Any], ndim: int) -> Iterable[Any]:
    flat: Iterable[Any] = value
    for _ in range(ndim - 1):
        flat = itertools.chain.from_iterable(flat)
    return flat


def _leaf_types(value: list[Any], ndim: int) -> set[type]:
    return set(map(type, _flatten(value, ndim)))


_SUSPECTS_CHECKED_ONE_BY_ONE = 256


def _numbers_only(value: list[Any], arr: np.ndarray) -> bool:
    """Whether every leaf of `value` (read by numpy as the numeric `arr`) is a plain int or float.

    A bool reads as 0 or 1 and an `Overflow` as ±inf, so only leaves with those values can be anything else:
    they are looked at one by one when few, and every leaf is when many (a 0/1 target, say) or the tensor
    is small.
    """
    if arr.size <= _SUSPECTS_CHECKED_ONE_BY_ONE:  # a small tensor: every leaf costs less than numpy's calls
        return _leaf_types(value, arr.ndim) <= {int, float}
    suspects = np.flatnonzero((arr == 0) | (arr == 1) | (np.isinf(arr) if arr.dtype.kind == "f" else False))
    if len(suspects) > _SUSPECTS_CHECKED_ONE_BY_ONE:
        return _leaf_types(value, arr.ndim) <= {int, float}
    for flat in suspects:
        leaf: Any = value
        for i in np.unravel_index(flat, arr.shape):
            leaf = leaf[i]
        if type(leaf) not in (int, float):
            return False
    return True


def check_size(shape: tuple[int, ...], loc: Loc, limits: Limits) -> None:
    if len(shape) > limits.max_dims:
        raise LimitExceeded("max_dims", limits.max_dims, "a tensor has too many dimensions", loc)
    if math.prod(shape) > limits.max_tensor_elements:
        raise LimitExceeded(
            "max_tensor_elements",
            limits.max_tensor_elements,
            f"a tensor of shape {list(shape)} has too many elements",
            loc,
        )


# --- typed and binary ---------------------------------------------------------


def _typed(value: dict[str, Any], loc: Loc, limits: Limits) -> torch.Tensor:
    for key in value:
        if key not in _TYPED_KEYS:
            raise InvalidRequest.at(
                loc + (key,), 'unknown key; a typed tensor has "dtype", "shape" and "data" or "b64"'
            )
    dtype_name = value.get("dtype")
    if dtype_name is None:
        raise InvalidRequest.at(loc + ("dtype",), "a typed tensor needs its dtype")
    if not isinstance(dtype_name, str) or dtype_name not in WIRE_DTYPES:
        raise InvalidRequest.at(loc + ("dtype",), f"dtype must be one of {', '.join(WIRE_DTYPES)}; got {dtype_name!r}")
    dtype = WIRE_DTYPES[dtype_name]
    shape = _shape(value.get("shape"), loc + ("shape",))
    has_data, has_b64 = value.get("data") is not None, value.get("b64") is not None
    if has_data and has_b64:
        raise InvalidRequest.at(loc + ("b64",), 'give "data" or "b64", not both')
    if has_b64 and not isinstance(value["b64"], str):
        raise InvalidRequest.at(loc + ("b64",), "b64 must be a base64 string")
    if shape is not None:  # a malformed tensor is a 422 before a large one is a 413
        check_size(shape, loc + ("shape",), limits)
    if has_b64:
        if shape is None:
            raise InvalidRequest.at(loc + ("shape",), "a binary tensor needs its shape")
        return _binary(value["b64"], dtype, shape, loc + ("b64",))
    if not has_data:
        raise InvalidRequest.at(loc + ("data",), 'a typed tensor needs "data" or "b64"')
    return from_data(value["data"], dtype, shape, loc + ("data",), limits)


def _shape(shape: Any, loc: Loc) -> tuple[int, ...] | None:
    if shape is None:
        return None
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        raise InvalidRequest.at(loc, "shape must be a list of integers")
    if any(d < 0 for d in shape):
        raise InvalidRequest.at(loc, f"shape entries must not be negative, got {shape}")
    return tuple(shape)


def _binary(b64: str, dtype: torch.dtype, shape: tuple[int, ...], loc: Loc) -> torch.Tensor:
    try:
        # Straight into a bytearray: torch.frombuffer then shares it (immutable bytes would warn, or need a copy).
        raw = pybase64.b64decode_as_bytearray(b64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest.at(loc, "not valid base64") from None
    return from_bytes(raw, dtype, shape, loc)


def from_bytes(raw: bytearray | memoryview, dtype: torch.dtype, shape: tuple[int, ...], loc: Loc) -> torch.Tensor:
    """Little-endian row-major bytes as a tensor of `shape`, sharing `raw`'s memory where the byte order allows.

    Raises `InvalidRequest` when the byte count is not shape × itemsize, or bool bytes are not 0 or 1.
    """
    itemsize = torch.empty((), dtype=dtype).element_size()
    want = math.prod(shape) * itemsize
    if len(raw) != want:
        raise InvalidRequest.at(
            loc, f"{len(raw)} bytes do not match shape {list(shape)} of {DTYPE_NAMES[dtype]} ({want} bytes)"
        )
    if dtype == torch.bool and len(raw) and np.frombuffer(raw, dtype=np.uint8).max() > 1:
        raise InvalidRequest.at(loc, "bool bytes must be 0 or 1")
    if not raw:
        return torch.empty(shape, dtype=dtype)
    t = torch.frombuffer(raw, dtype=dtype)
    if sys.byteorder == "big" and itemsize > 1:
        t = t.view(torch.uint8).view(-1, itemsize).flip(1).contiguous().view(dtype).view(-1)
    return t.reshape(shape)


def from_data(data: Any, dtype: torch.dtype, shape: tuple[int, ...] | None, loc: Loc, limits: Limits) -> torch.Tensor:
    """JSON `data` (a number, or a flat or nested row-major list) as a tensor of `dtype`, checked against `shape`.

    Raises `InvalidRequest` for values of the wrong kind or count, `LimitExceeded` over the limits.
    """
    if isinstance(data, list):
        arr = _nested(data, loc, limits, numbers_only=dtype != torch.bool) if data else np.zeros(0)
    else:
        if dtype == torch.bool:
            if not isinstance(data, bool):
                raise InvalidRequest.at(loc, "a bool tensor holds true and false")
            arr = np.asarray(data)
        else:
            arr = np.asarray(_scalar(data, loc))
    if dtype == torch.bool:
        if arr.size and arr.dtype.kind != "b":
            raise InvalidRequest.at(loc, "a bool tensor holds true and false")
        arr = arr.astype(np.bool_)
    elif dtype in _INT_RANGE:
        if arr.size and arr.dtype.kind != "i":
            raise InvalidRequest.at(loc, f"a {DTYPE_NAMES[dtype]} tensor holds integers")
        lo, hi = _INT_RANGE[dtype]
        if arr.size and (arr.min() < lo or arr.max() > hi):
            raise InvalidRequest.at(loc, f"a value lies outside {DTYPE_NAMES[dtype]}'s range")
    if shape is not None:
        if arr.size != math.prod(shape):
            raise InvalidRequest.at(loc, f"{arr.size} values do not match shape {list(shape)}")
        if arr.ndim > 1 and arr.shape != shape:
            raise InvalidRequest.at(loc, f"nested data of shape {list(arr.shape)} does not match shape {list(shape)}")
        arr = arr.reshape(shape)
    t = torch.from_numpy(np.require(arr, requirements=["C", "W"]))
    return t.to(dtype)


# --- encoding -------------------------------------------------------------------


_SMALL = 64  # elements: below this, `encode` reads floats through Python


def encode_number(x: float) -> float | str:
    """A float for JSON: finite values as themselves (float64), the rest as the contract's strings."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def encode(t: torch.Tensor, encoding: OutputEncoding) -> Any:
    """A CPU tensor in the requested output form: the binary form, or for JSON a numpy array (when finite and
    not 0-d) that orjson writes with `OPT_SERIALIZE_NUMPY`, else nested lists.

    Floating arrays are widened to float64 first, so each number is written as float64's shortest repr.
    """
    if encoding == "b64":
        t = t.contiguous()
        raw = t.view(torch.int16).numpy() if t.dtype == torch.bfloat16 else t.numpy()
        return {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "b64": pybase64.b64encode_as_string(raw.data)}
    if t.numel() <= _SMALL and t.is_floating_point():
        # A few numbers: Python's floats (float32 widens exactly) cost less than torch's and numpy's calls.
        flat = t.reshape(-1).tolist()
        if all(map(math.isfinite, flat)):
            return flat if t.ndim == 1 else t.tolist()
    finite = not t.is_floating_point() or bool(torch.isfinite(t).all())
    if finite and t.ndim and t.numel():
        return np.ascontiguousarray((t.double() if t.is_floating_point() else t).numpy())
    if finite:
        return t.tolist()
    arr = t.double().numpy().astype(object)
    for value, text in ((math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity")):
        mask = np.isnan(t.double().numpy()) if value != value else t.double().numpy() == value
        arr[mask] = text
    return arr.tolist()


def encode_result(
    value: torch.Tensor, grads: dict[str, torch.Tensor], encoding: OutputEncoding, reduced: bool
) -> dict[str, Any]:
    """`value`, `shape`, `dtype` and (when any) `grads` of a compute response."""
    out: dict[str, Any] = {
        "value": encode_number(value.item()) if reduced else encode(value, encoding),
        "shape": list(value.shape),
        "dtype": DTYPE_NAMES[value.dtype],
    }
    if grads:
        out["grads"] = {name: encode(g, encoding) for name, g in grads.items()}
    return out
