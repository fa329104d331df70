"""The plot module drawn directly, without a server: what each artist shows, and the files it writes."""

import io
import math
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from matplotlib.image import imread

from lossd.runs.plot import DPI, SIZE_IN, Marks, PlotCurve, figure, render

TRAIN = PlotCurve("train", [0, 1, 2, 3, 4], [1.0, 0.6, 0.4, 0.3, 0.25])
VALIDATION = PlotCurve("validation", [0, 2, 4], [1.1, 0.5, 0.7])
MARKS = Marks(best_step=2, best_value=0.5, overfitting_since=2, diverged_at=4)


def by_gid(fig: Any) -> dict[str, Any]:
    ax = fig.axes[0]
    artists = [*ax.lines, *ax.collections]
    return {a.get_gid(): a for a in artists if a.get_gid()}


def test_each_series_is_drawn_at_its_steps_and_values() -> None:
    drawn = by_gid(figure([TRAIN, VALIDATION]))
    for curve in (TRAIN, VALIDATION):
        line = drawn[f"curve:{curve.name}"]
        np.testing.assert_array_equal(line.get_xdata(), curve.steps)
        np.testing.assert_array_equal(line.get_ydata(), curve.values)
        assert line.get_label() == curve.name


def test_the_series_have_different_colours() -> None:
    drawn = by_gid(figure([TRAIN, VALIDATION]))
    assert drawn["curve:train"].get_color() != drawn["curve:validation"].get_color()


def test_the_axes_say_step_and_loss() -> None:
    ax = figure([TRAIN]).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "loss")


def test_the_legend_names_every_series_and_mark() -> None:
    legend = figure([TRAIN, VALIDATION], MARKS).axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "train",
        "validation",
        "best: step 2 (0.5)",
        "overfitting since step 2",
        "diverged at step 4",
    ]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_value_is_a_gap(value: float) -> None:
    curve = PlotCurve("train", [0, 1, 2], [1.0, value, 0.5])
    y = by_gid(figure([curve]))["curve:train"].get_ydata()
    assert y[0] == 1.0 and math.isnan(y[1]) and y[2] == 0.5


@pytest.mark.parametrize(
    ("marks", "present"),
    [
        (Marks(), set()),
        (Marks(best_step=2, best_value=0.5), {"best"}),
        (Marks(overfitting_since=2), {"overfitting"}),
        (Marks(diverged_at=4), {"diverged"}),
        (MARKS, {"best", "overfitting", "diverged"}),
    ],
)
def test_what_the_diagnosis_found_is_marked_and_nothing_else(marks: Marks, present: set[str]) -> None:
    drawn = by_gid(figure([TRAIN, VALIDATION], marks))
    assert {"best", "overfitting", "diverged"} & set(drawn) == present


def test_the_marks_stand_at_their_steps() -> None:
    drawn = by_gid(figure([TRAIN, VALIDATION], Marks(best_step=2, best_value=0.5, overfitting_since=3, diverged_at=4)))
    assert (list(drawn["best"].get_xdata()), list(drawn["best"].get_ydata())) == ([2], [0.5])
    assert list(drawn["overfitting"].get_xdata()) == [3, 3]
    assert list(drawn["diverged"].get_xdata()) == [4, 4]


def test_smoothing_draws_the_smoothed_line_over_a_faint_raw_one() -> None:
    smoothed = [1.0, 0.8, 0.65, 0.52, 0.45]
    curve = PlotCurve("train", TRAIN.steps, TRAIN.values, smoothed=smoothed)
    drawn = by_gid(figure([curve]))
    np.testing.assert_array_equal(drawn["smoothed:train"].get_ydata(), smoothed)
    assert drawn["smoothed:train"].get_label() == "train"
    assert drawn["curve:train"].get_alpha() < 1 and drawn["curve:train"].get_label() == "train (raw)"


def test_a_reduced_series_shows_its_buckets_min_max_band() -> None:
    lows, highs = [0.9, 0.4, 0.6], [1.3, 0.6, 5.0]
    curve = PlotCurve("validation", VALIDATION.steps, VALIDATION.values, lows=lows, highs=highs)
    band = by_gid(figure([curve]))["band:validation"]
    # the band's outline runs along the highs and back along the lows
    ys = band.get_paths()[0].vertices[:, 1]
    assert max(ys) == 5.0 and min(ys) == 0.4
    assert "band:validation" not in by_gid(figure([VALIDATION]))


def test_log_y_uses_a_log_axis_and_leaves_out_values_it_cannot_place() -> None:
    curve = PlotCurve("train", [0, 1, 2], [1.0, 0.0, -2.0])
    fig = figure([curve], log_y=True)
    assert fig.axes[0].get_yscale() == "log"
    y = by_gid(fig)["curve:train"].get_ydata()
    assert y[0] == 1.0 and np.isnan(y[1:]).all()
    assert figure([curve]).axes[0].get_yscale() == "linear"


def test_no_curves_says_there_are_no_points_yet() -> None:
    texts = [t.get_text() for t in figure([]).axes[0].texts]
    assert texts == ["no points yet"]


@pytest.mark.parametrize("field", ["values", "lows", "highs", "smoothed"])
def test_arrays_of_another_length_are_refused(field: str) -> None:
    arrays = {"values": [1.0, 2.0], "lows": [1.0, 2.0], "highs": [1.0, 2.0], "smoothed": [1.0, 2.0]}
    arrays[field] = [1.0]
    with pytest.raises(ValueError, match=field):
        PlotCurve("train", [0, 1], **arrays)


def test_the_svg_names_each_artist() -> None:
    svg = render([TRAIN, VALIDATION], MARKS, fmt="svg")
    ids = {e.get("id") for e in ET.fromstring(svg).iter()}
    assert {"curve:train", "curve:validation", "best", "overfitting", "diverged"} <= ids


def test_the_png_is_an_image_of_the_documented_size() -> None:
    png = render([TRAIN, VALIDATION], MARKS, fmt="png")
    image = imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (int(SIZE_IN[1] * DPI), int(SIZE_IN[0] * DPI))
    assert len(np.unique(image.reshape(-1, image.shape[2]), axis=0)) > 10  # something is drawn


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_renders_in_parallel_threads_equal_renders_one_at_a_time(fmt: Any) -> None:
    jobs = [([TRAIN], Marks()), ([TRAIN, VALIDATION], MARKS), ([VALIDATION], Marks(diverged_at=2))] * 2
    alone = [render(c, m, fmt=fmt) for c, m in jobs]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda job: render(job[0], job[1], fmt=fmt), jobs))
    assert [_unsalted(r) for r in together] == [_unsalted(r) for r in alone]
    assert alone[0] != alone[1]


def _unsalted(image: bytes) -> bytes:
    """An image less the ids matplotlib salts at random in an SVG (clip paths, markers)."""
    return re.sub(rb"\b([mp])[0-9a-f]{10}\b", rb"\1", image)
