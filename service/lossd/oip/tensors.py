"""Open Inference Protocol tensors: JSON `data` or binary bytes into torch tensors, and outputs back.

Binary inputs share the request body's memory (a bytearray): no copy between the body, numpy and torch
unless the bytes are misaligned for their datatype or the machine is big-endian. JSON data goes through
lossd.codec's one-call `numpy.array` path, with the same non-finite strings as v1 ("NaN", "Infinity").
"""

import math
import sys
from typing import Any

import numpy as np
import torch

from ..codec import Limits, check_size, encode, from_bytes, from_data
from ..errors import InvalidRequest, Loc

DATATYPES: dict[str, torch.dtype] = {
    "BOOL": torch.bool,
    "INT32": torch.int32,
    "INT64": torch.int64,
    "FP16": torch.float16,
    "BF16": torch.bfloat16,
    "FP32": torch.float32,
    "FP64": torch.float64,
}
DATATYPE_NAMES = {v: k for k, v in DATATYPES.items()}


def nbytes(datatype: str, shape: list[int]) -> int:
    """The byte count of a tensor of `datatype` and `shape` in the binary extension."""
    return math.prod(shape) * DATATYPES[datatype].itemsize


def decode_json(data: Any, datatype: str, shape: list[int], loc: Loc, limits: Limits) -> torch.Tensor:
    """`data` (flat or nested, row-major) as a tensor of `shape`.

    Raises `InvalidRequest` when `data` is not a list, holds values of another kind, or its count differs
    from `shape`'s; `LimitExceeded` over `max_tensor_elements` or `max_dims`.
    """
    check_size(tuple(shape), loc, limits)
    if not isinstance(data, list):
        raise InvalidRequest.at(loc + ("data",), "data must be a list of the tensor's values, row-major")
    return from_data(data, DATATYPES[datatype], tuple(shape), loc + ("data",), limits)


def decode_binary(raw: memoryview, datatype: str, shape: list[int], loc: Loc, limits: Limits) -> torch.Tensor:
    """`raw` (little-endian, row-major) as a tensor of `shape`, sharing its memory where alignment allows.

    Raises `InvalidRequest` when the byte count is not shape × itemsize, `LimitExceeded` over the limits.
    """
    check_size(tuple(shape), loc, limits)
    dtype = DATATYPES[datatype]
    if _address(raw) % dtype.itemsize:
        raw = memoryview(bytearray(raw))  # misaligned for the datatype: one copy rather than unaligned loads
    return from_bytes(raw, dtype, tuple(shape), loc + ("parameters", "binary_data_size"))


def _address(raw: memoryview) -> int:
    return np.frombuffer(raw, dtype=np.uint8).ctypes.data if len(raw) else 0


def encode_json(t: torch.Tensor) -> Any:
    """`t`'s values flat and row-major for JSON: a numpy array orjson writes, or a list with non-finite strings."""
    return encode(t.reshape(-1), "json")


def encode_binary(t: torch.Tensor) -> memoryview:
    """`t`'s little-endian row-major bytes, without a copy when `t` is contiguous."""
    t = t.contiguous()
    arr = t.view(torch.int16).numpy() if t.dtype == torch.bfloat16 else t.numpy()
    if sys.byteorder == "big" and arr.itemsize > 1:
        arr = arr.byteswap()
    return memoryview(arr.reshape(-1)).cast("B")
