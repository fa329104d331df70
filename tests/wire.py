"""Building request bodies in each wire form, and reading responses back, for the tests."""

import base64
import math
from typing import Any

import torch

DTYPE_NAMES = {
    torch.float16: "float16",
    torch.bfloat16: "bfloat16",
    torch.float32: "float32",
    torch.float64: "float64",
    torch.int32: "int32",
    torch.int64: "int64",
    torch.bool: "bool",
}
FORMS = ("plain", "typed", "b64")


def _json_number(v: float | int | bool) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def _nested(values: Any) -> Any:
    if isinstance(values, list):
        return [_nested(v) for v in values]
    return _json_number(values)


def to_wire(t: torch.Tensor, form: str) -> Any:
    """`t` in one of the contract's three tensor forms."""
    if form == "plain" and t.numel() > 0:
        return _nested(t.tolist())
    if form in ("plain", "typed"):
        return {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data": _nested(t.flatten().tolist())}
    raw = t.contiguous().view(torch.int16) if t.dtype == torch.bfloat16 else t.contiguous()
    return {
        "dtype": DTYPE_NAMES[t.dtype],
        "shape": list(t.shape),
        "b64": base64.b64encode(raw.numpy().tobytes()).decode(),
    }


def from_wire(value: Any, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """A response tensor (number, nested list with non-finite strings, or binary form) as a tensor."""
    if isinstance(value, dict):
        raw = bytearray(base64.b64decode(value["b64"]))
        wire = {v: k for k, v in DTYPE_NAMES.items()}[value["dtype"]]
        if not raw:
            return torch.empty(value["shape"], dtype=wire)
        return torch.frombuffer(raw, dtype=wire).reshape(value["shape"]).clone()
    return torch.tensor(_numbers(value), dtype=dtype)


def _numbers(v: Any) -> Any:
    if isinstance(v, list):
        return [_numbers(x) for x in v]
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
    return v


TOLERANCE = {torch.float32: (1e-5, 1e-6), torch.float64: (1e-10, 1e-12)}


def assert_close(got: torch.Tensor, want: torch.Tensor, dtype: torch.dtype, what: str) -> None:
    """|got − want| ≤ atol + rtol·|want| (the contract's tolerance), NaN equal to NaN."""
    rtol, atol = TOLERANCE[dtype]
    want = want.detach().to(torch.float64)
    got = got.to(torch.float64)
    assert tuple(got.shape) == tuple(want.shape), f"{what}: shape {list(got.shape)} != {list(want.shape)}"
    torch.testing.assert_close(got, want, rtol=rtol, atol=atol, equal_nan=True, msg=lambda m: f"{what}: {m}")
