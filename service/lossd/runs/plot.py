"""A run's curves drawn with matplotlib: pure rendering over arrays, no database and no HTTP.

Drawn on a `matplotlib.figure.Figure` with the Agg canvas, never through `pyplot`: pyplot keeps global
state (the current figure, a registry of open figures) that threads of a server would share. Each call
builds its own figure, so renders may run in parallel threads.

The picture: one colour per series; its points as read (bucket means when the series was reduced, with
the bucket's min-max band behind them, so a spike stays visible); with smoothing, the raw line faint and
the smoothed one solid, as TensorBoard shows them; the best point, the overfitting onset and the first
non-finite step marked; a legend; the x axis "step", the y axis "loss" (log-scaled on request, where
values ≤ 0 are left out).
"""

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

Format = Literal["svg", "png"]
MEDIA_TYPES: dict[Format, str] = {"svg": "image/svg+xml", "png": "image/png"}
# 9 × 5 inches: 900 × 500 pixels at the PNG's 100 dpi, wide enough for a long run's steps.
SIZE_IN = (9.0, 5.0)
DPI = 100


@dataclass(frozen=True)
class PlotCurve:
    """One series as it is to be drawn, every array in step order and of one length.

    `steps` are the points' steps (a reduced series: each bucket's first step); `values` the points (the
    bucket means); `lows`/`highs` each bucket's min and max, or None when every point is drawn;
    `smoothed` the smoothed values, or None for no smoothing. Values may be NaN or ±inf: they leave a gap.
    """

    name: str
    steps: Sequence[int]
    values: Sequence[float]
    lows: Sequence[float] | None = None
    highs: Sequence[float] | None = None
    smoothed: Sequence[float] | None = None

    def __post_init__(self) -> None:
        n = len(self.steps)
        for label, other in (("values", self.values), ("lows", self.lows), ("highs", self.highs)):
            if other is not None and len(other) != n:
                raise ValueError(f"{self.name}: {label} has {len(other)} entries for {n} steps")
        if self.smoothed is not None and len(self.smoothed) != n:
            raise ValueError(f"{self.name}: smoothed has {len(self.smoothed)} entries for {n} steps")


@dataclass(frozen=True)
class Marks:
    """What the diagnosis found, to be marked: the monitored series' best point (`best_step`, `best_value`,
    both or neither), the step since which it overfits, and the first step whose value is not finite."""

    best_step: int | None = None
    best_value: float | None = None
    overfitting_since: int | None = None
    diverged_at: int | None = None


def figure(curves: Sequence[PlotCurve], marks: Marks = Marks(), *, log_y: bool = False, title: str = "") -> Figure:
    """The figure of `curves` with `marks`, not yet rendered. Its artists carry ids (`gid`) that name what
    they show, and that the SVG keeps: `curve:<series>`, `band:<series>`, `smoothed:<series>`, `best`,
    `overfitting`, `diverged`."""
    fig = Figure(figsize=SIZE_IN, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for i, c in enumerate(curves):
        colour = f"C{i % 10}"
        steps = np.asarray(c.steps, dtype=np.int64)
        values = _shown(c.values, log_y)
        if c.lows is not None and c.highs is not None and len(steps):
            band = ax.fill_between(
                steps, _shown(c.lows, log_y), _shown(c.highs, log_y), color=colour, alpha=0.15, linewidth=0
            )
            band.set_gid(f"band:{c.name}")
        smoothing = c.smoothed is not None
        (raw,) = ax.plot(
            steps,
            values,
            color=colour,
            alpha=0.35 if smoothing else 1.0,
            linewidth=1.0 if smoothing else 1.6,
            marker="o" if len(steps) == 1 else None,  # a lone point is no line
            label=c.name if not smoothing else f"{c.name} (raw)",
        )
        raw.set_gid(f"curve:{c.name}")
        if c.smoothed is not None:
            (line,) = ax.plot(steps, _shown(c.smoothed, log_y), color=colour, linewidth=1.8, label=c.name)
            line.set_gid(f"smoothed:{c.name}")
    if marks.best_step is not None and marks.best_value is not None and math.isfinite(marks.best_value):
        (best,) = ax.plot(
            [marks.best_step],
            [marks.best_value],
            linestyle="none",
            marker="*",
            markersize=14,
            color="goldenrod",
            markeredgecolor="black",
            zorder=5,
            label=f"best: step {marks.best_step} ({marks.best_value:.4g})",
        )
        best.set_gid("best")
    # the steps from which something went wrong: a vertical line each
    onsets = [
        (marks.overfitting_since, "overfitting", "crimson", "--", "overfitting since step"),
        (marks.diverged_at, "diverged", "black", ":", "diverged at step"),
    ]
    for step, gid, colour, style, text in onsets:
        if step is not None:
            line = ax.axvline(step, color=colour, linestyle=style, linewidth=1.2, label=f"{text} {step}")
            line.set_gid(gid)
    if log_y:
        ax.set_yscale("log", nonpositive="mask")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    ax.set_xlabel("step")
    ax.set_ylabel("loss (log scale)" if log_y else "loss")
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if curves:
        ax.legend(loc="best", fontsize="small")
    else:
        ax.text(0.5, 0.5, "no points yet", transform=ax.transAxes, ha="center", va="center", color="grey")
    return fig


def render(
    curves: Sequence[PlotCurve], marks: Marks = Marks(), *, fmt: Format, log_y: bool = False, title: str = ""
) -> bytes:
    """The curves drawn as an SVG document or a PNG image (`fmt`), `SIZE_IN` inches, PNG at `DPI`.

    CPU-bound (tens of milliseconds): call it off the event loop.
    """
    fig = figure(curves, marks, log_y=log_y, title=title)
    out = io.BytesIO()
    # No creation date in the metadata (a PNG of the same curves is the same bytes; an SVG's clip-path and
    # marker ids are salted at random, and setting the salt would mean changing matplotlib's global rcParams).
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(out, format=fmt, dpi=DPI, metadata=metadata)
    return out.getvalue()


def _shown(values: Sequence[float], log_y: bool) -> np.ndarray:
    """Values as drawn: non-finite ones are gaps (matplotlib would draw an infinity as a line off the axes
    or skip it unpredictably); on a log axis so are values ≤ 0, which it cannot place."""
    a = np.asarray(values, dtype=np.float64)
    hidden = ~np.isfinite(a)
    if log_y:
        hidden |= a <= 0
    return np.where(hidden, np.nan, a)
