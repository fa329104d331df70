"""Tensors to the wire and back: lists, NumPy arrays and torch tensors in; floats and NumPy arrays out.

Three wire forms (see the OpenAPI document's `Tensor`): plain JSON lists, typed JSON
`{"dtype", "shape", "data"}` and binary `{"dtype", "shape", "b64"}`. A NumPy array or torch tensor is sent
typed while small (its dtype survives) and binary from `binary_threshold` elements on; a list is sent as
it is while small, and as an array in the binary form when large. torch is never imported here: a tensor
is recognised by its class, so the client runs where torch is not installed.
"""

import base64
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

# Lists, tuples, numbers, NumPy arrays and torch tensors (anything with __array__).
TensorLike: TypeAlias = npt.ArrayLike

_WIRE_DTYPES = {
    np.dtype(np.float16): "float16",
    np.dtype(np.float32): "float32",
    np.dtype(np.float64): "float64",
    np.dtype(np.int32): "int32",
    np.dtype(np.int64): "int64",
    np.dtype(np.bool_): "bool",
}
_NONFINITE_OUT = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


@dataclass(frozen=True)
class Encoded:
    """One tensor as the request carries it."""

    wire: Any
    elements: int
    # The caller's floating dtype (gradients come back in it), or None for lists, numbers and integers.
    dtype: np.dtype[Any] | None
    binary: bool


def caller_dtype(x: Any) -> np.dtype[Any] | None:
    """The floating dtype of a NumPy array or torch tensor, or None (lists, numbers, integers)."""
    if _is_torch(x):
        name = str(x.dtype).removeprefix("torch.")
        return np.dtype(name) if name in ("float16", "float32", "float64") else None
    if isinstance(x, np.ndarray | np.generic) and x.dtype.kind == "f":
        return x.dtype
    return None


def encode(x: Any, binary: bool | None, threshold: int, list_float: Any = np.float32) -> Encoded:
    """`x` in the wire form: binary when `binary` is True, or when None and it has `threshold` elements or more.

    A list in the binary form is written in `list_float` when it holds floats: the compute dtype, so that
    it means what the same list in JSON means.
    """
    if _is_torch(x):
        return _encode_torch(x, binary, threshold)
    if isinstance(x, np.ndarray | np.generic):
        return _encode_array(np.asarray(x), binary, threshold)
    if isinstance(x, bool | int):
        return Encoded(x, 1, None, False)
    if isinstance(x, float):
        return Encoded(_finite_or_name(x), 1, None, False)
    if isinstance(x, list | tuple):
        arr = _as_numeric_array(x)
        if arr is not None and (binary or (binary is None and arr.size >= threshold)):
            arr = arr.astype(list_float) if arr.dtype.kind == "f" else arr
            return _encode_array(arr, True, threshold, keep_dtype=False)
        return Encoded(_plain(x), arr.size if arr is not None else 0, None, False)
    if hasattr(x, "__array__"):
        return _encode_array(np.asarray(x), binary, threshold)
    return Encoded(x, 1, None, False)  # anything else goes as it is, for the server to judge


def decode(wire: Any, dtype: np.dtype[Any]) -> Any:
    """A tensor from the response: a float for a 0-d tensor, else a NumPy array in `dtype`."""
    if isinstance(wire, Mapping) and "b64" in wire:
        wire_dtype = np.dtype(str(wire["dtype"])).newbyteorder("<")
        arr = np.frombuffer(base64.b64decode(wire["b64"]), dtype=wire_dtype).reshape(wire["shape"])
    elif isinstance(wire, Mapping):
        arr = _array_from_json(wire["data"])
        arr = arr.reshape(wire["shape"]) if wire.get("shape") is not None else arr
    else:
        arr = _array_from_json(wire)
    if arr.ndim == 0:
        return float(arr)
    return arr.astype(dtype)


def scalar(wire: Any) -> float:
    """A 0-d value as a float, non-finite strings included."""
    if isinstance(wire, str):
        return _NONFINITE_OUT[wire]
    if isinstance(wire, Mapping) or isinstance(wire, list):
        return float(decode(wire, np.dtype(np.float64)))
    return float(wire)


def _is_torch(x: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _encode_torch(t: Any, binary: bool | None, threshold: int) -> Encoded:
    torch = sys.modules["torch"]
    t = t.detach().cpu().resolve_conj().resolve_neg()
    if t.dtype == torch.bfloat16:  # NumPy has no bfloat16: send its bits; gradients come back in float32
        bits = t.contiguous().view(torch.int16).numpy()
        wire = {"dtype": "bfloat16", "shape": list(bits.shape), "b64": _b64(bits.astype("<i2"))}
        return Encoded(wire, bits.size, None, True)
    return _encode_array(t.numpy(), binary, threshold)


def _encode_array(arr: np.ndarray[Any, Any], binary: bool | None, threshold: int, keep_dtype: bool = True) -> Encoded:
    dtype = _wire_dtype(arr.dtype)
    arr = arr.astype(dtype, copy=False)
    name = _WIRE_DTYPES[dtype]
    caller = arr.dtype if keep_dtype and arr.dtype.kind == "f" else None
    use_binary = binary if binary is not None else arr.size >= threshold
    if use_binary:
        wire = {"dtype": name, "shape": list(arr.shape), "b64": _b64(arr.astype(dtype.newbyteorder("<"), copy=False))}
    else:
        data = arr.tolist() if arr.ndim == 0 else arr.reshape(-1).tolist()
        wire = {"dtype": name, "shape": list(arr.shape), "data": _plain(data)}
    return Encoded(wire, arr.size, caller, use_binary)


def _wire_dtype(dtype: np.dtype[Any]) -> np.dtype[Any]:
    native = dtype.newbyteorder("=")
    if native in _WIRE_DTYPES:
        return native
    if dtype.kind in "iu":
        return np.dtype(np.int64)
    if dtype.kind == "f":
        return np.dtype(np.float64)
    raise TypeError(f"lossd takes floating, integer and bool tensors, not {dtype}")


def _b64(arr: np.ndarray[Any, Any]) -> str:
    return base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii")


def _as_numeric_array(x: list[Any] | tuple[Any, ...]) -> np.ndarray[Any, Any] | None:
    """The list as an array, or None where it is not one (ragged, strings): then it goes as it is."""
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        return None
    return arr if arr.dtype.kind in "biuf" else None


def _finite_or_name(v: float) -> float | str:
    if math.isfinite(v):
        return v
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def _plain(x: Any) -> Any:
    """A nested list as JSON takes it: non-finite floats as their names, NumPy scalars as Python numbers."""
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return _finite_or_name(x)
    if _is_torch(x) or isinstance(x, np.ndarray):
        return _plain(np.asarray(x).tolist())
    return x


def _array_from_json(data: Any) -> np.ndarray[Any, Any]:
    try:
        return np.asarray(data, dtype=np.float64)
    except (ValueError, TypeError):  # non-finite names among the numbers
        return np.asarray(_numbers(data), dtype=np.float64)


def _numbers(x: Any) -> Any:
    if isinstance(x, list):
        return [_numbers(v) for v in x]
    if isinstance(x, str):
        return _NONFINITE_OUT[x]
    return x
