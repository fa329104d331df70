"""Curve arithmetic that needs no database: smoothing, and non-finite values on the wire."""

import math
from collections.abc import Iterable, Sequence

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def smooth(values: Iterable[float], weight: float) -> list[float]:
    """TensorBoard's debiased exponential moving average of `values`, in order.

    `weight` in [0, 1): 0 returns the values unchanged. Each finite value `v` updates the average
    `last = weight * last + (1 - weight) * v` and is shown as `last / (1 - weight ** k)`, `k` counting the
    finite values so far (the debiasing that keeps the start from being pulled towards 0). A non-finite
    value is passed through as it is and not folded into the average.
    """
    if not 0 <= weight < 1:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    out = []
    last = 0.0
    k = 0
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        k += 1
        out.append(last / (1 - weight**k))
    return out


def to_wire(value: float) -> float | str:
    """A float as JSON carries it: the number, or `"NaN"`, `"Infinity"`, `"-Infinity"`."""
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def list_to_wire(values: Sequence[float]) -> list[float | str]:
    return [to_wire(v) for v in values]
