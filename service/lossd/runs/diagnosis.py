"""What a careful reader of the curves would say: pure functions over arrays, no database.

`diagnose(monitor, train, mode, patience, min_delta)` follows runs.md's "Diagnosis": `stop_at` is where
PyTorch Lightning's `EarlyStopping(monitor, mode, patience, min_delta, check_finite=True)` stops when it
sees `monitor`'s values in step order, and the other fields build on the same notion of an improvement.
"""

import math
from dataclasses import dataclass
from typing import Literal

Mode = Literal["min", "max"]
Status = Literal["insufficient_data", "diverged", "overfitting", "plateau", "improving"]


@dataclass(frozen=True)
class Curve:
    """One series' points in step order: `steps` strictly increasing integers, `values` floats (NaN, ±inf
    included), of the same length."""

    steps: tuple[int, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.steps) != len(self.values):
            raise ValueError("steps and values differ in length")

    def __len__(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Best:
    step: int
    value: float


@dataclass(frozen=True)
class Diagnosis:
    """The diagnosis of one monitored series, with an optional training series beside it.

    - `status`: the first of `insufficient_data` (fewer than `patience` + 1 points), `diverged`,
      `overfitting`, `plateau`, `improving` that applies;
    - `best`: the best finite point (`min` or `max` as `mode` says; the earliest of equals), or None;
    - `stop_at`: the step at which Lightning's EarlyStopping would stop, or None;
    - `diverged_at`: the first step whose value is not finite, or None;
    - `overfitting_since`: the best point's step when, after it, the monitor went `patience` points without
      improving while `train` improved, or None;
    - `generalization_gap`: the monitor's last value minus train's value at the nearest step at or before it.
    """

    status: Status
    best: Best | None
    stop_at: int | None
    diverged_at: int | None
    overfitting_since: int | None
    generalization_gap: float | None


def improves(value: float, best: float, mode: Mode, min_delta: float) -> bool:
    """Whether `value` beats `best` by more than `min_delta` (≥ 0), as EarlyStopping judges it.

    Written as Lightning writes it (`value + min_delta < best` for min), not `value < best - min_delta`: the
    two round differently, and stop_at must agree with Lightning to the last bit.
    """
    return value + min_delta < best if mode == "min" else value - min_delta > best


def stop_at(curve: Curve, mode: Mode = "min", patience: int = 5, min_delta: float = 0.0) -> int | None:
    """The step at which EarlyStopping(mode, patience, min_delta, check_finite=True) stops, or None.

    The best so far starts at +inf (`min`) or -inf (`max`); a value that improves on it by more than
    `min_delta` becomes the best and resets the count; any other value adds one, and at `patience` the run
    stops; a non-finite value stops at once.
    """
    best = math.inf if mode == "min" else -math.inf
    wait = 0
    for step, value in zip(curve.steps, curve.values, strict=True):
        if not math.isfinite(value):
            return step
        if improves(value, best, mode, min_delta):
            best = value
            wait = 0
        else:
            wait += 1
            if wait >= patience:
                return step
    return None


def best_point(curve: Curve, mode: Mode = "min") -> Best | None:
    """The best finite point, the earliest of equals; None when there is none."""
    found: Best | None = None
    for step, value in zip(curve.steps, curve.values, strict=True):
        if math.isfinite(value) and (found is None or improves(value, found.value, mode, 0.0)):
            found = Best(step, value)
    return found


def diverged_at(curve: Curve) -> int | None:
    """The first step whose value is NaN or infinite, or None."""
    return next((s for s, v in zip(curve.steps, curve.values, strict=True) if not math.isfinite(v)), None)


def overfitting_since(
    monitor: Curve, train: Curve, mode: Mode = "min", patience: int = 5, min_delta: float = 0.0
) -> int | None:
    """`monitor`'s best step, when after it the monitor went `patience` points without improving while
    `train` improved; else None.

    "Without improving": the `patience` monitor points after the best (none of them beats it, being after
    the best). "Train improved": over the same steps (after the best, up to the `patience`-th point), train
    reached a value better by more than `min_delta` than its best at or before the monitor's best step (or,
    with no train point there, than its first point after it).
    """
    best = best_point(monitor, mode)
    if best is None or patience < 1:
        return None
    after = [s for s in monitor.steps if s > best.step]
    if len(after) < patience:
        return None
    end = after[patience - 1]
    before = [v for s, v in zip(train.steps, train.values, strict=True) if s <= best.step and math.isfinite(v)]
    window = [v for s, v in zip(train.steps, train.values, strict=True) if best.step < s <= end and math.isfinite(v)]
    if not before:
        if len(window) < 2:
            return None
        before, window = window[:1], window[1:]
    reference = min(before) if mode == "min" else max(before)
    return best.step if any(improves(v, reference, mode, min_delta) for v in window) else None


def generalization_gap(monitor: Curve, train: Curve) -> float | None:
    """The monitor's last value minus train's value at the nearest step at or before the monitor's last
    step; None when either has no such point."""
    if not len(monitor):
        return None
    last_step, last_value = monitor.steps[-1], monitor.values[-1]
    at = [v for s, v in zip(train.steps, train.values, strict=True) if s <= last_step]
    return last_value - at[-1] if at else None


def diagnose(
    monitor: Curve, train: Curve | None = None, mode: Mode = "min", patience: int = 5, min_delta: float = 0.0
) -> Diagnosis:
    """The diagnosis of `monitor` (with `train` beside it, if any), as runs.md defines each field.

    Raises ValueError for a negative `patience` or `min_delta`, or an unknown `mode`.
    """
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be min or max, got {mode!r}")
    if patience < 0 or not min_delta >= 0:
        raise ValueError("patience and min_delta must be ≥ 0")
    stop = stop_at(monitor, mode, patience, min_delta)
    diverged = diverged_at(monitor)
    overfit = overfitting_since(monitor, train, mode, patience, min_delta) if train is not None else None
    status: Status
    if len(monitor) < patience + 1:
        status = "insufficient_data"
    elif diverged is not None:
        status = "diverged"
    elif overfit is not None:
        status = "overfitting"
    elif stop is not None:
        status = "plateau"
    else:
        status = "improving"
    return Diagnosis(
        status=status,
        best=best_point(monitor, mode),
        stop_at=stop,
        diverged_at=diverged,
        overfitting_since=overfit,
        generalization_gap=generalization_gap(monitor, train) if train is not None else None,
    )
