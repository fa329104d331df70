"""The runs routes (runs.md): runs, their points, curves and diagnosis, over the store in `lossd.runs`.

Store calls are blocking database work: each runs in a thread, off the event loop. Every call names the
caller's `owner` (`get_owner`), the one seam access control plugs into: a run made under another owner is a
404.
"""

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from ..errors import FieldError, InvalidRequest, LimitExceeded
from ..runs import NewPoint, Run, SeriesSummary, diagnose_run, smooth
from ..runs.curves import list_to_wire, to_wire
from . import problems
from .body import read_json
from .deps import OwnerDep, SettingsDep, StoreDep
from .record import blocking
from .routes import JSONResponse
from .run_schemas import SERIES_PATTERN, PointsWrite, RunCreate

router = APIRouter(tags=["runs"])


RunId = Annotated[str, Path(description="The run's id, as `POST /v1/runs` made it.")]


def _only(request: Request, allowed: tuple[str, ...]) -> None:
    """An unknown query parameter is a 422: a typo must not pass silently."""
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in allowed]
    if unknown:
        known = ", ".join(allowed) or "none"
        raise InvalidRequest(
            [FieldError(("query", n), f"unknown parameter; this endpoint takes {known}") for n in unknown]
        )


def _validated(model: Any, body: Any) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as e:
        raise problems.invalid(e) from None


def run_json(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "name": run.name,
        "tags": run.tags,
        "created_at": run.created_at.isoformat().replace("+00:00", "Z"),
        "series": {name: _summary_json(s) for name, s in run.series.items()},
        "status": run.status,
    }


def _summary_json(s: SeriesSummary) -> dict[str, Any]:
    return {
        "count": s.count,
        "last_step": s.last_step,
        "last_value": to_wire(s.last_value),
        "best_step": s.best_step,
        "best_value": s.best_value,
    }


@router.post("/v1/runs", operation_id="runs-create", summary="Create a run", status_code=201)
async def create_run(request: Request, store: StoreDep, owner: OwnerDep, settings: SettingsDep) -> Response:
    """A new run, answered 201 with its `Location`. `name` need not be unique; `tags` label it for
    `GET /v1/runs?tag=key:value`."""
    _only(request, ())
    req = _validated(RunCreate, await read_json(request, settings.max_body_bytes))
    run = await blocking(store.create_run, req.name, req.tags or {}, owner)
    return JSONResponse(run_json(run), status_code=201, headers={"Location": f"/v1/runs/{run.id}"})


_TAG = re.compile(r"^([^:]+):(.*)$")


@router.get("/v1/runs", operation_id="runs-list", summary="List runs")
async def list_runs(
    request: Request,
    store: StoreDep,
    owner: OwnerDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most runs in one page.")] = 50,
    cursor: Annotated[str | None, Query(description="The previous page's `next_cursor`.")] = None,
    tag: Annotated[
        list[str] | None, Query(description="`key:value`; only runs with every tag given.", examples=["lr:0.01"])
    ] = None,
) -> JSONResponse:
    """Runs, newest first, a page at a time, each with its series' summary and diagnosis status."""
    _only(request, ("limit", "cursor", "tag"))
    tags: dict[str, str] = {}
    for t in tag or []:
        match = _TAG.match(t)
        if match is None:
            raise InvalidRequest.at(("query", "tag"), f"{t!r}: write a tag filter as key:value")
        if tags.get(match[1], match[2]) != match[2]:
            raise InvalidRequest.at(("query", "tag"), f"{match[1]!r} is given two values; a run has one")
        tags[match[1]] = match[2]
    try:
        page = await blocking(store.list_runs, owner, limit, cursor, tags)
    except ValueError as e:
        raise InvalidRequest.at(("query", "cursor"), str(e)) from None
    return JSONResponse({"runs": [run_json(r) for r in page.runs], "next_cursor": page.next_cursor})


@router.get("/v1/runs/{run_id}", operation_id="runs-get", summary="Get a run")
async def get_run(request: Request, run_id: RunId, store: StoreDep, owner: OwnerDep) -> JSONResponse:
    """One run with its series' summary (count, last and best points) and diagnosis status."""
    _only(request, ())
    return JSONResponse(run_json(await blocking(store.get_run, run_id, owner)))


@router.delete("/v1/runs/{run_id}", operation_id="runs-delete", summary="Delete a run", status_code=204)
async def delete_run(request: Request, run_id: RunId, store: StoreDep, owner: OwnerDep) -> Response:
    """Delete the run and every point of it."""
    _only(request, ())
    await blocking(store.delete_run, run_id, owner)
    return Response(status_code=204)


@router.post("/v1/runs/{run_id}/points", operation_id="runs-points", summary="Write points")
async def write_points(
    request: Request, run_id: RunId, store: StoreDep, owner: OwnerDep, settings: SettingsDep
) -> JSONResponse:
    """Store points, all or none, in any order. A point already stored with the same value is accepted
    again and changes nothing (retries are safe); one stored with another value is a 409 naming it, unless
    `on_conflict` is `replace`. A 2xx means the points are on disk. Over `max_points_per_request` is a 413;
    an unknown run a 404."""
    _only(request, ())
    body = await read_json(request, settings.max_body_bytes)
    if isinstance(body, dict) and isinstance(body.get("points"), list):
        if len(body["points"]) > settings.max_points_per_request:  # counted before anything is validated
            raise LimitExceeded(
                "max_points_per_request",
                settings.max_points_per_request,
                f"the request has {len(body['points'])} points",
                ("points",),
            )
    req: PointsWrite = _validated(PointsWrite, body)
    _refuse_repeats(req)
    points = [NewPoint(p.series, p.step, p.value, p.time) for p in req.points]
    accepted = await blocking(store.add_points, run_id, points, req.on_conflict == "replace", owner)
    return JSONResponse({"accepted": accepted})


def _refuse_repeats(req: PointsWrite) -> None:
    """One (series, step) twice in a request with different values cannot be stored both ways: a 422."""
    first: dict[tuple[str, int], int] = {}
    errors = []
    for i, p in enumerate(req.points):
        j = first.setdefault((p.series, p.step), i)
        prior = req.points[j].value
        if j != i and not (prior == p.value or (prior != prior and p.value != p.value)):  # NaN equals NaN here
            errors.append(
                FieldError(("points", i, "value"), f"points[{j}] has the same series and step with another value")
            )
    if errors:
        raise InvalidRequest(errors)


Smoothing = Annotated[
    float,
    Query(
        ge=0, lt=1, allow_inf_nan=False, description="TensorBoard's smoothing weight in [0, 1): 0 (default) is none."
    ),
]


@router.get("/v1/runs/{run_id}/series/{series:path}", operation_id="runs-series", summary="Read a curve")
async def read_series(
    request: Request,
    run_id: RunId,
    series: Annotated[str, Path(description="The series' name; may hold `/` (`val/focal`).")],
    store: StoreDep,
    owner: OwnerDep,
    max_points: Annotated[
        int | None, Query(ge=1, description="Most points to return: longer curves come back in buckets.")
    ] = None,
    smoothing: Smoothing = 0.0,
) -> JSONResponse:
    """One curve in step order. With more than `max_points` stored, the points are cut into `max_points`
    buckets of consecutive points (sizes differing by at most one) in the database: each gives its first step,
    its mean as `value`, its `min` and `max`; a bucket holding a NaN reports NaN, an infinity stays. `smoothed`
    is TensorBoard's debiased EMA of the `values` returned; a non-finite value passes through."""
    _only(request, ("max_points", "smoothing"))
    if not re.fullmatch(SERIES_PATTERN, series):
        raise InvalidRequest.at(("path", "series"), "a series name is 1–64 characters from A-Z a-z 0-9 _ . / -")
    read = await blocking(store.read_series, run_id, series, max_points, owner)
    return JSONResponse(
        {
            "series": read.series,
            "count": read.count,
            "steps": read.steps,
            "values": list_to_wire(read.values),
            "min": list_to_wire(read.mins),
            "max": list_to_wire(read.maxs),
            "smoothed": list_to_wire(smooth(read.values, smoothing)),
        }
    )


@router.get("/v1/runs/{run_id}/diagnosis", operation_id="runs-diagnosis", summary="Diagnose a run")
async def diagnosis(
    request: Request,
    run_id: RunId,
    store: StoreDep,
    owner: OwnerDep,
    monitor: Annotated[
        str | None,
        Query(description="The series to judge; default `validation`, else the run's only series."),
    ] = None,
    train: Annotated[str, Query(description="The training series, for overfitting and the gap.")] = "train",
    mode: Annotated[Literal["min", "max"], Query(description="Whether lower (min) or higher is better.")] = "min",
    patience: Annotated[int, Query(ge=0, description="Points without improvement before stopping.")] = 5,
    min_delta: Annotated[
        float, Query(ge=0, allow_inf_nan=False, description="How much better a value must be to count (finite).")
    ] = 0.0,
) -> JSONResponse:
    """What the curves say: `status` (`insufficient_data`, `diverged`, `overfitting`, `plateau`,
    `improving`, the first that applies), the best point, where Lightning's `EarlyStopping` would have
    stopped (`stop_at`), `diverged_at`, `overfitting_since` and the `generalization_gap`. A `monitor` named
    but absent is a 404."""
    _only(request, ("monitor", "train", "mode", "patience", "min_delta"))
    found = await blocking(diagnose_run, store, run_id, monitor, train, mode, patience, min_delta, owner)
    d = found.diagnosis
    return JSONResponse(
        {
            "monitor": found.monitor,
            "train": found.train,
            "mode": mode,
            "patience": patience,
            "min_delta": min_delta,
            "status": d.status,
            "best": None if d.best is None else {"step": d.best.step, "value": d.best.value},
            "stop_at": d.stop_at,
            "diverged_at": d.diverged_at,
            "overfitting_since": d.overfitting_since,
            "generalization_gap": None if d.generalization_gap is None else to_wire(d.generalization_gap),
        }
    )
