"""Independent references for the runs tests."""

import math

import numpy as np


def tensorboard_ema(values: list[float], weight: float) -> list[float]:
    """TensorBoard's debiased EMA in closed form: the k-th finite value shows as the average of the first k
    finite values weighted (1 - w)·w^(k-i), divided by 1 - w^k; a non-finite value shows as itself."""
    finite = [v for v in values if math.isfinite(v)]
    out, k = [], 0
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        k += 1
        weights = (1 - weight) * weight ** np.arange(k - 1, -1, -1, dtype=float)
        out.append(float(np.dot(weights, finite[:k]) / (1 - weight**k)))
    return out
