"""The Open Inference Protocol (KServe V2) routes, beside v1 and sharing its catalogue, validation and pool.

Errors here are the protocol's `{"error": "<message>"}` rather than problem+json, with v1's statuses except
that a v1 422 (a well-formed request with wrong content) is the protocol's 400.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Path
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from ..catalogue.spec import Loss
from ..catalogue.validate import Prepared
from ..compute.engine import Result
from ..compute.pool import Pool
from ..errors import InvalidRequest, LossdError, PoolBusy, UnsupportedMediaType
from ..oip import infer as oip
from ..oip.wire import (
    HEADER_LENGTH,
    Error,
    InferenceRequest,
    InferenceResponse,
    ModelMetadata,
    ModelReady,
    ServerLive,
    ServerMetadata,
    ServerReady,
)
from ..settings import Settings
from . import disconnect, problems
from .body import check_media_type, offload, parse, read_bytes
from .deps import PoolDep, SettingsDep, pool_of, settings_of


def error_response(exc: LossdError) -> Response:
    """A domain error as the protocol's `{"error": ...}`, every field at fault named in the message."""
    status = 400 if isinstance(exc, InvalidRequest) else exc.status
    message = (
        "; ".join(f"{'.'.join(map(str, e.loc)) or 'body'}: {e.msg}" for e in exc.errors)
        if isinstance(exc, InvalidRequest)
        else exc.detail
    )
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, PoolBusy) else None
    return Response(Error(error=message).model_dump_json(), status, headers, media_type="application/json")


class OIPRoute(APIRoute):
    """A route whose domain errors are answered in the protocol's error shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except LossdError as e:
                return error_response(e)

        return run


router = APIRouter(route_class=OIPRoute, tags=["inference"])
ModelName = Path(description="A loss, by any of its names (`mse`, `MSELoss`, `mse_loss`).", examples=["mse"])
ModelVersion = Path(description='The model version; every loss has one, "1".', examples=["1"])
JSON = "application/json"


def _json(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(exclude_none=True), status, media_type=JSON)


@router.get("/v2", operation_id="oip-server-metadata", summary="Server metadata")
async def server_metadata() -> Response:
    """lossd's name, version and the protocol extensions it supports (`binary_tensor_data`)."""
    return _json(ServerMetadata.model_validate(oip.server_metadata()))


@router.get("/v2/health/live", operation_id="oip-server-live", summary="Server liveness")
async def server_live() -> Response:
    """200 while the process answers."""
    return _json(ServerLive(live=True))


@router.get("/v2/health/ready", operation_id="oip-server-ready", summary="Server readiness")
async def server_ready(pool: PoolDep) -> Response:
    """200 while the compute pool takes work (as `/readyz`), else 503 with `Retry-After`."""
    ready = await pool.probe()
    response = _json(ServerReady(ready=ready), 200 if ready else 503)
    if not ready:
        response.headers["Retry-After"] = "1"
    return response


# Probes that send HEAD get the same answer, headers only, as at /healthz and /readyz.
router.add_api_route("/v2/health/live", server_live, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/v2/health/ready", server_ready, methods=["HEAD"], include_in_schema=False)


async def model_metadata(model_name: str = ModelName) -> Response:
    """The loss's inputs and outputs: -1 for a dimension of any size (`[-1]`: any shape)."""
    return _json(ModelMetadata.model_validate(oip.model_metadata(oip.model(model_name))))


async def model_metadata_version(model_name: str = ModelName, model_version: str = ModelVersion) -> Response:
    """As `GET /v2/models/{model_name}`, for version "1"."""
    return _json(ModelMetadata.model_validate(oip.model_metadata(oip.model(model_name, model_version))))


async def model_ready(pool: PoolDep, model_name: str = ModelName) -> Response:
    """200 while the loss can be computed (the pool takes work), 503 otherwise; 404 for an unknown loss."""
    return _model_ready(oip.model(model_name), pool.ready)


async def model_ready_version(
    pool: PoolDep, model_name: str = ModelName, model_version: str = ModelVersion
) -> Response:
    """As `GET /v2/models/{model_name}/ready`, for version "1"."""
    return _model_ready(oip.model(model_name, model_version), pool.ready)


def _model_ready(loss: Loss, ready: bool) -> Response:
    return _json(ModelReady(name=loss.name, ready=ready), 200 if ready else 503)


async def infer(request: Request, pool: PoolDep, settings: SettingsDep, model_name: str = ModelName) -> Response:
    """Compute the loss (and the gradients asked for) on the inputs. Tensors travel as JSON `data` or, with the
    binary tensor data extension, as raw little-endian bytes after a JSON header whose length is the
    `Inference-Header-Content-Length` header; outputs are binary when asked for (`binary_data_output`, or an
    output's `parameters.binary_data`). Request `parameters` are the loss's params, plus `grad`: the inputs to
    differentiate, comma-separated, or `true` for all (asking for the output `grad_<input>` also differentiates
    it). Computed in FP64 when a floating input is FP64, else in FP32."""
    return await _infer(request, pool, settings, oip.model(model_name))


async def infer_version(
    request: Request,
    pool: PoolDep,
    settings: SettingsDep,
    model_name: str = ModelName,
    model_version: str = ModelVersion,
) -> Response:
    """As `POST /v2/models/{model_name}/infer`, for version "1"."""
    return await _infer(request, pool, settings, oip.model(model_name, model_version))


async def infer_in_lane(request: Request, model_name: str) -> Response:
    """`POST /v2/models/{model_name}/infer` for the compute lane (lossd.http.lane): the same function, its
    protocol errors answered as `OIPRoute` answers them."""
    try:
        return await _infer(request, pool_of(request), settings_of(request), oip.model(model_name))
    except LossdError as e:
        return error_response(e)


async def _infer(request: Request, pool: Pool, settings: Settings, loss: Loss) -> Response:
    # whitespace around a field value is not part of it (RFC 9110)
    lengths = {value.strip() for value in request.headers.getlist(HEADER_LENGTH)}
    if len(lengths) > 1:
        raise InvalidRequest.at(("headers", HEADER_LENGTH), f"sent with different values: {sorted(lengths)}")
    header_length = oip.header_length(lengths.pop() if lengths else None)
    if header_length is None:
        check_media_type(request)  # all JSON: v1's content type rules
    elif request.headers.get("content-encoding", "identity").strip().lower() != "identity":
        raise UnsupportedMediaType("a content encoding is not accepted; send the body uncompressed")
    body = await read_bytes(request, settings.max_body_bytes, header_length)  # binary tensors aligned: no copies
    job, plan = await offload(request, _prepare, loss, body, header_length, settings)
    result = await disconnect.submit(request, pool, job)  # a client that leaves takes its queued work along
    if oip.output_elements(job) * 20 > settings.offload_bytes:  # about 20 bytes a number in JSON
        request.state.offload = True
    content, json_length = await offload(request, _encode, job, result, plan)
    if json_length is None:
        return Response(content, media_type=JSON)
    return Response(content, media_type="application/octet-stream", headers={HEADER_LENGTH: str(json_length)})


def _prepare(
    loss: Loss, body: bytearray | memoryview, header_length: int | None, settings: Settings
) -> tuple[Prepared, oip.Plan]:
    header, binary = oip.split_body(body, header_length)
    try:
        req = InferenceRequest.model_validate(parse(body if header_length is None else header.tobytes()))
    except ValidationError as e:
        raise problems.invalid(e) from None
    return oip.prepare_infer(loss, req, binary, settings)


def _encode(job: Prepared, result: Result, plan: oip.Plan) -> tuple[bytes, int | None]:
    """The response body, and the JSON header's length when binary outputs follow it."""
    header, chunks = oip.render(job, result, plan)
    text = oip.dumps(header)
    if not chunks:
        return text, None
    return b"".join([text, *chunks]), len(text)


_ROUTES: list[tuple[str, str, Callable[..., Any], str, str]] = [
    ("GET", "/v2/models/{model_name}", model_metadata, "oip-model-metadata", "Model metadata"),
    (
        "GET",
        "/v2/models/{model_name}/versions/{model_version}",
        model_metadata_version,
        "oip-model-version-metadata",
        "Model version metadata",
    ),
    ("GET", "/v2/models/{model_name}/ready", model_ready, "oip-model-ready", "Model readiness"),
    (
        "GET",
        "/v2/models/{model_name}/versions/{model_version}/ready",
        model_ready_version,
        "oip-model-version-ready",
        "Model version readiness",
    ),
    ("POST", "/v2/models/{model_name}/infer", infer, "oip-infer", "Inference"),
    (
        "POST",
        "/v2/models/{model_name}/versions/{model_version}/infer",
        infer_version,
        "oip-version-infer",
        "Inference on a model version",
    ),
]
for _method, _path, _endpoint, _operation, _summary in _ROUTES:
    router.add_api_route(_path, _endpoint, methods=[_method], operation_id=_operation, summary=_summary)

# The OpenAPI document: request body, 200 body and error statuses of each operation (lossd.http.openapi).
OPERATIONS: dict[tuple[str, str], tuple[type[BaseModel] | None, type[BaseModel], tuple[int, ...]]] = {
    ("get", "/v2"): (None, ServerMetadata, ()),
    ("get", "/v2/health/live"): (None, ServerLive, ()),
    ("get", "/v2/health/ready"): (None, ServerReady, ()),
    ("get", "/v2/models/{model_name}"): (None, ModelMetadata, (404,)),
    ("get", "/v2/models/{model_name}/versions/{model_version}"): (None, ModelMetadata, (404,)),
    ("get", "/v2/models/{model_name}/ready"): (None, ModelReady, (404,)),
    ("get", "/v2/models/{model_name}/versions/{model_version}/ready"): (None, ModelReady, (404,)),
    ("post", "/v2/models/{model_name}/infer"): (InferenceRequest, InferenceResponse, (400, 404, 413, 415, 503, 504)),
    ("post", "/v2/models/{model_name}/versions/{model_version}/infer"): (
        InferenceRequest,
        InferenceResponse,
        (400, 404, 413, 415, 503, 504),
    ),
}
# Examples in the document; tests/test_oip_openapi.py checks that lossd answers them as shown.
_SEED_INPUTS = [
    {"name": "input", "shape": [4], "datatype": "FP32", "data": [2.5, 4.8, 6.9, 9.5]},
    {"name": "target", "shape": [4], "datatype": "FP32", "data": [3.0, 5.0, 7.0, 9.0]},
]
INFER_REQUEST = {"id": "42", "parameters": {"grad": "input"}, "inputs": _SEED_INPUTS}
INFER_RESPONSE = {
    "model_name": "mse",
    "model_version": "1",
    "id": "42",
    "outputs": [
        {"name": "loss", "datatype": "FP32", "shape": [], "data": [0.13749998807907104]},
        {
            "name": "grad_input",
            "datatype": "FP32",
            "shape": [4],
            "data": [-0.25, -0.09999990463256836, -0.04999995231628418, 0.25],
        },
    ],
}
_MODEL_METADATA = {
    "name": "mse",
    "versions": ["1"],
    "platform": "torch",
    "inputs": [{"name": n, "datatype": "FP32", "shape": [-1]} for n in ("input", "target")],
    "outputs": [
        {"name": "loss", "datatype": "FP32", "shape": []},
        *({"name": n, "datatype": "FP32", "shape": [-1]} for n in ("grad_input", "grad_target")),
    ],
}
_READY = {"name": "mse", "ready": True}
EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/v2"): oip.server_metadata(),
    ("get", "/v2/health/live"): {"live": True},
    ("get", "/v2/health/ready"): {"ready": True},
    ("get", "/v2/models/{model_name}"): _MODEL_METADATA,
    ("get", "/v2/models/{model_name}/versions/{model_version}"): _MODEL_METADATA,
    ("get", "/v2/models/{model_name}/ready"): _READY,
    ("get", "/v2/models/{model_name}/versions/{model_version}/ready"): _READY,
    ("post", "/v2/models/{model_name}/infer"): INFER_RESPONSE,
    ("post", "/v2/models/{model_name}/versions/{model_version}/infer"): INFER_RESPONSE,
}
ERRORS = {
    400: {"error": "parameters.reduction: must be one of none, mean, sum; got 'avg'"},
    401: {"error": "send an API key: Authorization: Bearer <key>"},
    404: {"error": "There is no loss named 'mse_los'; did you mean mse, rmse, mape, dice?"},
    413: {"error": "a tensor of shape [5000, 5000] has too many elements (limit max_tensor_elements = 16777216)"},
    415: {"error": "content type 'text/plain' is not accepted; send application/json"},
    429: {"error": "key 'ci-runner' is over its rate of 5 requests a second"},
    503: {"error": "64 computations are running or queued; try again shortly"},
    504: {"error": "the computation ran past request_timeout_s = 30.0"},
}
MODELS: list[type[BaseModel]] = [
    InferenceRequest,
    InferenceResponse,
    ModelMetadata,
    ServerMetadata,
    ServerLive,
    ServerReady,
    ModelReady,
    Error,
]
