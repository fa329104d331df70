"""The OpenAPI document: request bodies, responses and problem types the routes read by hand."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import auth, examples, oip, problems
from .run_schemas import Accepted, DiagnosisOut, PointsWrite, RunCreate, RunList, RunOut, SeriesOut
from .schemas import (
    COMPONENT_KEY,
    TENSOR_SCHEMAS,
    BatchItem,
    BatchRequest,
    BatchResponse,
    Catalogue,
    CompareRequest,
    CompareResponse,
    ComputeRequest,
    ComputeResponse,
    CustomCheckRequest,
    CustomCheckResponse,
    CustomRequest,
    Descriptor,
    Health,
    Info,
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
    CustomRequest,
    CustomCheckRequest,
    CustomCheckResponse,
    Problem,
    Catalogue,
    Descriptor,
    Info,
    Health,
    RunCreate,
    RunOut,
    RunList,
    PointsWrite,
    Accepted,
    SeriesOut,
    DiagnosisOut,
]
_REF = "#/components/schemas/{model}"

# (method, path) -> request model, 200 model, problem statuses
_OPERATIONS: dict[tuple[str, str], tuple[type[BaseModel] | None, type[BaseModel] | None, tuple[int, ...]]] = {
    ("get", "/v1/losses"): (None, Catalogue, (422,)),
    ("get", "/v1/losses/{name}"): (None, Descriptor, (404,)),
    ("post", "/v1/losses/{name}"): (ComputeRequest, ComputeResponse, (400, 404, 409, 413, 415, 422, 503, 504)),
    ("post", "/v1/batch"): (BatchRequest, BatchResponse, (400, 413, 415, 422, 503)),
    ("post", "/v1/compare"): (CompareRequest, CompareResponse, (400, 413, 415, 422, 503, 504)),
    ("post", "/v1/custom"): (CustomRequest, ComputeResponse, (400, 413, 415, 422, 503, 504)),
    ("post", "/v1/custom/check"): (CustomCheckRequest, CustomCheckResponse, (400, 413, 415, 422)),
    ("get", "/v1/info"): (None, Info, ()),
    ("get", "/healthz"): (None, Health, ()),
    ("get", "/readyz"): (None, Health, (503,)),
    ("post", "/v1/runs"): (RunCreate, RunOut, (400, 413, 415, 422)),
    ("get", "/v1/runs"): (None, RunList, (422,)),
    ("get", "/v1/runs/{run_id}"): (None, RunOut, (404, 422)),
    ("delete", "/v1/runs/{run_id}"): (None, None, (404, 422)),
    ("post", "/v1/runs/{run_id}/points"): (PointsWrite, Accepted, (400, 404, 409, 413, 415, 422)),
    ("get", "/v1/runs/{run_id}/series/{series}"): (None, SeriesOut, (404, 422)),
    ("get", "/v1/runs/{run_id}/diagnosis"): (None, DiagnosisOut, (404, 422)),
}
_DESCRIPTIONS = {
    400: "The body is not JSON.",
    404: "Unknown loss (with suggestions), run, series or path.",
    409: "A point is stored with another value (and `on_conflict` is not `replace`); `errors` names it.",
    413: "A body, tensor, rank, element total or batch over a configured limit.",
    415: "A content type other than JSON, or a content encoding.",
    422: "The request's content is wrong; `errors` names each field.",
    401: "With access control on (`LOSSD_API_KEYS_FILE`): no API key, or not a valid one.",
    429: "With a rate limit (`LOSSD_RATE_LIMIT_PER_S`): this key is over its rate; retry after `Retry-After` seconds.",
    503: "The compute pool is full or not ready; retry after `Retry-After` seconds.",
    504: "The computation ran past the request timeout.",
}

_HEADERS = {
    401: (
        "WWW-Authenticate",
        'The scheme to use: `Bearer realm="lossd"`, with `error="invalid_token"` for a wrong key.',
    ),
    429: ("Retry-After", "Seconds until this key may call again."),
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def build(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _, defs = models_json_schema([(m, "serialization") for m in _MODELS + oip.MODELS], ref_template=_REF)
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
        if ok is not None:  # 200, or 201 for a creation
            success = next(status for status in responses if status.startswith("2"))
            responses[success]["content"] = {"application/json": {"schema": _ref(ok)}}
        for status in statuses:
            responses[str(status)] = _problem_response(status)
    _document_oip(doc["paths"])
    _declare_keys(doc["paths"])
    doc["components"]["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key, when the service has access control on (`LOSSD_API_KEYS_FILE`).",
        }
    }
    schemas.update(TENSOR_SCHEMAS)
    _link_components(schemas)
    _add_examples(doc["paths"])
    if not schemas:
        doc["components"].pop("schemas")
    return doc


def _document_oip(paths: dict[str, Any]) -> None:
    """The Open Inference Protocol's operations: JSON bodies, and `{"error"}` bodies for its errors (a not-ready
    answer is the readiness body with `ready: false`)."""
    for (method, path), (request, ok, statuses) in oip.OPERATIONS.items():
        op = paths[path][method]
        if request is not None:
            media = {"schema": _ref(request), "example": oip.INFER_REQUEST}
            op["requestBody"] = {"required": True, "content": {"application/json": media}}
        responses = op["responses"]
        responses.pop("422", None)
        example = oip.EXAMPLES.get((method, path))
        responses["200"]["content"] = {"application/json": {"schema": _ref(ok), "example": example}}
        if path.endswith("/ready"):
            not_ready = {"schema": _ref(ok), "example": {**(example or {}), "ready": False}}
            responses["503"] = {"description": "Not ready.", "content": {"application/json": not_ready}}
        for status in statuses:
            responses[str(status)] = _oip_error_response(status)


def _problem_response(status: int) -> dict[str, Any]:
    media = {"schema": _ref(Problem), "example": examples.PROBLEMS[status]}
    return {"description": _DESCRIPTIONS[status], "content": {"application/problem+json": media}}


def _oip_error_response(status: int) -> dict[str, Any]:
    description = "A request whose content is wrong." if status == 400 else _DESCRIPTIONS[status]
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(oip.Error), "example": oip.ERRORS[status]}},
    }


def _declare_keys(paths: dict[str, Any]) -> None:
    """Every operation but the open ones (lossd.http.auth.OPEN_PATHS) takes an optional bearer key (access control
    is off by default) and may answer 401 or 429, in its API's error shape."""
    for path, operations in paths.items():
        if path in auth.OPEN_PATHS:
            continue
        for op in operations.values():
            op["security"] = [{}, {"bearer": []}]
            for status in (401, 429):
                response = _oip_error_response(status) if problems.in_oip(path) else _problem_response(status)
                name, description = _HEADERS[status]
                response["headers"] = {name: {"description": description, "schema": {"type": "string"}}}
                op["responses"][str(status)] = response


def _link_components(node: Any) -> None:
    """Turn each `{COMPONENT_KEY: name}` the schemas carry into a `$ref` to that component."""
    if isinstance(node, dict):
        if COMPONENT_KEY in node:
            node["$ref"] = _REF.format(model=node.pop(COMPONENT_KEY))
        for value in node.values():
            _link_components(value)
    elif isinstance(node, list):
        for value in node:
            _link_components(value)


def _named(values: dict[str, Any], summary: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    return {k: {"summary": (summary or {}).get(k, k), "value": v} for k, v in values.items()}


def _add_examples(paths: dict[str, Any]) -> None:
    """An example for every operation; the compute request and each descriptor keyed by loss."""
    descriptors = examples.loss_examples()
    summaries = {name: f"{name}: {d['summary']}" for name, d in descriptors.items()}
    loss_names = {name: name for name in descriptors}

    def body(method: str, path: str) -> dict[str, Any]:
        media: dict[str, Any] = paths[path][method]["requestBody"]["content"]["application/json"]
        return media

    def ok(method: str, path: str) -> dict[str, Any]:
        media: dict[str, Any] = paths[path][method]["responses"]["200"]["content"]["application/json"]
        return media

    for method in ("get", "post"):
        for param in paths["/v1/losses/{name}"][method]["parameters"]:
            if param["name"] == "name":
                param["examples"] = _named(loss_names, summaries)
                param["schema"].pop("examples", None)
    body("post", "/v1/losses/{name}")["examples"] = _named(
        {name: d["example"] for name, d in descriptors.items()}, summaries
    )
    ok("post", "/v1/losses/{name}")["example"] = examples.SEED_RESPONSE
    ok("get", "/v1/losses/{name}")["examples"] = _named(descriptors, summaries)
    ok("get", "/v1/losses")["example"] = {"losses": list(descriptors.values())[:1]}
    body("post", "/v1/batch")["example"] = examples.BATCH_REQUEST
    ok("post", "/v1/batch")["example"] = examples.BATCH_RESPONSE
    body("post", "/v1/compare")["example"] = examples.COMPARE_REQUEST
    ok("post", "/v1/compare")["example"] = examples.COMPARE_RESPONSE
    ok("get", "/v1/info")["example"] = examples.INFO_RESPONSE
    ok("get", "/healthz")["example"] = {"status": "ok"}
    ok("get", "/readyz")["example"] = {"status": "ready"}


def install_openapi(app: FastAPI) -> None:
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not cached:
            cached.update(build(app))
        return cached

    app.openapi = openapi  # type: ignore[method-assign]


def document_text() -> str:
    """The OpenAPI document as `make openapi` commits it to openapi/openapi.json."""
    from ..app import create_app  # the document is the app's; imported here, as the app imports this module

    return json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lossd.http.openapi", description="Write the OpenAPI document.")
    parser.add_argument("--output", "-o", type=Path, help="the file to write (default: standard output)")
    args = parser.parse_args(argv)
    text = document_text()
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
