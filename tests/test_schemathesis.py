"""The OpenAPI document against the live service: whatever schemathesis sends, no 5xx, and every
response (status, content type, headers, body) is one the document describes."""

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lossd.app import create_app
from lossd.catalogue import CATALOGUE
from lossd.settings import Settings

from conftest import Server

# The document the service serves, built here so that the cases can be collected before any server
# runs; they go over HTTP to the live `server`, and test_the_served_document_is_the_one_tested
# checks that it serves this very document.
DOCUMENT = create_app(Settings()).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schemathesis.check
def schema_violations_are_rejected(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """Schema-violating data is a 4xx; except that a batch whose envelope is valid is a 200 (the
    contract), where each violating item must be answered by a problem in its own slot."""
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if case.operation.path == "/v1/batch" and response.status_code == 200:
        if negative:
            results = response.json()["results"]
            assert any("error" in r for r in results), "a schema-violating batch item was computed"
        return None
    if negative and response.status_code == 413:
        # Rejected too: a tensor's declared shape is over `max_tensor_elements` before its missing `data`
        # is noticed. schemathesis's own list of rejections leaves 413 out.
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    schema_violations_are_rejected,
]


def test_the_served_document_is_the_one_tested(server: Server) -> None:
    assert httpx.get(server.url + "/openapi.json", timeout=30).json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_response_conforms_to_the_openapi_document(case: schemathesis.Case, server: Server) -> None:
    case.call_and_validate(base_url=server.url, checks=CHECKS, timeout=30)


# --- answers schemathesis rarely reaches by chance: successes, batches of both kinds, limits ---

SEED = {"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}, "grad": ["input"]}
COMPUTE = schema["/v1/losses/{name}"]["POST"]
BATCH = schema["/v1/batch"]["POST"]
EXPLICIT_CHECKS = [c for c in CHECKS if c is not schema_violations_are_rejected]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(SEED, id="seed"),
        pytest.param(
            {**SEED, "grad": True, "params": {"reduction": "none"}, "output_encoding": "b64"}, id="b64-unreduced"
        ),
        pytest.param({**SEED, "dtype": "float64", "params": {"reduction": "sum"}}, id="float64"),
        pytest.param(
            {
                "inputs": {"input": ["NaN", "Infinity", 1.0], "target": [0, 0, "-Infinity"]},
                "params": {"reduction": "none"},
                "grad": True,
            },
            id="non-finite",
        ),
        pytest.param({"inputs": {"input": [[1.0, 2.0], [3.0, 4.0]], "target": [1.0, 2.0]}}, id="with-warnings"),
    ],
)
def test_a_computed_loss_conforms(server: Server, body: dict[str, Any]) -> None:
    response = COMPUTE.Case(path_parameters={"name": "mse"}, body=body).call_and_validate(
        base_url=server.url, checks=EXPLICIT_CHECKS, timeout=30
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("loss", [loss.name for loss in CATALOGUE])
def test_every_descriptor_example_computes_and_conforms(server: Server, loss: str) -> None:
    example = httpx.get(f"{server.url}/v1/losses/{loss}", timeout=30).json()["example"]
    response = COMPUTE.Case(path_parameters={"name": loss}, body={**example, "grad": True}).call_and_validate(
        base_url=server.url, checks=EXPLICIT_CHECKS, timeout=30
    )
    assert response.status_code == 200, response.text


def test_a_batch_of_results_and_problems_conforms(server: Server) -> None:
    items = [
        {"loss": "mse", **SEED},
        {"loss": "nope", "inputs": {}},
        5,
        {"loss": "mse", "inputs": {"input": ["1.5"], "target": [1]}},
    ]
    response = BATCH.Case(body={"items": items}).call_and_validate(
        base_url=server.url, checks=EXPLICIT_CHECKS, timeout=30
    )
    assert [sorted(r) for r in response.json()["results"]][1:] == [["error"]] * 3


@pytest.mark.parametrize(
    "inputs",
    [
        pytest.param({"input": [0.5] * 17, "target": 0.5}, id="tensor-elements"),
        pytest.param({"input": [[[[0.5]]]], "target": 0.5}, id="dims"),
    ],
)
def test_a_limit_problem_conforms(small_server: Server, inputs: dict[str, Any]) -> None:
    response = COMPUTE.Case(path_parameters={"name": "mse"}, body={"inputs": inputs}).call_and_validate(
        base_url=small_server.url, checks=EXPLICIT_CHECKS, timeout=30
    )
    assert response.status_code == 413
