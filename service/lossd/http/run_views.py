"""A run as pictures and as a file: `plot.svg`/`plot.png` (lossd.runs.plot) and `export.csv` (runs.md).

Both read through the runs store in worker threads, never on the event loop: a plot reads each series
reduced to `PLOT_POINTS` buckets in the database, diagnoses the run for its marks and renders, all in one
thread; an export streams every point in chunks of `CSV_CHUNK` rows as the store pages them, so a run of
any length is never held in memory.
"""

import math
import re
from collections.abc import Iterator
from itertools import islice
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..errors import InvalidRequest
from ..runs import Point, SeriesRead, Store, diagnose_run, smooth
from ..runs.plot import MEDIA_TYPES, Format, Marks, PlotCurve, render
from .deps import OwnerDep, StoreDep
from .record import blocking
from .run_schemas import SERIES_PATTERN
from .runs import RunId, Smoothing, _only

router = APIRouter(tags=["runs"])


def _problem(example: dict[str, object]) -> dict[str, object]:
    return {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}, "example": example}}


# Declared, so that FastAPI does not describe its own validation error, which lossd never answers.
_REFUSALS: dict[int | str, dict[str, object]] = {
    404: {
        "description": "Unknown run or series.",
        "content": _problem(
            {
                "type": "urn:lossd:problem:not-found",
                "title": "Unknown run",
                "status": 404,
                "detail": "There is no run with id 'Zx81kPq2a9Lm'",
            }
        ),
    },
    422: {
        "description": "A query parameter is wrong; `errors` names it.",
        "content": _problem(
            {
                "type": "urn:lossd:problem:invalid-request",
                "title": "Invalid request",
                "status": 422,
                "detail": "query.smoothing: Input should be less than 1",
                "errors": [{"loc": ["query", "smoothing"], "msg": "Input should be less than 1"}],
            }
        ),
    },
}
_CSV_EXAMPLE = (
    "series,step,value,time\n"
    "train,0,0.6931471805599453,2026-01-31T12:00:00.125000Z\n"
    "train,1,NaN,2026-01-31T12:00:01.500000Z\n"
)
_SVG_EXAMPLE = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="648pt" height="360pt" viewBox="0 0 648 360">…</svg>\n'
)

# Buckets per series in a plot: more than the 900-pixel-wide figure can show, so reducing loses nothing
# visible, and a bucket's min-max band keeps every spike.
PLOT_POINTS = 2000
CSV_CHUNK = 5000
CSV_HEADER = "series,step,value,time\n"


def draw(
    store: Store,
    run_id: str,
    series: list[str] | None,
    smoothing: float,
    log_y: bool,
    fmt: Format,
    owner: str | None,
) -> bytes:
    """The run's curves (`series`, or every series of the run) rendered as `fmt`, with the default
    diagnosis's best point, overfitting onset and divergence marked where its monitored series is drawn.

    Blocking: database reads and rendering. Raises RunNotFound, SeriesNotFound.
    """
    run = store.get_run(run_id, owner)
    names = series if series is not None else sorted(run.series)
    curves = [_plot_curve(store.read_series(run_id, name, PLOT_POINTS, owner), smoothing) for name in names]
    found = diagnose_run(store, run_id, owner=owner)
    d = found.diagnosis
    marks = Marks()
    if found.monitor in names:
        marks = Marks(
            best_step=None if d.best is None else d.best.step,
            best_value=None if d.best is None else d.best.value,
            overfitting_since=d.overfitting_since,
            diverged_at=d.diverged_at,
        )
    return render(curves, marks, fmt=fmt, log_y=log_y, title=run.name)


def _plot_curve(read: SeriesRead, smoothing: float) -> PlotCurve:
    reduced = read.count > len(read.steps)
    return PlotCurve(
        read.series,
        read.steps,
        read.values,
        lows=read.mins if reduced else None,
        highs=read.maxs if reduced else None,
        smoothed=smooth(read.values, smoothing) if smoothing > 0 else None,
    )


def _series_list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = list(dict.fromkeys(s.strip() for s in text.split(",")))
    bad = [n for n in names if not re.fullmatch(SERIES_PATTERN, n)]
    if bad:
        raise InvalidRequest.at(
            ("query", "series"), f"{bad[0]!r}: a series name is 1–64 characters from A-Z a-z 0-9 _ . / -"
        )
    return names


@router.get(
    "/v1/runs/{run_id}/plot.{fmt}",
    operation_id="runs-plot",
    summary="Plot a run",
    response_class=Response,
    responses={
        200: {
            "description": "The curves drawn by matplotlib.",
            "content": {
                "image/svg+xml": {"schema": {"type": "string", "format": "binary"}, "example": _SVG_EXAMPLE},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **_REFUSALS,
    },
)
async def plot(
    request: Request,
    run_id: RunId,
    fmt: Annotated[Literal["svg", "png"], Path(description="`svg` or `png`.")],
    store: StoreDep,
    owner: OwnerDep,
    series: Annotated[
        str | None,
        Query(description="The series to draw, comma-separated (`train,validation`); default every series."),
    ] = None,
    smoothing: Smoothing = 0.0,
    log_y: Annotated[bool, Query(description="A logarithmic loss axis (values ≤ 0 are left out).")] = False,
) -> Response:
    """The run's curves drawn with matplotlib, 900 × 500 pixels (PNG) or the same as SVG: one colour per
    series (each reduced to 2000 buckets, whose min-max band is shaded), smoothed as TensorBoard smooths
    when `smoothing` > 0 (the raw curve stays, faint), the monitored series' best point and the overfitting
    onset and divergence found by the default diagnosis marked, a legend, axes `step` and `loss`. An unknown
    run or series is a 404."""
    _only(request, ("series", "smoothing", "log_y"))
    names = _series_list(series)
    image = await blocking(draw, store, run_id, names, smoothing, log_y, fmt, owner)
    return Response(image, media_type=MEDIA_TYPES[fmt], headers={"Cache-Control": "no-store"})


def csv_value(value: float) -> str:
    """A value as the CSV writes it: the shortest text that reads back as the same float, or `NaN`, `inf`,
    `-inf` (as Python's `float()`, pandas and spreadsheets read them)."""
    if math.isfinite(value):
        return repr(value)
    if math.isnan(value):
        return "NaN"
    return "inf" if value > 0 else "-inf"


def csv_rows(points: Iterator[Point]) -> Iterator[str]:
    """CSV text for `points`, `CSV_CHUNK` rows at a time, the header first."""
    yield CSV_HEADER
    while chunk := list(islice(points, CSV_CHUNK)):
        yield "".join(
            f"{p.series},{p.step},{csv_value(p.value)},{p.time.isoformat().replace('+00:00', 'Z')}\n" for p in chunk
        )


@router.get(
    "/v1/runs/{run_id}/export.csv",
    operation_id="runs-export",
    summary="Export a run's points",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every point.",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE}},
        },
        **_REFUSALS,
    },
)
async def export(request: Request, run_id: RunId, store: StoreDep, owner: OwnerDep) -> StreamingResponse:
    """Every point of the run as CSV, `series,step,value,time`, by series then step: the value as the
    shortest decimal that reads back exactly (`NaN`, `inf`, `-inf` for the non-finite), the time in
    RFC 3339, UTC. Streamed as it is read, whatever the run's length. An unknown run is a 404."""
    _only(request, ())
    rows = csv_rows(store.points(run_id, owner=owner))
    # The header and the first rows are read before answering: an unknown run is a 404, not a broken stream.
    first = [await blocking(next, rows), await blocking(next, rows, "")]
    return StreamingResponse(
        _chain(first, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="run-{run_id}.csv"', "Cache-Control": "no-store"},
    )


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest
