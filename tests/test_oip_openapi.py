"""The Open Inference Protocol's operations in the OpenAPI document: its errors are `{"error"}` with an
example, and the examples are what lossd answers."""

import json
from typing import Any

import httpx
import pytest

from lossd.http import oip
from lossd.http.openapi import document_text
from lossd.oip.wire import Error

DOC: dict[str, Any] = json.loads(document_text())
OPERATIONS = [(path, method, op) for path, item in DOC["paths"].items() for method, op in item.items()]
V2 = [(path, method, op) for path, method, op in OPERATIONS if path.startswith("/v2")]


def test_every_protocol_route_is_documented() -> None:
    assert {(m, p) for p, m, _ in V2} == set(oip.OPERATIONS)


@pytest.mark.parametrize(("path", "method", "op"), V2, ids=[f"{m} {p}" for p, m, _ in V2])
def test_each_protocol_error_is_an_error_object_with_an_example(path: str, method: str, op: dict[str, Any]) -> None:
    for status, response in op["responses"].items():
        if status.startswith("4") or (status.startswith("5") and not path.endswith("/ready")):
            media = response["content"]["application/json"]
            assert media["schema"] == {"$ref": "#/components/schemas/Error"}, (path, status)
            Error.model_validate(media["example"])


@pytest.mark.parametrize("path", ["/v2/models/mse/infer", "/v2/models/MSELoss/versions/1/infer"])
def test_the_infer_example_is_what_lossd_answers(client: httpx.Client, path: str) -> None:
    assert client.post(path, json=oip.INFER_REQUEST).json() == oip.INFER_RESPONSE


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/v2", ("get", "/v2")),
        ("/v2/health/live", ("get", "/v2/health/live")),
        ("/v2/health/ready", ("get", "/v2/health/ready")),
        ("/v2/models/mse", ("get", "/v2/models/{model_name}")),
        ("/v2/models/mse/versions/1/ready", ("get", "/v2/models/{model_name}/versions/{model_version}/ready")),
    ],
)
def test_each_get_example_is_what_lossd_answers(client: httpx.Client, path: str, key: tuple[str, str]) -> None:
    assert client.get(path).json() == oip.EXAMPLES[key]


@pytest.mark.parametrize(
    ("status", "request_args"),
    [
        (400, {"json": {**oip.INFER_REQUEST, "parameters": {"reduction": "avg"}}}),
        (404, {"url": "/v2/models/mse_los/infer", "json": oip.INFER_REQUEST}),
        (
            413,
            {"json": {"inputs": [{"name": "input", "shape": [5000, 5000], "datatype": "FP32", "data": []}]}},
        ),
        (415, {"content": b"x", "headers": {"content-type": "text/plain"}}),
    ],
)
def test_each_error_example_is_what_lossd_answers(client: httpx.Client, status: int, request_args: Any) -> None:
    got = client.post(**{"url": "/v2/models/mse/infer", **request_args})
    assert got.status_code == status
    assert got.json() == oip.ERRORS[status]
