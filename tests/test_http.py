"""The HTTP rules of the contract (api.md: "Tensors on the wire", "Errors", "Batch", "Endpoints"),
through a real lossd server."""

import base64
import gzip
import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import torch
import torch.nn.functional as F

import lossd
from lossd.settings import Settings

from conftest import Server
from wire import assert_close, from_wire, to_wire

PROBLEM = "application/problem+json"
INPUT = [2.5, 4.8, 6.9, 9.5]
TARGET = [3, 5, 7, 9]
SEED = {"inputs": {"input": INPUT, "target": TARGET}, "grad": ["input"]}
SEED_VALUE = 0.13749998807907104  # the contract's own example: float32, widened exactly


def seed(**changes: Any) -> dict[str, Any]:
    """The seed example with fields replaced (or added)."""
    return {**json.loads(json.dumps(SEED)), **changes}


def torch_mse(
    dtype: torch.dtype = torch.float32, reduction: str = "mean", grad_output: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """torch's value of the seed example and its gradient with respect to `input`."""
    x = torch.tensor(INPUT, dtype=dtype, requires_grad=True)
    value = F.mse_loss(x, torch.tensor(TARGET, dtype=dtype), reduction=reduction)
    (grad,) = torch.autograd.grad(value, x, grad_output if grad_output is not None else torch.ones_like(value))
    return value.detach(), grad


def compute(client: httpx.Client, body: Any, name: str = "mse") -> dict[str, Any]:
    r = client.post(f"/v1/losses/{name}", json=body)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    out: dict[str, Any] = r.json()
    return out


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    """The response's RFC 9457 problem, checked: status, media type, and the members every problem has."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["status"] == status
    if status == 422:
        assert body["errors"], "a 422 lists its errors"
        for error in body["errors"]:
            assert isinstance(error["loc"], list) and error["loc"][:1] != ["body"]
            assert isinstance(error["msg"], str) and error["msg"]
    return body


def locs(body: dict[str, Any]) -> list[list[Any]]:
    return [e["loc"] for e in body["errors"]]


def assert_seed_example_right(client: httpx.Client) -> None:
    value, grad = torch_mse()
    out = compute(client, SEED)
    assert out["value"] == SEED_VALUE == value.item()
    assert out["grads"] == {"input": grad.double().tolist()}


# --- the seed example ------------------------------------------------------------------------


def test_seed_example_value_is_torchs_float32_value_widened_exactly(client: httpx.Client) -> None:
    value, _ = torch_mse()
    out = compute(client, SEED)
    assert out["value"] == SEED_VALUE == value.item()
    assert (out["loss"], out["shape"], out["dtype"], out["device"]) == ("mse", [], "float32", "cpu")
    assert "warnings" not in out


def test_seed_example_gradient_is_torchs_float32_gradient_widened_exactly(client: httpx.Client) -> None:
    _, grad = torch_mse()
    assert compute(client, SEED)["grads"] == {"input": grad.double().tolist()}


def test_seed_example_is_written_with_the_shortest_float64_digits(client: httpx.Client) -> None:
    r = client.post("/v1/losses/mse", json=SEED)
    assert '"value":0.13749998807907104' in r.text.replace(" ", "")


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mse", "MSE", "Mse", "MSELoss", "mseloss", "MSELOSS", "mse_loss", "MSE_Loss"])
def test_aliases_resolve_in_any_case_and_answer_with_the_canonical_name(client: httpx.Client, name: str) -> None:
    out = compute(client, SEED, name)
    assert out["loss"] == "mse"
    assert out["value"] == SEED_VALUE


@pytest.mark.parametrize("name", ["MSELoss", "mse_loss", "MSE"])
def test_descriptor_resolves_aliases(client: httpx.Client, name: str) -> None:
    r = client.get(f"/v1/losses/{name}")
    assert r.status_code == 200
    assert r.json()["name"] == "mse"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_loss_is_404_with_suggestions(client: httpx.Client, method: str) -> None:
    body = problem(client.request(method, "/v1/losses/mse_los", json=SEED), 404)
    assert "mse" in body["suggestions"]
    assert "mse_los" in body["detail"]


def test_unknown_path_is_404_problem(client: httpx.Client) -> None:
    problem(client.get("/v3/losses"), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v1/losses/mse", {"GET", "POST"}),
        ("DELETE", "/v1/losses/mse", {"GET", "POST"}),
        ("PATCH", "/v1/losses/MSELoss", {"GET", "POST"}),
        ("GET", "/v1/batch", {"POST"}),
        ("POST", "/healthz", {"GET", "HEAD"}),
        ("POST", "/v1/losses", {"GET"}),
    ],
)
def test_wrong_method_is_405_with_an_allow_header(
    client: httpx.Client, method: str, path: str, allowed: set[str]
) -> None:
    r = client.request(method, path)
    problem(r, 405)
    assert {m.strip() for m in r.headers["allow"].split(",")} == allowed


# --- bodies that are not JSON: 400; media types: 415 -----------------------------------------

NOT_JSON = [
    pytest.param(b'{"inputs": {"input": [1], "target": [1]}, "x": "\xff"}', id="not-utf-8"),
    pytest.param(b'\xff\xfe{"inputs": {}}', id="utf-16-bom"),
    pytest.param(b'{"inputs": {"input": [1], "target": [1]}', id="syntax-error"),
    pytest.param(b'{"inputs": {"input": [1], "target": [1]}} {}', id="trailing-data"),
    pytest.param(b"", id="empty-body"),
    pytest.param(b'{"inputs": {"input": [NaN], "target": [1]}}', id="bare-NaN"),
    pytest.param(b'{"inputs": {"input": [Infinity], "target": [1]}}', id="bare-Infinity"),
    pytest.param(b'{"inputs": {"input": [-Infinity], "target": [1]}}', id="bare-minus-Infinity"),
    pytest.param(b'{"inputs": {"input": [1e400, NaN], "target": [1, 2]}}', id="bare-NaN-after-overflow"),
    pytest.param(b'{"inputs": {"input": [1e400], "target": ["\\ud800"]}}', id="lone-surrogate-escape-after-overflow"),
    pytest.param(b'{"inputs": {"input": [1e400], "\xed\xa0\x80": [1]}}', id="utf-8-surrogate-after-overflow"),
    pytest.param(b"[" * 2000, id="nesting-too-deep"),
    pytest.param(b"[1e400, " + b"[" * 5000 + b"]" * 5000 + b"]", id="nesting-too-deep-after-overflow"),
    pytest.param(
        b'{"inputs": {"input": ' + b"[" * 2000 + b"1" + b"]" * 2000 + b', "target": [1]}}', id="tensor-nested-too-deep"
    ),
]


@pytest.mark.parametrize("body", NOT_JSON)
def test_a_body_that_is_not_json_is_400(client: httpx.Client, body: bytes) -> None:
    problem(client.post("/v1/losses/mse", content=body, headers={"content-type": "application/json"}), 400)


UNSUPPORTED = [
    pytest.param({"content-type": "text/plain"}, id="text-plain"),
    pytest.param({"content-type": "application/xml"}, id="application-xml"),
    pytest.param({"content-type": "application/x-www-form-urlencoded"}, id="form"),
    pytest.param({"content-type": "application/jsonx"}, id="json-lookalike"),
    pytest.param({"content-type": "application/json", "content-encoding": "gzip"}, id="gzip-encoding"),
    pytest.param({"content-type": "application/json", "content-encoding": "br"}, id="br-encoding"),
]


@pytest.mark.parametrize("headers", UNSUPPORTED)
def test_another_media_type_or_any_content_encoding_is_415(client: httpx.Client, headers: dict[str, str]) -> None:
    raw = json.dumps(SEED).encode()
    body = gzip.compress(raw) if headers.get("content-encoding") == "gzip" else raw
    problem(client.post("/v1/losses/mse", content=body, headers=headers), 415)


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.lossd+json"],
)
def test_json_media_types_are_accepted(client: httpx.Client, content_type: str) -> None:
    r = client.post("/v1/losses/mse", content=json.dumps(SEED).encode(), headers={"content-type": content_type})
    assert r.status_code == 200, r.text
    assert r.json()["value"] == SEED_VALUE


def test_a_body_without_content_type_is_read_as_json(client: httpx.Client) -> None:
    request = client.build_request("POST", "/v1/losses/mse", content=json.dumps(SEED).encode())
    assert "content-type" not in request.headers
    r = client.send(request)
    assert r.status_code == 200, r.text
    assert r.json()["value"] == SEED_VALUE


# --- 422: well-formed, wrong content ---------------------------------------------------------

INVALID = [
    pytest.param(
        seed(inputs={"input": ["1.5", 4.8, 6.9, 9.5], "target": TARGET}), ["inputs", "input", 0], id="numeric-string"
    ),
    pytest.param(
        seed(inputs={"input": INPUT, "target": [3, 5, 7, True]}), ["inputs", "target", 3], id="bool-in-numbers"
    ),
    pytest.param(seed(inputs={"input": [[1, 2], [3]], "target": TARGET}), ["inputs", "input"], id="ragged"),
    pytest.param(seed(inputs={"input": None, "target": TARGET}), ["inputs", "input"], id="null-tensor"),
    pytest.param(seed(inputs={"input": "NaN!", "target": TARGET}), ["inputs", "input"], id="bad-string-tensor"),
    pytest.param(
        seed(inputs={"input": {"dtype": "float32", "shape": [3], "data": INPUT}, "target": TARGET}),
        ["inputs", "input", "data"],
        id="typed-shape-mismatch",
    ),
    pytest.param(
        seed(inputs={"input": {"dtype": "FLOAT32", "data": INPUT}, "target": TARGET}),
        ["inputs", "input", "dtype"],
        id="upper-case-dtype",
    ),
    pytest.param(
        seed(inputs={"input": {"dtype": "float32", "shape": [4], "b64": "@@@"}, "target": TARGET}),
        ["inputs", "input", "b64"],
        id="bad-base64",
    ),
    pytest.param(seed(params={"reduction": True}), ["params", "reduction"], id="bool-as-param-string"),
    pytest.param(seed(params={"reduction": "avg"}), ["params", "reduction"], id="reduction-not-a-choice"),
    pytest.param(seed(params={"reductoin": "sum"}), ["params", "reductoin"], id="unknown-param"),
    pytest.param(seed(params={"size_average": True}), ["params", "size_average"], id="deprecated-size_average"),
    pytest.param(seed(params={"reduce": False}), ["params", "reduce"], id="deprecated-reduce"),
    pytest.param(seed(params=["mean"]), ["params"], id="params-not-an-object"),
    pytest.param(seed(grad="input"), ["grad"], id="grad-a-string"),
    pytest.param(seed(grad=1), ["grad"], id="grad-a-number"),
    pytest.param(seed(grad=[1]), ["grad", 0], id="grad-names-not-strings"),
    pytest.param(seed(grad=["var"]), ["grad", 0], id="grad-unknown-input"),
    pytest.param(seed(grad=None, grad_output=1.0), ["grad_output"], id="grad_output-without-grad"),
    pytest.param(seed(grad_output=[1.0, 1.0]), ["grad_output"], id="grad_output-wrong-shape"),
    pytest.param(seed(grad_output=["1"]), ["grad_output", 0], id="grad_output-numeric-string"),
    pytest.param(seed(dtype="float16"), ["dtype"], id="float16-compute-dtype"),
    pytest.param(seed(dtype="bfloat16"), ["dtype"], id="bfloat16-compute-dtype"),
    pytest.param(seed(dtype="FLOAT32"), ["dtype"], id="upper-case-compute-dtype"),
    pytest.param(seed(output_encoding="hex"), ["output_encoding"], id="unknown-output-encoding"),
    pytest.param(seed(reduction="sum"), ["reduction"], id="unknown-top-level-field"),
    pytest.param(
        seed(inputs={"input": INPUT, "target": TARGET, "weight": INPUT}), ["inputs", "weight"], id="unknown-input"
    ),
    pytest.param(seed(inputs={"input": INPUT}), ["inputs", "target"], id="missing-input"),
    pytest.param({"grad": ["input"]}, ["inputs"], id="missing-inputs"),
    pytest.param(seed(inputs=None), ["inputs"], id="null-inputs"),
    pytest.param(seed(inputs=[INPUT, TARGET]), ["inputs"], id="inputs-a-list"),
    pytest.param([SEED], [], id="body-an-array"),
]


@pytest.mark.parametrize(("body", "loc"), INVALID)
def test_wrong_content_is_422_naming_the_field_from_the_body_root(
    client: httpx.Client, body: Any, loc: list[Any]
) -> None:
    assert loc in locs(problem(client.post("/v1/losses/mse", json=body), 422))


@pytest.mark.parametrize("name", ["size_average", "reduce"])
def test_deprecated_arguments_name_reduction_instead(client: httpx.Client, name: str) -> None:
    body = problem(client.post("/v1/losses/mse", json=seed(params={name: True})), 422)
    (msg,) = [e["msg"] for e in body["errors"] if e["loc"] == ["params", name]]
    assert "reduction" in msg


def test_unknown_input_and_missing_input_are_both_listed(client: httpx.Client) -> None:
    body = problem(client.post("/v1/losses/mse", json=seed(inputs={"input": INPUT, "targets": TARGET})), 422)
    assert {("inputs", "targets"), ("inputs", "target")} <= {tuple(loc) for loc in locs(body)}


def test_a_boolean_is_not_a_number_param(client: httpx.Client) -> None:
    body = {"inputs": {"input": INPUT, "target": TARGET}, "params": {"delta": True}}
    assert ["params", "delta"] in locs(problem(client.post("/v1/losses/huber", json=body), 422))


def test_grad_of_a_non_differentiable_input_is_422(client: httpx.Client) -> None:
    body = {"inputs": {"input": [[-0.5, -1.0], [-1.2, -0.3]], "target": [0, 1]}, "grad": ["input", "target"]}
    assert ["grad", 1] in locs(problem(client.post("/v1/losses/nll", json=body), 422))


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        pytest.param(
            b'{"inputs": {"input": [2.5, 1e400, 6.9, 9.5], "target": [3, 5, 7, 9]}}', ["inputs", "input", 1], id="plain"
        ),
        pytest.param(
            b'{"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [[3, 5], [7, -1e400]]}}',
            ["inputs", "target", 1, 1],
            id="nested",
        ),
        pytest.param(
            b'{"inputs": {"input": {"dtype": "float64", "data": [1e999, 0, 0, 0]}, "target": [3, 5, 7, 9]}}',
            ["inputs", "input", "data", 0],
            id="typed",
        ),
        pytest.param(b'{"inputs": {"input": 1e400, "target": 1}}', ["inputs", "input"], id="0d"),
        pytest.param(
            b'{"inputs": {"input": [1' + b"0" * 400 + b', 1e400], "target": [1, 2]}}',
            ["inputs", "input", 0],
            id="long-integer",
        ),
        pytest.param(
            b'{"inputs": {"input": [2.5, 4.8], "target": [3, 5]}, "grad": ["input"], "grad_output": 1e400}',
            ["grad_output"],
            id="grad_output",
        ),
        pytest.param(
            b'{"inputs": {"input": [2.5, 4.8], "target": [3, 5]}, "params": {"delta": 1e400}}',
            ["params", "delta"],
            id="param",
        ),
    ],
)
def test_a_number_beyond_float64_is_422_naming_that_element(client: httpx.Client, raw: bytes, loc: list[Any]) -> None:
    name = "huber" if b"delta" in raw else "mse"
    body = problem(client.post(f"/v1/losses/{name}", content=raw, headers={"content-type": "application/json"}), 422)
    assert loc in locs(body)


# --- null means the default ------------------------------------------------------------------


@pytest.mark.parametrize("field", ["params", "dtype", "output_encoding", "grad_output"])
def test_null_means_the_default(client: httpx.Client, field: str) -> None:
    assert compute(client, seed(**{field: None})) == compute(client, SEED)


def test_null_param_means_its_default(client: httpx.Client) -> None:
    assert compute(client, seed(params={"reduction": None})) == compute(client, seed(params={"reduction": "mean"}))


@pytest.mark.parametrize("grad", [None, False, []])
def test_null_false_or_no_grad_gives_no_grads(client: httpx.Client, grad: Any) -> None:
    out = compute(client, seed(grad=grad))
    assert out["value"] == SEED_VALUE
    assert "grads" not in out


def test_grad_true_gives_every_differentiable_input(client: httpx.Client) -> None:
    x = torch.tensor(INPUT, requires_grad=True)
    t = torch.tensor(TARGET, dtype=torch.float32, requires_grad=True)
    gx, gt = torch.autograd.grad(F.mse_loss(x, t), (x, t))
    assert compute(client, seed(grad=True))["grads"] == {"input": gx.double().tolist(), "target": gt.double().tolist()}


# --- encodings, dtypes, VJPs -----------------------------------------------------------------


def test_output_encoding_b64_gives_the_binary_form_of_the_values(client: httpx.Client) -> None:
    value, grad = torch_mse(reduction="none")
    out = compute(client, seed(params={"reduction": "none"}, output_encoding="b64"))
    assert set(out["value"]) == {"dtype", "shape", "b64"}
    assert (out["value"]["dtype"], out["value"]["shape"]) == ("float32", [4])
    assert torch.equal(from_wire(out["value"]), value)
    assert torch.equal(from_wire(out["grads"]["input"]), grad)


def test_output_encoding_b64_leaves_a_reduced_value_a_number(client: httpx.Client) -> None:
    out = compute(client, seed(output_encoding="b64"))
    assert out["value"] == SEED_VALUE
    assert out["grads"]["input"]["dtype"] == "float32"


def test_dtype_float64_computes_in_float64(client: httpx.Client) -> None:
    value, grad = torch_mse(torch.float64)
    out = compute(client, seed(dtype="float64"))
    assert out["dtype"] == "float64"
    assert_close(torch.tensor(out["value"], dtype=torch.float64), value, torch.float64, "value")
    assert_close(from_wire(out["grads"]["input"]), grad, torch.float64, "grad")


@pytest.mark.parametrize("form", ["typed", "b64"])
@pytest.mark.parametrize("wire_dtype", [torch.float16, torch.bfloat16, torch.float64, torch.int32])
def test_wire_dtypes_are_cast_to_the_compute_dtype(client: httpx.Client, form: str, wire_dtype: torch.dtype) -> None:
    x = torch.tensor(INPUT).to(wire_dtype)
    t = torch.tensor(TARGET).to(wire_dtype)
    want = F.mse_loss(x.float(), t.float())
    out = compute(client, {"inputs": {"input": to_wire(x, form), "target": to_wire(t, form)}})
    assert out["value"] == want.item()


def test_reduction_none_with_grad_output_gives_torchs_vjp(client: httpx.Client) -> None:
    go = torch.tensor([1.0, -2.0, 0.5, 3.0])
    value, grad = torch_mse(reduction="none", grad_output=go)
    out = compute(client, seed(params={"reduction": "none"}, grad_output=go.tolist()))
    assert out["shape"] == [4]
    assert out["value"] == value.double().tolist()
    assert out["grads"] == {"input": grad.double().tolist()}


def test_a_scalar_grad_output_scales_the_gradient(client: httpx.Client) -> None:
    _, grad = torch_mse(grad_output=torch.tensor(2.0))
    assert compute(client, seed(grad_output=2.0))["grads"] == {"input": grad.double().tolist()}


def test_non_finite_values_travel_as_strings_both_ways(client: httpx.Client) -> None:
    body = {
        "inputs": {"input": ["NaN", "Infinity", 1.0], "target": [0, 0, "-Infinity"]},
        "params": {"reduction": "none"},
    }
    want = F.mse_loss(
        torch.tensor([float("nan"), float("inf"), 1.0]), torch.tensor([0.0, 0.0, float("-inf")]), reduction="none"
    )
    out = compute(client, body)
    assert out["value"] == ["NaN", "Infinity", "Infinity"]
    assert torch.equal(from_wire(out["value"], torch.float32).isnan(), want.isnan())


# --- 413: limits (a server with tiny limits) -------------------------------------------------

SMALL = {
    "max_body_bytes": 4096,
    "max_tensor_elements": 16,
    "max_total_elements": 24,
    "max_dims": 3,
    "max_batch_items": 3,
}


def too_large(r: httpx.Response, limit: str) -> dict[str, Any]:
    body = problem(r, 413)
    assert body["limit"] == limit
    assert body["limit_value"] == SMALL[limit]
    assert limit in body["detail"] and str(SMALL[limit]) in body["detail"]
    return body


def _padded_seed(size: int) -> bytes:
    raw = json.dumps(SEED).encode()
    return raw + b" " * (size - len(raw))


def test_a_body_over_max_body_bytes_is_413(small_client: httpx.Client) -> None:
    r = small_client.post("/v1/losses/mse", content=_padded_seed(5000), headers={"content-type": "application/json"})
    too_large(r, "max_body_bytes")


def test_a_chunked_body_over_max_body_bytes_is_413(small_client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        raw = _padded_seed(5000)
        for i in range(0, len(raw), 1000):
            yield raw[i : i + 1000]

    request = small_client.build_request(
        "POST", "/v1/losses/mse", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in request.headers and request.headers["transfer-encoding"] == "chunked"
    too_large(small_client.send(request), "max_body_bytes")


def test_a_body_of_max_body_bytes_is_read(small_client: httpx.Client) -> None:
    r = small_client.post("/v1/losses/mse", content=_padded_seed(4096), headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text


OVER_LIMITS = [
    pytest.param({"input": [0.5] * 17, "target": 0.5}, "max_tensor_elements", id="plain-tensor-elements"),
    pytest.param(
        {"input": {"dtype": "float32", "shape": [17], "data": [0.5]}, "target": 0.5},
        "max_tensor_elements",
        id="declared-shape-wrong-data",
    ),
    pytest.param(
        {"input": {"dtype": "float32", "shape": [4, 5], "b64": ""}, "target": 0.5},
        "max_tensor_elements",
        id="declared-binary-shape",
    ),
    pytest.param({"input": [[[[0.5]]]], "target": 0.5}, "max_dims", id="plain-rank"),
    pytest.param(
        {"input": {"dtype": "float32", "shape": [1, 1, 1, 1], "data": [0.5]}, "target": 0.5},
        "max_dims",
        id="declared-rank",
    ),
    pytest.param({"input": [0.5] * 12, "target": [0.5] * 13}, "max_total_elements", id="total-elements"),
]


@pytest.mark.parametrize(("inputs", "limit"), OVER_LIMITS)
def test_a_tensor_over_a_limit_is_413_naming_the_limit(
    small_client: httpx.Client, inputs: dict[str, Any], limit: str
) -> None:
    too_large(small_client.post("/v1/losses/mse", json={"inputs": inputs}), limit)


def test_a_batch_over_max_batch_items_is_413(small_client: httpx.Client) -> None:
    item = {"loss": "mse", "inputs": {"input": [1.0], "target": [0.0]}}
    too_large(small_client.post("/v1/batch", json={"items": [item] * 4}), "max_batch_items")


def test_a_batch_over_max_total_elements_is_a_whole_request_413(small_client: httpx.Client) -> None:
    item = {"loss": "mse", "inputs": {"input": [1.0] * 8, "target": [0.0] * 8}}
    too_large(small_client.post("/v1/batch", json={"items": [item, item]}), "max_total_elements")


def test_a_batch_item_over_max_tensor_elements_is_413_in_its_slot(small_client: httpx.Client) -> None:
    good = {"loss": "mse", "inputs": {"input": [1.0], "target": [0.0]}}
    bad = {"loss": "mse", "inputs": {"input": {"dtype": "float32", "shape": [17], "data": [1.0]}, "target": 0.0}}
    r = small_client.post("/v1/batch", json={"items": [good, bad]})
    assert r.status_code == 200, r.text
    first, second = r.json()["results"]
    assert first["value"] == 1.0
    assert second["error"]["status"] == 413 and second["error"]["limit"] == "max_tensor_elements"


def test_limits_within_bounds_are_computed(small_client: httpx.Client) -> None:
    # 3 dims (max_dims); 11 input elements + the 11-element unreduced loss + 1 = 23 ≤ max_total_elements.
    inputs = {"input": {"dtype": "float32", "shape": [1, 1, 11], "data": [0.5] * 11}, "target": 0.0}
    assert compute(small_client, {"inputs": inputs})["value"] == 0.25


def test_the_loss_tensor_counts_toward_max_total_elements(small_client: httpx.Client) -> None:
    inputs = {"input": [0.5] * 8, "target": [0.0] * 8}
    assert compute(small_client, {"inputs": inputs})["value"] == 0.25  # 8 + 8 + 8 = 24
    too_large(
        small_client.post("/v1/losses/mse", json={"inputs": {"input": [0.5] * 9, "target": [0.0] * 9}}),
        "max_total_elements",
    )


# --- batch -----------------------------------------------------------------------------------


def item(input_: list[float], target: list[float], **extra: Any) -> dict[str, Any]:
    return {"loss": "mse", "inputs": {"input": input_, "target": target}, **extra}


def batch(client: httpx.Client, items: list[Any]) -> list[dict[str, Any]]:
    r = client.post("/v1/batch", json={"items": items})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    results: list[dict[str, Any]] = r.json()["results"]
    assert len(results) == len(items)
    return results


def test_batch_results_are_in_order(client: httpx.Client) -> None:
    pairs = [([1.0, 2.0], [0.0, 0.0]), ([3.0], [1.0]), ([0.5, 0.5, 0.5], [0.0, 1.0, 2.0])]
    results = batch(client, [item(x, t) for x, t in pairs])
    assert [r["value"] for r in results] == [F.mse_loss(torch.tensor(x), torch.tensor(t)).item() for x, t in pairs]


def test_batch_items_take_every_compute_field(client: httpx.Client) -> None:
    (seed_result, none_result) = batch(
        client,
        [
            {"loss": "MSELoss", **SEED},
            item(INPUT, TARGET, params={"reduction": "none"}, dtype="float64", output_encoding="b64"),
        ],
    )
    assert seed_result == compute(client, SEED)
    value, _ = torch_mse(torch.float64, reduction="none")
    assert torch.equal(from_wire(none_result["value"]), value)


def test_a_bad_item_gets_its_own_problem_and_its_neighbours_succeed(client: httpx.Client) -> None:
    good = item([1.0, 2.0], [0.0, 0.0])
    bad = item([1.0, 2.0], [0.0, 0.0], params={"reductoin": "sum"})
    first, second, third = batch(client, [good, bad, good])
    assert first["value"] == third["value"] == 2.5
    assert second["error"]["status"] == 422
    assert ["items", 1, "params", "reductoin"] in [e["loc"] for e in second["error"]["errors"]]


@pytest.mark.parametrize(
    ("bad", "loc"),
    [
        pytest.param(5, ["items", 1], id="not-an-object"),
        pytest.param({"inputs": {"input": [1.0], "target": [0.0]}}, ["items", 1, "loss"], id="missing-loss"),
        pytest.param(item([1.0], [0.0], colour="red"), ["items", 1, "colour"], id="unknown-field"),
        pytest.param(item(["1.5"], [0.0]), ["items", 1, "inputs", "input", 0], id="numeric-string"),
        pytest.param(item([1.0], [0.0], grad_output=1.0), ["items", 1, "grad_output"], id="grad_output-without-grad"),
        pytest.param(item([1.0], [0.0], dtype="float16"), ["items", 1, "dtype"], id="float16"),
    ],
)
def test_a_bad_items_problem_names_fields_from_the_body_root(client: httpx.Client, bad: Any, loc: list[Any]) -> None:
    good = item([1.0], [0.0])
    first, second, third = batch(client, [good, bad, good])
    assert first["value"] == third["value"] == 1.0
    assert set(second) == {"error"}
    assert loc in [e["loc"] for e in second["error"]["errors"]]


def test_an_unknown_loss_in_an_item_is_a_404_slot(client: httpx.Client) -> None:
    good = item([1.0], [0.0])
    first, second = batch(client, [good, {**good, "loss": "mse_los"}])
    assert first["value"] == 1.0
    assert second["error"]["status"] == 404
    assert "mse" in second["error"]["suggestions"]


def test_a_batch_where_every_item_fails_is_still_200(client: httpx.Client) -> None:
    results = batch(client, [5, {"loss": "nope"}])
    assert all(set(r) == {"error"} for r in results)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        pytest.param({"items": []}, ["items"], id="empty-batch"),
        pytest.param({}, ["items"], id="missing-items"),
        pytest.param({"items": {"loss": "mse"}}, ["items"], id="items-not-a-list"),
        pytest.param({"items": [item([1.0], [0.0])], "dtype": "float64"}, ["dtype"], id="unknown-envelope-field"),
    ],
)
def test_a_bad_batch_envelope_is_422(client: httpx.Client, body: Any, loc: list[Any]) -> None:
    assert loc in locs(problem(client.post("/v1/batch", json=body), 422))


# --- service endpoints -----------------------------------------------------------------------


def test_info_reports_version_torch_devices_and_limits(client: httpx.Client) -> None:
    r = client.get("/v1/info")
    assert r.status_code == 200
    info = r.json()
    defaults = Settings()
    assert info["version"] == lossd.__version__
    assert info["torch"] == torch.__version__
    assert "cpu" in info["devices"]
    assert info["limits"] == {
        "max_body_bytes": defaults.max_body_bytes,
        "max_points_per_request": defaults.max_points_per_request,
        "max_tensor_elements": defaults.max_tensor_elements,
        "max_total_elements": defaults.max_total_elements,
        "max_dims": defaults.max_dims,
        "max_batch_items": defaults.max_batch_items,
        "request_timeout_s": defaults.request_timeout_s,
    }


def test_info_reports_the_limits_in_force(small_server: Server, small_client: httpx.Client) -> None:
    settings: Settings = small_server.server.config.app.state.settings
    limits = small_client.get("/v1/info").json()["limits"]
    assert {k: limits[k] for k in SMALL} == SMALL == {k: getattr(settings, k) for k in SMALL}
    assert limits["request_timeout_s"] == settings.request_timeout_s


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_endpoints_answer_200(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"


# --- bad input never changes what the next request gets ---------------------------------------

BAD_REQUESTS = (
    [
        pytest.param({"content": b, "headers": {"content-type": "application/json"}}, id=f"400-{p.id}")
        for p in NOT_JSON
        for b in p.values
    ]
    + [
        pytest.param({"content": json.dumps(SEED).encode(), "headers": p.values[0]}, id=f"415-{p.id}")
        for p in UNSUPPORTED
    ]
    + [pytest.param({"json": p.values[0]}, id=f"422-{p.id}") for p in INVALID]
)


@pytest.mark.parametrize("request_kwargs", BAD_REQUESTS)
def test_the_seed_example_is_still_right_after_a_bad_request(
    client: httpx.Client, request_kwargs: dict[str, Any]
) -> None:
    r = client.post("/v1/losses/mse", **request_kwargs)
    assert 400 <= r.status_code < 500, r.text
    assert_seed_example_right(client)


@pytest.mark.parametrize(
    "body",
    [_padded_seed(5000), json.dumps({"inputs": {"input": [0.5] * 17, "target": 0.5}}).encode()],
    ids=["body", "elements"],
)
def test_the_small_server_still_computes_after_a_413(small_client: httpx.Client, body: bytes) -> None:
    r = small_client.post("/v1/losses/mse", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert_seed_example_right(small_client)


# --- work, time and hygiene ------------------------------------------------------------------


def test_a_broadcast_that_would_build_an_oversized_loss_is_413(client: httpx.Client) -> None:
    column = {"dtype": "float32", "shape": [4097, 1], "data": [0.0] * 4097}
    row = {"dtype": "float32", "shape": [1, 4097], "data": [0.0] * 4097}
    body = problem(client.post("/v1/losses/l1", json={"inputs": {"input": column, "target": row}}), 413)
    assert body["limit"] == "max_tensor_elements" and "16785409" in body["detail"]


def test_a_ctc_whose_alignment_table_is_oversized_is_413(client: httpx.Client) -> None:
    t, s = 3000, 3000  # 3000 × (2·3000 + 1) ≈ 18M cells, over max_tensor_elements
    body = {
        "inputs": {
            "log_probs": {"dtype": "float32", "shape": [t, 1, 2], "b64": base64.b64encode(bytes(4 * t * 2)).decode()},
            "targets": {"dtype": "int64", "shape": [1, s], "data": [1] * s},
            "input_lengths": [t],
            "target_lengths": [s],
        }
    }
    assert problem(client.post("/v1/losses/ctc", json=body), 413)["limit"] == "max_tensor_elements"


def test_a_batch_whose_loss_tensors_add_up_over_the_limit_is_a_whole_request_413(small_client: httpx.Client) -> None:
    broadcast = {"loss": "mse", "inputs": {"input": [[0.0], [1.0], [2.0]], "target": [[0.0, 1.0, 2.0]]}}
    too_large(small_client.post("/v1/batch", json={"items": [broadcast] * 3}), "max_total_elements")


def test_a_body_that_stops_arriving_is_408(small_server: Server) -> None:
    port = int(small_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST /v1/losses/mse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
        s.sendall(b"Content-Length: 100\r\n\r\n{")
        answer = b""
        while b"body_timeout_s" not in answer and (chunk := s.recv(65536)):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"application/problem+json" in answer and b"body_timeout_s" in answer


def test_the_off_loop_path_gives_the_same_answer(small_client: httpx.Client) -> None:
    assert_seed_example_right(small_client)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/v2/health/live", "/v2/health/ready"])
def test_health_answers_head(client: httpx.Client, path: str) -> None:
    r = client.head(path)
    assert r.status_code == 200 and r.content == b""


def test_a_trailing_slash_is_404_not_a_redirect(client: httpx.Client) -> None:
    problem(client.post("/v1/losses/mse/", json=seed()), 404)


def test_a_float64_tensor_computed_in_float32_is_noted(client: httpx.Client) -> None:
    body = seed(inputs={"input": to_wire(torch.tensor([2.5, 4.8], dtype=torch.float64), "b64"), "target": [3, 5]})
    warnings = compute(client, body)["warnings"]
    assert any("float64" in w and "input" in w for w in warnings), warnings
    assert "warnings" not in compute(client, {**body, "dtype": "float64"})


def test_a_422_names_every_independent_field_at_fault(client: httpx.Client) -> None:
    body = {
        "inputs": {"input": [[1.0, "x"]], "target": [True, 1]},
        "params": {"reduction": "avg", "label_smoothing": -1},
    }
    found = locs(problem(client.post("/v1/losses/cross_entropy", json=body), 422))
    for loc in (
        ["params", "reduction"],
        ["params", "label_smoothing"],
        ["inputs", "input", 0, 1],
        ["inputs", "target"],
    ):
        assert any(got[: len(loc)] == loc for got in found), (loc, found)


def test_a_non_finite_string_param_says_params_are_finite(client: httpx.Client) -> None:
    body = {"inputs": {"input": [1.0], "target": [1.0]}, "params": {"delta": "Infinity"}}
    (msg,) = [e["msg"] for e in problem(client.post("/v1/losses/huber", json=body), 422)["errors"]]
    assert "finite" in msg
