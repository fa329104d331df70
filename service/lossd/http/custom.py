"""The custom-loss routes: compute a caller's expression, or check one without computing it.

The language, its limits and its evaluation live in `lossd.custom`; this module only reads the body,
hands the expression and tensors over, and sends the job to the same pool as every built-in loss.
"""

import math
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from ..codec import ElementBudget, Limits
from ..custom import CustomJob, infer, parse, prepare_custom
from ..errors import FieldError, InvalidRequest, LimitExceeded
from ..settings import Settings
from . import problems
from .body import offload, read_json
from .deps import PoolDep, SettingsDep
from .routes import JSONResponse, render, respond
from .schemas import CustomCheckRequest, CustomRequest

router = APIRouter()


@router.post("/v1/custom", tags=["custom"], operation_id="custom-compute", summary="Compute a custom loss")
async def compute_custom(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    """The value of a caller's loss `expression` over the named `inputs`, and the gradients `grad` asks for
    (by autograd), answered as a built-in loss is (`loss` is `custom`). The expression is checked against the
    language's allow-list and limits, and what it would allocate against the request limits, before
    anything runs: a mistake is a 422 at `["expression"]` naming the column and token, a broadcast too large
    a 413."""
    body = await read_json(request, settings.max_body_bytes)
    req = _model(CustomRequest, body)
    job = await offload(request, _prepare, req, settings)
    result = await pool.submit(job)
    return await respond(request, settings, [job], lambda: render(job, result, req.output_encoding or "json"))


def _prepare(req: CustomRequest, settings: Settings) -> CustomJob:
    return prepare_custom(
        parse(req.expression),
        req.inputs,
        req.grad,
        req.grad_output,
        req.dtype or "float32",
        Limits(settings.max_tensor_elements, settings.max_dims),
        ElementBudget(settings.max_total_elements),
        settings.max_total_elements,
    )


@router.post("/v1/custom/check", tags=["custom"], operation_id="custom-check", summary="Check a custom loss")
async def check_custom(request: Request, settings: SettingsDep) -> JSONResponse:
    """A dry run: the expression's inputs, whether its result is a single number, and (given the inputs'
    shapes) its shape, with the same refusals a compute request would get. Nothing is computed."""
    body = await read_json(request, settings.max_body_bytes)
    req = _model(CustomCheckRequest, body)
    expr = parse(req.expression)
    shapes = _shapes(req.shapes, expr.inputs, settings) if req.shapes is not None else None
    plan = infer(expr, shapes, settings.max_tensor_elements, settings.max_total_elements)
    return JSONResponse(
        {
            "expression": expr.source,
            "inputs": list(expr.inputs),
            "scalar": plan.shape == (),
            "shape": None if plan.shape is None else list(plan.shape),
            "elements": plan.elements if shapes is not None else None,
            "functions": list(expr.functions),
            "nodes": expr.nodes,
            "depth": expr.depth,
        }
    )


def _model(model: type[BaseModel], body: Any) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as e:
        raise problems.invalid(e) from None


def _shapes(shapes: dict[str, list[int]], names: tuple[str, ...], s: Settings) -> dict[str, tuple[int, ...]]:
    """The shapes of a dry run, held to the limits a compute request's tensors are."""
    errors = [
        FieldError(("shapes", n), f"the expression does not use {n!r}; it uses {', '.join(names)}")
        for n in shapes
        if n not in names
    ]
    errors += [FieldError(("shapes", n), "missing: the expression uses this input") for n in names if n not in shapes]
    if errors:
        raise InvalidRequest(errors)
    total = 0
    for n, shape in shapes.items():
        loc = ("shapes", n)
        if len(shape) > s.max_dims:
            raise LimitExceeded("max_dims", s.max_dims, "a tensor has too many dimensions", loc)
        if math.prod(shape) > s.max_tensor_elements:
            raise LimitExceeded(
                "max_tensor_elements", s.max_tensor_elements, f"a tensor of shape {shape} has too many elements", loc
            )
        total += math.prod(shape)
        if total > s.max_total_elements:
            raise LimitExceeded(
                "max_total_elements", s.max_total_elements, "the inputs hold more elements than a request may", loc
            )
    return {n: tuple(shape) for n, shape in shapes.items()}
