"""The diagnosis, as pure functions over arrays (lossd.runs.diagnosis), and TensorBoard's smoothing.

`stop_at` is checked against PyTorch Lightning's own EarlyStopping, driven point by point through the
callback's stopping rule, on many random curves.
"""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from lightning.pytorch.callbacks import EarlyStopping

from lossd.runs import Best, Curve, diagnose, smooth
from lossd.runs.diagnosis import stop_at
from runs_reference import tensorboard_ema

NAN, INF = math.nan, math.inf


def curve(values: list[float], start: int = 0, stride: int = 1) -> Curve:
    return Curve(tuple(range(start, start + stride * len(values), stride)), tuple(values))


def lightning_stop(values: list[float], steps: list[int], mode: str, patience: int, min_delta: float) -> int | None:
    """Where Lightning's EarlyStopping stops on these values in order: its own rule, one point at a time."""
    callback = EarlyStopping(monitor="loss", mode=mode, patience=patience, min_delta=min_delta, check_finite=True)
    for step, value in zip(steps, values, strict=True):
        should_stop, _ = callback._evaluate_stopping_criteria(torch.tensor(value, dtype=torch.float64))
        if should_stop:
            return step
    return None


# Few distinct values make ties and near-ties (the min_delta boundary) common.
_value = st.one_of(
    st.floats(-10, 10, allow_nan=False),
    st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, 2.0]),
    st.sampled_from([NAN, INF, -INF]),
)


@settings(max_examples=400)  # pure and fast: many curves, not a few hand-picked ones
@given(
    values=st.lists(_value, min_size=0, max_size=40),
    gaps=st.lists(st.integers(1, 5), min_size=40, max_size=40),
    mode=st.sampled_from(["min", "max"]),
    patience=st.integers(0, 8),
    min_delta=st.sampled_from([0.0, 0.1, 0.25, 0.5, 1e-9]),
)
def test_stop_at_is_where_lightning_early_stopping_stops(
    values: list[float], gaps: list[int], mode: str, patience: int, min_delta: float
) -> None:
    steps = [sum(gaps[: i + 1]) for i in range(len(values))]
    want = lightning_stop(values, steps, mode, patience, min_delta)
    assert stop_at(Curve(tuple(steps), tuple(values)), mode, patience, min_delta) == want  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "patience", "status"),
    [
        pytest.param([1.0, 0.9], 5, "insufficient_data", id="fewer-than-patience-plus-one"),
        pytest.param([1.0, 0.9, NAN, 0.8], 2, "diverged", id="nan"),
        pytest.param([1.0, INF, 0.8, 0.7], 2, "diverged", id="infinity"),
        pytest.param([1.0, 0.5, 0.6, 0.6, 0.7], 3, "plateau", id="no-improvement-for-patience"),
        pytest.param([1.0, 0.9, 0.8, 0.7, 0.6], 3, "improving", id="still-falling"),
    ],
)
def test_status_without_a_train_series(values: list[float], patience: int, status: str) -> None:
    assert diagnose(curve(values), None, "min", patience).status == status


def test_overfitting_names_the_best_validation_step_when_train_keeps_improving() -> None:
    # validation bottoms out at step 3 and rises; train falls throughout
    val = curve([1.0, 0.8, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8])
    train = curve([1.0, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    d = diagnose(val, train, "min", patience=3)
    assert (d.status, d.overfitting_since, d.best) == ("overfitting", 3, Best(3, 0.5))


def test_a_flat_train_curve_after_the_best_is_a_plateau_not_overfitting() -> None:
    val = curve([1.0, 0.8, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8])
    train = curve([1.0, 0.7, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4])
    d = diagnose(val, train, "min", patience=3)
    assert (d.status, d.overfitting_since) == ("plateau", None)


def test_overfitting_needs_patience_points_after_the_best() -> None:
    val = curve([1.0, 0.8, 0.6, 0.5, 0.55, 0.6])
    train = curve([1.0, 0.7, 0.5, 0.4, 0.3, 0.2])
    assert diagnose(val, train, "min", patience=3).overfitting_since is None
    assert diagnose(val, train, "min", patience=2).overfitting_since == 3


def test_improvement_within_min_delta_does_not_count() -> None:
    values = [1.0, 0.95, 0.92, 0.9]
    assert diagnose(curve(values), None, "min", patience=3, min_delta=0.1).stop_at == 3
    assert diagnose(curve(values), None, "min", patience=3, min_delta=0.0).stop_at is None


def test_best_is_the_earliest_of_equal_finite_extremes_in_either_mode() -> None:
    values = [2.0, NAN, 0.5, 3.0, 0.5, 3.0]
    assert diagnose(curve(values, stride=10), None, "min", 1).best == Best(20, 0.5)
    assert diagnose(curve(values, stride=10), None, "max", 1).best == Best(30, 3.0)


def test_diverged_at_is_the_first_non_finite_step() -> None:
    assert diagnose(curve([1.0, 0.5, -INF, NAN], stride=2), None, "min", 1).diverged_at == 4


@pytest.mark.parametrize(
    ("train_steps", "train_values", "gap"),
    [
        pytest.param((0, 1, 2), (0.5, 0.4, 0.3), 0.6 - 0.3, id="same-steps"),
        pytest.param((0, 1, 5), (0.5, 0.4, 0.1), 0.6 - 0.4, id="train-ahead-uses-the-step-before"),
        pytest.param((7,), (0.2,), None, id="no-train-point-at-or-before"),
    ],
)
def test_generalization_gap_is_last_monitor_minus_train_at_or_before(
    train_steps: tuple[int, ...], train_values: tuple[float, ...], gap: float | None
) -> None:
    val = Curve((0, 1, 2), (0.9, 0.7, 0.6))
    assert diagnose(val, Curve(train_steps, train_values), "min", 1).generalization_gap == gap


@pytest.mark.parametrize(
    "bad", [{"mode": "median"}, {"patience": -1}, {"min_delta": -0.1}, {"min_delta": NAN}], ids=str
)
def test_bad_parameters_raise_value_error(bad: dict[str, object]) -> None:
    args = {"mode": "min", "patience": 5, "min_delta": 0.0, **bad}
    with pytest.raises(ValueError):
        diagnose(curve([1.0]), None, **args)  # type: ignore[arg-type]


@given(
    values=st.lists(st.one_of(st.floats(-1e6, 1e6), st.sampled_from([NAN, INF, -INF])), max_size=50),
    weight=st.floats(0, 0.99),
)
def test_smooth_is_tensorboards_debiased_ema(values: list[float], weight: float) -> None:
    got, want = smooth(values, weight), tensorboard_ema(values, weight)
    scale = max([abs(v) for v in values if math.isfinite(v)], default=1.0)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9 * scale, nan_ok=True)


def test_smooth_with_weight_zero_is_the_identity() -> None:
    values = [3.0, NAN, 1.0, INF]
    assert [repr(v) for v in smooth(values, 0.0)] == [repr(v) for v in values]


def test_smooth_debiasing_starts_at_the_first_value() -> None:
    assert smooth([4.0, 4.0, 4.0], 0.9) == pytest.approx([4.0, 4.0, 4.0], rel=1e-12)


@pytest.mark.parametrize("weight", [-0.1, 1.0, NAN])
def test_smooth_refuses_a_weight_outside_0_1(weight: float) -> None:
    with pytest.raises(ValueError):
        smooth([1.0], weight)
