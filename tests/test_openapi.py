"""The contract as a product: the committed OpenAPI document (openapi/openapi.json) is what the app serves,
every operation has a stable id, a description and an example, each loss's example is the descriptor's,
errors are problem+json, the tensor forms are named schemas, and the examples are true of the service."""

import json
import math
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from lossd.catalogue import CATALOGUE
from lossd.catalogue.descriptor import describe
from lossd.http import examples
from lossd.http.openapi import document_text
from lossd.http.schemas import Problem

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "openapi" / "openapi.json"
DOC: dict[str, Any] = json.loads(document_text())
OPERATIONS = [(path, method, op) for path, item in DOC["paths"].items() for method, op in item.items()]
COMPUTE = DOC["paths"]["/v1/losses/{name}"]["post"]
DESCRIBE = DOC["paths"]["/v1/losses/{name}"]["get"]
NAMES = [loss.name for loss in CATALOGUE]


def test_the_committed_document_is_what_the_app_serves() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == document_text(), (
        "openapi/openapi.json differs from the app's document: run `make openapi` (then `make client`)"
    )


def test_the_served_document_is_the_committed_one(client: httpx.Client) -> None:
    assert client.get("/openapi.json").json() == json.loads(COMMITTED.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=[f"{m} {p}" for p, m, _ in OPERATIONS])
def test_every_operation_has_a_stable_id_a_description_and_an_example(
    path: str, method: str, op: dict[str, Any]
) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", op["operationId"]), op["operationId"]
    assert op.get("summary") and op.get("description")
    media = [*op.get("requestBody", {}).get("content", {}).values()]
    media += [m for status in ("200", "201") for m in op["responses"].get(status, {}).get("content", {}).values()]
    if not media:  # nothing to show: no body either way (a 204)
        assert "204" in op["responses"]
        return
    # an example of the request or the answer, or of the schema of either (Swagger UI shows that one too)
    schemas = [_resolve(m.get("schema", {})) for m in media]
    assert any("example" in m or m.get("examples") for m in media) or any(s.get("examples") for s in schemas), (
        f"{method} {path} has no example"
    )


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return dict(DOC["components"]["schemas"][ref.rsplit("/", 1)[1]]) if ref else schema


def test_operation_ids_are_unique_and_the_known_ones_stay() -> None:
    ids = [op["operationId"] for _, _, op in OPERATIONS]
    assert len(ids) == len(set(ids))
    known = {"losses-list", "losses-get", "losses-compute", "batch-compute", "losses-compare", "service-info"}
    assert known | {"service-live", "service-ready"} <= set(ids)


def test_each_loss_has_its_descriptors_example_for_try_it_out() -> None:
    body = COMPUTE["requestBody"]["content"]["application/json"]["examples"]
    assert sorted(body) == sorted(NAMES) and next(iter(body)) == "mse"  # the seed example first
    for loss in CATALOGUE:
        assert body[loss.name]["value"] == describe(loss)["example"]
        assert body[loss.name]["summary"].startswith(f"{loss.name}: ")
    (name,) = [p for p in COMPUTE["parameters"] if p["name"] == "name"]
    assert {k: v["value"] for k, v in name["examples"].items()} == {n: n for n in body}
    described = DESCRIBE["responses"]["200"]["content"]["application/json"]["examples"]
    assert {k: v["value"] for k, v in described.items()} == {loss.name: describe(loss) for loss in CATALOGUE}


def test_every_error_is_a_problem_with_an_example() -> None:
    for path, method, op in OPERATIONS:
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                media = response["content"]["application/problem+json"]
                assert media["schema"] == {"$ref": "#/components/schemas/Problem"}, (path, method, status)
                assert media["example"]["status"] == int(status)
                Problem.model_validate(media["example"])
            else:
                assert "application/problem+json" not in response.get("content", {})


def test_the_tensor_forms_are_named_schemas() -> None:
    schemas = DOC["components"]["schemas"]
    forms = [s.get("$ref", s.get("type")) for s in schemas["Tensor"]["anyOf"]]
    assert forms == [
        "number",
        "boolean",
        "#/components/schemas/NonFinite",
        "#/components/schemas/NestedList",
        "#/components/schemas/TypedTensor",
        "#/components/schemas/BinaryTensor",
    ]
    assert schemas["ComputeRequest"]["properties"]["inputs"]["additionalProperties"] == {
        "$ref": "#/components/schemas/Tensor"
    }
    assert schemas["BinaryTensor"]["required"] == ["dtype", "shape", "b64"]


def test_every_reference_resolves() -> None:
    refs: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(DOC)
    assert refs and all(ref.startswith("#/components/schemas/") for ref in refs)
    assert {ref.rsplit("/", 1)[1] for ref in refs} <= set(DOC["components"]["schemas"])
    assert "x-lossd-component" not in json.dumps(DOC)


# --- the examples are true: each answer is what lossd answers to its request ---


def _close(got: Any, want: Any, path: str = "") -> None:
    if isinstance(want, float) and isinstance(got, int | float):
        assert math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9), path
    elif isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), path
        for k in want:
            _close(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _close(g, w, f"{path}[{i}]")
    else:
        assert got == want, path


@pytest.mark.parametrize(
    ("path", "body", "answer"),
    [
        ("/v1/losses/mse", examples.SEED_REQUEST, examples.SEED_RESPONSE),
        ("/v1/batch", examples.BATCH_REQUEST, examples.BATCH_RESPONSE),
        ("/v1/compare", examples.COMPARE_REQUEST, examples.COMPARE_RESPONSE),
    ],
)
def test_each_answer_is_what_lossd_answers(client: httpx.Client, path: str, body: Any, answer: Any) -> None:
    method = "post"
    op = DOC["paths"][path.replace("/mse", "/{name}")][method]
    documented = op["requestBody"]["content"]["application/json"]
    assert documented.get("example", documented.get("examples", {}).get("mse", {}).get("value")) == body
    assert op["responses"]["200"]["content"]["application/json"]["example"] == answer
    _close(client.post(path, json=body).json(), answer)


@pytest.mark.parametrize(
    ("status", "request_args"),
    [
        (400, {"content": b"{bad", "headers": {"content-type": "application/json"}}),
        (404, {"url": "/v1/losses/mse_los", "json": examples.SEED_REQUEST}),
        (413, {"json": {"inputs": {"input": {"dtype": "float32", "shape": [5000, 5000], "b64": ""}, "target": 0.5}}}),
        (415, {"content": b"x", "headers": {"content-type": "text/plain"}}),
        (422, {"json": {"inputs": examples.SEED_INPUTS, "params": {"reduction": "avg"}}}),
    ],
)
def test_each_problem_example_is_what_lossd_answers(client: httpx.Client, status: int, request_args: Any) -> None:
    args = {"url": "/v1/losses/mse", **request_args}
    got = client.post(**args)
    assert got.status_code == status
    assert got.json() == examples.PROBLEMS[status]


def test_info_example_has_every_field(client: httpx.Client) -> None:
    info = client.get("/v1/info").json()
    assert sorted(info) == sorted(examples.INFO_RESPONSE)
    assert sorted(info["limits"]) == sorted(examples.INFO_RESPONSE["limits"])
