"""The OpenAPI document: request bodies, responses and problem types the routes read by hand."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .schemas import (
    BatchItem,
    BatchRequest,
    BatchResponse,
    Catalogue,
    CompareRequest,
    CompareResponse,
    ComputeRequest,
    ComputeResponse,
    Health,
    Problem,
)

_MODELS: list[type[BaseModel]] = [
    ComputeRequest,
    BatchItem,
    BatchRequest,
    ComputeResponse,
    BatchResponse,
    CompareRequest,
    CompareResponse,
    Problem,
    Catalogue,
    Health,
]
_REF = "#/components/schemas/{model}"

# (method, path) -> request model, 200 model, problem statuses
_OPERATIONS: dict[tuple[str, str], tuple[type[BaseModel] | None, type[BaseModel] | None, tuple[int, ...]]] = {
    ("get", "/v1/losses"): (None, Catalogue, (422,)),
    ("get", "/v1/losses/{name}"): (None, None, (404,)),
    ("post", "/v1/losses/{name}"): (ComputeRequest, ComputeResponse, (400, 404, 413, 415, 422, 503, 504)),
    ("post", "/v1/batch"): (BatchRequest, BatchResponse, (400, 413, 415, 422, 503)),
    ("post", "/v1/compare"): (CompareRequest, CompareResponse, (400, 413, 415, 422, 503, 504)),
    ("get", "/v1/info"): (None, None, ()),
    ("get", "/healthz"): (None, Health, ()),
    ("get", "/readyz"): (None, Health, (503,)),
}
_DESCRIPTIONS = {
    400: "The body is not JSON.",
    404: "Unknown loss (with suggestions) or path.",
    413: "A body, tensor, rank, element total or batch over a configured limit.",
    415: "A content type other than JSON, or a content encoding.",
    422: "The request's content is wrong; `errors` names each field.",
    503: "The compute pool is full or not ready; retry after `Retry-After` seconds.",
    504: "The computation ran past the request timeout.",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def build(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _, defs = models_json_schema([(m, "serialization") for m in _MODELS], ref_template=_REF)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(defs["$defs"])
    for (method, path), (request, ok, statuses) in _OPERATIONS.items():
        op = doc["paths"][path][method]
        if request is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(request)}}}
        responses = op["responses"]
        responses.pop("422", None)
        if ok is not None:
            responses["200"]["content"] = {"application/json": {"schema": _ref(ok)}}
        for status in statuses:
            responses[str(status)] = {
                "description": _DESCRIPTIONS[status],
                "content": {"application/problem+json": {"schema": _ref(Problem)}},
            }
    if not schemas:
        doc["components"].pop("schemas")
    return doc


def install_openapi(app: FastAPI) -> None:
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not cached:
            cached.update(build(app))
        return cached

    app.openapi = openapi  # type: ignore[method-assign]
