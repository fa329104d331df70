"""The v1 routes: catalogue, compute, batch, info and health."""

import asyncio
import math
from collections.abc import Callable
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from .. import __version__
from ..catalogue import CATALOGUE
from ..catalogue.descriptor import describe
from ..catalogue.spec import InputKind, Task
from ..catalogue.validate import Prepared, prepare
from ..codec import ElementBudget, Limits, OutputEncoding, encode_result
from ..compare import compare as compare_losses
from ..compute.devices import runtime
from ..compute.engine import Result
from ..errors import FieldError, InvalidRequest, LimitExceeded, LossdError
from ..settings import Settings
from . import disconnect, problems
from .body import offload, read_json
from .deps import OwnerDep, PoolDep, SettingsDep, StoreDep, get_owner, pool_of, settings_of, store_of
from .record import check_record, save_record
from .schemas import BatchItem, BatchRequest, CompareRequest, ComputeRequest

router = APIRouter()

LossName = Path(
    description="The loss's canonical name, torch.nn class name or functional name, in any case.",
    examples=["mse", "CrossEntropyLoss", "smooth_l1_loss"],
)


# Encoded tensors arrive as numpy arrays (codec.encode): orjson writes them without Python lists.
JSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=JSON_OPTIONS)


Flag = Literal["true", "false"]
_FILTERS = ("task", "input_kind", "robust_to_outliers", "handles_imbalance")


@router.get("/v1/losses", tags=["catalogue"], operation_id="losses-list", summary="List the catalogue")
async def list_losses(
    request: Request,
    task: Annotated[Task | None, Query(description="Only losses for this task.")] = None,
    input_kind: Annotated[InputKind | None, Query(description="Only losses expecting this kind of input.")] = None,
    robust_to_outliers: Annotated[
        Flag | None, Query(description="Only losses that are (true) or are not (false) robust to outliers.")
    ] = None,
    handles_imbalance: Annotated[
        Flag | None,
        Query(description="Only losses with (true) or without (false) a class weight, pos_weight or focusing term."),
    ] = None,
) -> JSONResponse:
    """Every loss's descriptor: what it computes (`formula`), when to use it (`use_when`), its inputs, its params
    with PyTorch's defaults, and an example request. The filters narrow the list; an unknown filter or value is
    a 422."""
    errors = [
        FieldError(("query", name), f"unknown filter; filters are {', '.join(_FILTERS)}")
        for name in dict.fromkeys(request.query_params)
        if name not in _FILTERS
    ]
    errors += [
        FieldError(("query", name), "give each filter once: a loss has one value of each trait")
        for name in _FILTERS
        if len(request.query_params.getlist(name)) > 1
    ]
    if errors:
        raise InvalidRequest(errors)
    losses = CATALOGUE.select(
        task=task,
        input_kind=input_kind,
        robust_to_outliers=None if robust_to_outliers is None else robust_to_outliers == "true",
        handles_imbalance=None if handles_imbalance is None else handles_imbalance == "true",
    )
    return JSONResponse({"losses": [describe(loss) for loss in losses]})


@router.get("/v1/losses/{name}", tags=["catalogue"], operation_id="losses-get", summary="Describe one loss")
async def get_loss(name: str = LossName) -> JSONResponse:
    """One loss's descriptor, found by its canonical name, `torch.nn` class name or functional name in any case
    (`MSELoss`, `mse_loss` and `MSE` all find `mse`). An unknown name is a 404 whose `suggestions` list the
    closest names."""
    return JSONResponse(describe(CATALOGUE.resolve(name)))


@router.post("/v1/losses/{name}", tags=["compute"], operation_id="losses-compute", summary="Compute one loss")
async def compute(request: Request, name: str = LossName) -> Response:
    """The loss of `inputs` under `params`, computed by PyTorch in `dtype`, with the gradients `grad` asks for.
    Values and gradients equal `torch.nn`'s on the same inputs and dtype. Every loss has an example below, under
    its name (in the docs explorer, choosing one also fills in `name`)."""
    pool, settings = pool_of(request), settings_of(request)
    loss = CATALOGUE.resolve(name)
    body = await read_json(request, settings.max_body_bytes)
    req = _model(ComputeRequest, body)
    job = await offload(request, _prepare, loss.name, req, settings, ElementBudget(settings.max_total_elements))
    store, owner = store_of(request), await get_owner(request)
    if req.record is not None:
        await check_record(store, owner, req.record, not job.value_shape)
    result = await disconnect.submit(request, pool, job)  # a client that leaves takes its queued work along
    recorded = None if req.record is None else await save_record(store, owner, req.record, result.value.item())
    return await respond(request, settings, [job], lambda: render(job, result, req.output_encoding or "json", recorded))


@router.post("/v1/batch", tags=["compute"], operation_id="batch-compute", summary="Compute many losses")
async def batch(request: Request, pool: PoolDep, settings: SettingsDep, store: StoreDep, owner: OwnerDep) -> Response:
    """Many compute requests in one, each with its `loss`, answered in order. Each item is validated and computed
    on its own: a bad item gets a problem in its slot and never spoils its neighbours. The envelope's limits
    (`max_batch_items`, `max_total_elements` over all items) are a 413 for the whole request. An item's `record`
    is that item's own: an unknown run (404), `reduction: none` (422), or a point stored with another value
    (409) is a problem in its slot, and the items around it are computed and recorded as usual."""
    body = await read_json(request, settings.max_body_bytes)
    envelope = _model(BatchRequest, body)
    if len(envelope.items) > settings.max_batch_items:
        raise LimitExceeded(
            "max_batch_items", settings.max_batch_items, f"the batch has {len(envelope.items)} items", ("items",)
        )
    slots = await offload(request, _prepare_items, envelope.items, settings)

    async def run(slot: tuple[Prepared, OutputEncoding, Any] | dict[str, Any], i: int) -> Any:
        if isinstance(slot, dict):
            return slot
        job, encoding, record = slot
        try:
            if record is not None:
                await check_record(store, owner, record, not job.value_shape)  # prefixed below
            return job, await pool.submit(job), encoding, record
        except LossdError as e:
            return _slot_error(e, i)

    jobs = [slot[0] for slot in slots if isinstance(slot, tuple)]
    work = asyncio.gather(*(run(slot, i) for i, slot in enumerate(slots)))
    computed = await (work if all(pool.runs_inline(j) for j in jobs) else disconnect.watch(request, work))
    # Records are stored in item order, whatever order the computations ended in: of two items recording
    # one point with different values, the first is stored and the second is the 409.
    done: list[Any] = []
    for i, r in enumerate(computed):
        if isinstance(r, dict) or r[3] is None:
            done.append(r)
            continue
        job, result, encoding, record = r
        try:
            recorded = await save_record(store, owner, record, result.value.item(), ("items", i))
            done.append((job, result, encoding, recorded))
        except LossdError as e:
            done.append(_slot_error(e, i))
    return await respond(
        request,
        settings,
        jobs,
        lambda: {"results": [r if isinstance(r, dict) else render(*r) for r in done]},
    )


def _slot_error(e: LossdError, i: int) -> dict[str, Any]:
    """The problem in batch slot `i`, its fields named from the body's root."""
    return {"error": problems.from_error(e.prefixed(("items", i)) if isinstance(e, InvalidRequest) else e)}


def _prepare_items(items: list[Any], settings: Settings) -> list[tuple[Prepared, OutputEncoding, Any] | dict[str, Any]]:
    """Each batch item validated on its own: a job (with its encoding and record), or the problem in its slot."""
    budget = ElementBudget(settings.max_total_elements)
    slots: list[tuple[Prepared, OutputEncoding, Any] | dict[str, Any]] = []
    for i, item in enumerate(items):
        try:
            req = _model(BatchItem, item, ("items", i))
            job = _prepare(req.loss, req, settings, budget, ("items", i))
            slots.append((job, req.output_encoding or "json", req.record))
        except LimitExceeded as e:
            if e.limit == "max_total_elements":
                raise  # counts all items together: the whole request is too large
            slots.append({"error": problems.from_error(e)})
        except LossdError as e:
            slots.append({"error": problems.from_error(e)})
    return slots


async def respond(
    request: Request, settings: Settings, jobs: list[Prepared], payload: Callable[[], dict[str, Any]]
) -> Response:
    """The JSON response, encoded off the event loop when the body or the output is large."""
    # Roughly 20 bytes per number in JSON: enough to tell a large output from a small one.
    out_elements = sum(math.prod(j.value_shape) + sum(j.inputs[n].numel() for n in j.grad) for j in jobs)
    if out_elements * 20 > settings.offload_bytes:
        request.state.offload = True
    content = await offload(request, lambda: orjson.dumps(payload(), option=JSON_OPTIONS))
    return Response(content, media_type="application/json")


@router.post("/v1/compare", tags=["compute"], operation_id="losses-compare", summary="Compare losses")
async def compare(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    """Several losses on the same inputs, with each one's value and top contributors (see lossd.compare)."""
    body = await read_json(request, settings.max_body_bytes)
    req = _model(CompareRequest, body)
    out = await disconnect.watch(
        request,
        compare_losses(
            CATALOGUE,
            pool.submit,
            Limits(settings.max_tensor_elements, settings.max_dims),
            settings.max_total_elements,
            req.inputs,
            req.losses,
            req.params,
            req.dtype or "float32",
            req.top,
        ),
    )
    # Each contributor is about 40 bytes of JSON: a large `top` makes a large answer, encoded off the loop.
    contributors = sum(len(r["top_contributors"] or ()) for r in out["results"])
    if contributors * 40 > settings.offload_bytes:
        request.state.offload = True
    return Response(
        await offload(request, lambda: orjson.dumps(out, option=JSON_OPTIONS)), media_type="application/json"
    )


@router.get("/v1/info", tags=["service"], operation_id="service-info", summary="Describe the service")
async def info(pool: PoolDep, settings: SettingsDep) -> JSONResponse:
    """lossd's and torch's versions, the devices torch sees, the compute pool's settings and the limits in force."""
    return JSONResponse(
        {
            "version": __version__,
            **runtime(),
            "pool": pool.describe(),
            "losses": len(CATALOGUE),
            "limits": _limits(settings),
        }
    )


@router.get("/healthz", tags=["service"], operation_id="service-live", summary="Liveness")
async def healthz() -> JSONResponse:
    """200 while the process answers."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz", tags=["service"], operation_id="service-ready", summary="Readiness")
async def readyz(request: Request, pool: PoolDep) -> Response:
    """200 while the compute pool takes work, proved by computing a tiny loss through it (cached for a
    second); a 503 with `Retry-After` otherwise, and from the moment a shutdown begins."""
    if request.app.state.drain.draining:
        body = problems.problem(503, "Not ready", "lossd is shutting down: finishing the requests it holds")
        return problems.response(body, {"Retry-After": "1"})
    if not await pool.probe():
        body = problems.problem(503, "Not ready", "the compute pool is not accepting work")
        return problems.response(body, {"Retry-After": "1"})
    return JSONResponse({"status": "ready"})


# Probes that send HEAD get the same answer, headers only; one documented operation each.
router.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/readyz", readyz, methods=["HEAD"], include_in_schema=False)


def _limits(s: Settings) -> dict[str, Any]:
    return {
        "max_body_bytes": s.max_body_bytes,
        "max_points_per_request": s.max_points_per_request,
        "max_tensor_elements": s.max_tensor_elements,
        "max_total_elements": s.max_total_elements,
        "max_dims": s.max_dims,
        "max_batch_items": s.max_batch_items,
        "request_timeout_s": s.request_timeout_s,
    }


def _model(
    model: type[ComputeRequest] | type[BatchRequest] | type[CompareRequest],
    body: Any,
    prefix: tuple[str | int, ...] = (),
) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as e:
        raise problems.invalid(e, prefix) from None


def _prepare(
    name: str, req: ComputeRequest, s: Settings, budget: ElementBudget, prefix: tuple[str | int, ...] = ()
) -> Prepared:
    loss = CATALOGUE.resolve(name)
    try:
        return prepare(
            loss,
            req.inputs,
            req.params,
            req.grad,
            req.grad_output,
            req.dtype or "float32",
            Limits(s.max_tensor_elements, s.max_dims),
            budget,
        )
    except InvalidRequest as e:
        raise e.prefixed(prefix) from None
    except LimitExceeded as e:
        e.loc = prefix + e.loc
        raise


def render(
    job: Prepared, result: Result, encoding: OutputEncoding, recorded: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The compute response for one finished job (with `recorded`, the point its value was stored as)."""
    out = encode_result(result.value, result.grads, encoding, reduced=not job.value_shape)
    out = {"loss": job.loss.name, **out, "device": result.device}
    if job.warnings:
        out["warnings"] = job.warnings
    if recorded is not None:
        out["recorded"] = recorded
    return out
