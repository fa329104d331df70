"""The wire forms the client writes and reads, without a server (the server's reading of them is tested by
test_client.py)."""

import base64
import math
from typing import Any

import numpy as np
import pytest

from lossd_client._tensors import decode, encode, scalar


@pytest.mark.parametrize(
    ("given", "wire"),
    [
        (1.5, 1.5),
        (3, 3),
        (True, True),
        (math.nan, "NaN"),
        (-math.inf, "-Infinity"),
        ([1.0, 2.5], [1.0, 2.5]),
        ([[1, 2], [3, 4]], [[1, 2], [3, 4]]),
        ([math.inf, 0.0], ["Infinity", 0.0]),
        ([1.0, [2.0]], [1.0, [2.0]]),  # ragged: sent as it is, for the server to refuse
        (np.float32([1.5, math.nan]), {"dtype": "float32", "shape": [2], "data": [1.5, "NaN"]}),
        (np.int32([[1], [2]]), {"dtype": "int32", "shape": [2, 1], "data": [1, 2]}),
        (np.uint8([7]), {"dtype": "int64", "shape": [1], "data": [7]}),
        (np.array(True), {"dtype": "bool", "shape": [], "data": True}),
        (np.float64(0.25), {"dtype": "float64", "shape": [], "data": 0.25}),
        (np.zeros((0, 3), np.float32), {"dtype": "float32", "shape": [0, 3], "data": []}),
    ],
)
def test_small_tensors_as_json(given: Any, wire: Any) -> None:
    assert encode(given, None, 1024).wire == wire


def test_large_tensors_as_binary() -> None:
    x = np.arange(6, dtype=">f8").reshape(2, 3)[:, ::2]  # big-endian, not contiguous
    e = encode(x, None, 4)
    assert e.binary and e.wire["dtype"] == "float64" and e.wire["shape"] == [2, 2]
    np.testing.assert_array_equal(np.frombuffer(base64.b64decode(e.wire["b64"]), "<f8"), [0.0, 2.0, 3.0, 5.0])
    listed = encode([[1.0, 2.0], [3.0, 4.0]], None, 4)  # a list of floats: in the compute dtype
    assert listed.binary and listed.wire["dtype"] == "float32" and listed.dtype is None
    assert encode([1.0, 2.0], None, 2, np.float64).wire["dtype"] == "float64"
    assert encode([1, 2], None, 2).wire["dtype"] == "int64"
    assert not encode(x, False, 4).binary and encode([1.0], True, 4).binary


def test_torch_tensors_without_importing_torch_here() -> None:
    torch = pytest.importorskip("torch")
    e = encode(torch.tensor([1.0, -2.0], dtype=torch.bfloat16, requires_grad=True), None, 1024)
    assert e.binary and e.wire["dtype"] == "bfloat16"
    bits = np.frombuffer(base64.b64decode(e.wire["b64"]), "<u2").astype(np.uint32) << 16
    np.testing.assert_array_equal(bits.view(np.float32), [1.0, -2.0])
    assert encode(torch.arange(3), None, 1024).wire == {"dtype": "int64", "shape": [3], "data": [0, 1, 2]}


def test_unsupported_dtypes_are_refused_here() -> None:
    with pytest.raises(TypeError, match="complex"):
        encode(np.array([1j]), None, 1024)


def test_answers_are_read_back() -> None:
    b64 = base64.b64encode(np.float32([1.5, -2.0, 0.25, 8.0]).tobytes()).decode()
    got = decode({"dtype": "float32", "shape": [2, 2], "b64": b64}, np.dtype(np.float16))
    assert got.dtype == np.float16 and got.tolist() == [[1.5, -2.0], [0.25, 8.0]]
    got = decode([["NaN", 1.0], ["-Infinity", 2.0]], np.dtype(np.float32))
    assert got.dtype == np.float32 and np.isnan(got[0, 0]) and got[1, 0] == -np.inf
    assert decode(2.5, np.dtype(np.float32)) == 2.5 and isinstance(decode(2.5, np.dtype(np.float32)), float)
    assert math.isnan(scalar("NaN")) and scalar("Infinity") == math.inf and scalar(0.125) == 0.125
