"""The Open Inference Protocol (KServe V2) over REST, through Triton's own client and by hand.

References are torch.nn on the same tensors, computed here; lossd's catalogue is never the reference.
"""

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import ml_dtypes
import numpy as np
import orjson
import pytest
import torch
import torch.nn.functional as F
import tritonclient.http as triton
from tritonclient.utils import InferenceServerException

from lossd.codec import Limits
from lossd.errors import (
    ComputeTimeout,
    FieldError,
    InvalidRequest,
    LimitExceeded,
    LossdError,
    MalformedBody,
    PoolBusy,
    UnknownLoss,
    UnsupportedMediaType,
)
from lossd.http.body import join_aligned
from lossd.http.oip import error_response
from lossd.oip.tensors import decode_binary

from conftest import Server
from wire import assert_close

RNG = np.random.default_rng(4)


@pytest.fixture(scope="module")
def oip(server: Server) -> Iterator[triton.InferenceServerClient]:
    client = triton.InferenceServerClient(server.url.removeprefix("http://"), network_timeout=60)
    yield client
    client.close()


def tensor(a: np.ndarray) -> torch.Tensor:
    """A client's numpy output as a tensor (tritonclient's arrays are read-only views of its buffer)."""
    return torch.from_numpy(np.array(a))


def rand(*shape: int, dtype: Any = np.float32) -> np.ndarray:
    return RNG.standard_normal(shape).astype(dtype)


@dataclass
class Case:
    """A loss computed through the protocol: its inputs, request parameters, and torch.nn's reference."""

    model: str
    inputs: dict[str, np.ndarray]
    module: Callable[[], torch.nn.Module]
    grad: tuple[str, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    # tensors the module takes as constructor arguments rather than as inputs (`pos_weight`)
    tensor_params: tuple[str, ...] = ()
    compute: torch.dtype = torch.float32

    def reference(self) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        x = {
            name: torch.from_numpy(a.astype(np.float32) if a.dtype == np.float16 else a).clone()
            for name, a in self.inputs.items()
        }
        x = {n: t.to(self.compute) if t.is_floating_point() else t.long() for n, t in x.items()}
        for name in self.grad:
            x[name].requires_grad_(True)
        kwargs = {n: x.pop(n) for n in self.tensor_params}
        value = self.module(**kwargs)(*x.values())
        grads = torch.autograd.grad(value, [x[n] for n in self.grad], torch.ones_like(value)) if self.grad else ()
        return value.detach(), dict(zip(self.grad, grads, strict=True))


def _datatype(a: np.ndarray) -> str:
    return {"float16": "FP16", "float32": "FP32", "float64": "FP64", "int32": "INT32", "int64": "INT64"}[str(a.dtype)]


CASES = [
    Case("mse", {"input": rand(3, 4), "target": rand(3, 4)}, torch.nn.MSELoss, ("input", "target")),
    Case(
        "CrossEntropyLoss",
        {"input": rand(5, 3), "target": RNG.integers(0, 3, 5)},
        lambda: torch.nn.CrossEntropyLoss(label_smoothing=0.1),
        ("input",),
        {"label_smoothing": 0.1},
    ),
    Case(
        "nll",
        {"input": rand(4, 3), "target": RNG.integers(0, 3, 4).astype(np.int32)},
        lambda: torch.nn.NLLLoss(reduction="sum"),
        ("input",),
        {"reduction": "sum"},
    ),
    Case(
        "huber",
        {"input": rand(2, 3, dtype=np.float64), "target": rand(2, 3, dtype=np.float64)},
        lambda: torch.nn.HuberLoss(reduction="none", delta=0.5),
        ("input",),
        {"reduction": "none", "delta": 0.5},
        compute=torch.float64,
    ),
    Case(
        "bce_with_logits",
        {"input": rand(2, 3), "target": RNG.random((2, 3)).astype(np.float32), "pos_weight": rand(3) ** 2},
        lambda pos_weight: torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight),
        ("input", "target"),
        tensor_params=("pos_weight",),
    ),
    Case("l1", {"input": rand(6).astype(np.float16), "target": rand(6)}, torch.nn.L1Loss, ("input",)),
    Case(
        "margin_ranking",
        {"input1": rand(4), "input2": rand(4), "target": np.array([1, -1, 1, -1], dtype=np.float32)},
        lambda: torch.nn.MarginRankingLoss(margin=0.2),
        ("input1", "input2"),
        {"margin": 0.2},
    ),
]


def _infer(client: triton.InferenceServerClient, case: Case, binary: bool, version: str = "") -> triton.InferResult:
    inputs = []
    for name, a in case.inputs.items():
        inp = triton.InferInput(name, list(a.shape), _datatype(a))
        inp.set_data_from_numpy(a, binary_data=binary)
        inputs.append(inp)
    outputs = [triton.InferRequestedOutput(n, binary_data=binary) for n in ["loss", *(f"grad_{g}" for g in case.grad)]]
    return client.infer(case.model, inputs, model_version=version, outputs=outputs, parameters=case.parameters)


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
@pytest.mark.parametrize("case", CASES, ids=[c.model for c in CASES])
def test_tritonclient_gets_torch_values_and_gradients(
    oip: triton.InferenceServerClient, case: Case, binary: bool
) -> None:
    result = _infer(oip, case, binary)
    value, grads = case.reference()
    assert_close(tensor(result.as_numpy("loss")), value, case.compute, "loss")
    for name, want in grads.items():
        assert_close(tensor(result.as_numpy(f"grad_{name}")), want, case.compute, f"grad_{name}")


def test_outputs_carry_the_compute_datatype(oip: triton.InferenceServerClient) -> None:
    result = _infer(oip, CASES[3], binary=True)
    assert {o["name"]: o["datatype"] for o in result.get_response()["outputs"]} == {
        "loss": "FP64",
        "grad_input": "FP64",
    }


def test_bf16_inputs_travel_binary_and_are_widened(oip: triton.InferenceServerClient) -> None:
    x, y = (np.array(rand(8), dtype=ml_dtypes.bfloat16) for _ in range(2))
    inputs = []
    for name, a in (("input", x), ("target", y)):
        inp = triton.InferInput(name, [8], "BF16")
        inp.set_data_from_numpy(a)
        inputs.append(inp)
    result = oip.infer("mse", inputs, parameters={"grad": "input"})
    tx, ty = (torch.from_numpy(a.view(np.uint16)).view(torch.bfloat16).float() for a in (x, y))
    tx.requires_grad_(True)
    want = torch.nn.MSELoss()(tx, ty)
    (grad,) = torch.autograd.grad(want, tx)
    assert_close(tensor(result.as_numpy("loss")), want, torch.float32, "loss")
    assert_close(tensor(result.as_numpy("grad_input")), grad, torch.float32, "grad_input")


def fp32_inputs(case: Case) -> list[triton.InferInput]:
    """The case's inputs as FP32 tensors in the binary form (tritonclient's default)."""
    inputs = []
    for name, a in case.inputs.items():
        inp = triton.InferInput(name, list(a.shape), "FP32")
        inp.set_data_from_numpy(a)
        inputs.append(inp)
    return inputs


def test_without_requested_outputs_every_output_is_binary_and_grad_names_the_gradients(
    oip: triton.InferenceServerClient,
) -> None:
    case = CASES[0]
    result = oip.infer("mse", fp32_inputs(case), parameters={"grad": "input, target"})
    outputs = result.get_response()["outputs"]
    assert [o["name"] for o in outputs] == ["loss", "grad_input", "grad_target"]
    assert all("binary_data_size" in o["parameters"] for o in outputs)
    _, grads = case.reference()
    assert_close(tensor(result.as_numpy("grad_target")), grads["target"], torch.float32, "grad_target")


@pytest.mark.parametrize("grad", [True, "true", "True"], ids=["boolean", "string", "capitalised-string"])
def test_grad_true_differentiates_every_input_however_it_is_sent(oip: triton.InferenceServerClient, grad: Any) -> None:
    outputs = oip.infer("mse", fp32_inputs(CASES[0]), parameters={"grad": grad}).get_response()["outputs"]
    assert [o["name"] for o in outputs] == ["loss", "grad_input", "grad_target"]


def test_the_version_segment_reaches_the_same_model(oip: triton.InferenceServerClient) -> None:
    result = _infer(oip, CASES[0], binary=True, version="1")
    assert result.get_response()["model_version"] == "1"
    assert_close(tensor(result.as_numpy("loss")), CASES[0].reference()[0], torch.float32, "loss")


def test_the_server_and_a_model_by_any_name_are_live_and_ready(oip: triton.InferenceServerClient) -> None:
    assert oip.is_server_live() and oip.is_server_ready()
    assert oip.is_model_ready("mse") and oip.is_model_ready("MSELoss", "1")


def test_server_metadata_names_the_binary_extension(oip: triton.InferenceServerClient) -> None:
    assert "binary_tensor_data" in oip.get_server_metadata()["extensions"]


def test_model_metadata_lists_inputs_and_outputs_with_variable_dims(oip: triton.InferenceServerClient) -> None:
    meta = oip.get_model_metadata("MSELoss")
    assert meta["name"] == "mse" and meta["versions"] == ["1"]
    assert meta["inputs"] == [
        {"name": "input", "datatype": "FP32", "shape": [-1]},
        {"name": "target", "datatype": "FP32", "shape": [-1]},
    ]
    assert [o["name"] for o in meta["outputs"]] == ["loss", "grad_input", "grad_target"]


def test_an_unknown_model_is_an_exception_with_status_404(oip: triton.InferenceServerClient) -> None:
    with pytest.raises(InferenceServerException) as info:
        oip.get_model_metadata("msee")
    assert info.value.status() == "404"
    assert not oip.is_model_ready("msee")


def test_index_metadata_is_int64(oip: triton.InferenceServerClient) -> None:
    meta = oip.get_model_metadata("nll")
    assert {i["name"]: i["datatype"] for i in meta["inputs"]} == {"input": "FP32", "target": "INT64"}


# --- by hand: the documented request, the binary extension byte by byte ------------------------------

# KServe's documented V2 request for its sklearn iris example (nested FP32 rows, two by four), with the
# tensor names a loss takes: a loss has no input called "input-0".
IRIS = [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]


def test_kserves_documented_request_shape_works(client: httpx.Client) -> None:
    body = {
        "id": "42",
        "inputs": [
            {"name": "input", "shape": [2, 4], "datatype": "FP32", "data": IRIS},
            {"name": "target", "shape": [2, 4], "datatype": "FP32", "data": IRIS[::-1]},
        ],
        "outputs": [{"name": "loss"}],
    }
    r = client.post("/v2/models/mse/infer", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["id"] == "42" and out["model_name"] == "mse"
    want = torch.nn.MSELoss()(torch.tensor(IRIS), torch.tensor(IRIS[::-1]))
    (loss,) = out["outputs"]
    assert loss["shape"] == [] and loss["datatype"] == "FP32"
    assert_close(torch.tensor(loss["data"][0]), want, torch.float32, "loss")


def binary_request(
    inputs: list[tuple[str, np.ndarray, str]], parameters: dict[str, Any] | None = None, **extra: Any
) -> tuple[bytes, dict[str, str]]:
    """A request in the binary tensor data extension: the JSON header, then each input's bytes in order."""
    header = {
        "inputs": [
            {"name": n, "shape": list(a.shape), "datatype": d, "parameters": {"binary_data_size": a.nbytes}}
            for n, a, d in inputs
        ],
        **({"parameters": parameters} if parameters else {}),
        **extra,
    }
    head = orjson.dumps(header)
    body = head + b"".join(a.astype(a.dtype.newbyteorder("<")).tobytes() for _, a, _ in inputs)
    return body, {"Inference-Header-Content-Length": str(len(head)), "Content-Type": "application/octet-stream"}


def split_response(r: httpx.Response) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The JSON header and each binary output as a numpy array, read by hand."""
    n = int(r.headers["Inference-Header-Content-Length"])
    header = orjson.loads(r.content[:n])
    arrays, offset = {}, n
    for o in header["outputs"]:
        size = o["parameters"]["binary_data_size"]
        dtype = {"FP32": np.float32, "FP64": np.float64}[o["datatype"]]
        arrays[o["name"]] = np.frombuffer(r.content[offset : offset + size], "<" + np.dtype(dtype).char)
        arrays[o["name"]] = arrays[o["name"]].reshape(o["shape"])
        offset += size
    assert offset == len(r.content)
    return header, arrays


def test_binary_request_and_response_byte_by_byte(client: httpx.Client) -> None:
    x, y = rand(2, 2), rand(2, 2)
    body, headers = binary_request(
        [("input", x, "FP32"), ("target", y, "FP32")], {"binary_data_output": True, "grad": True}
    )
    r = client.post("/v2/models/smooth_l1/infer", content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/octet-stream"
    header, arrays = split_response(r)
    assert [o["name"] for o in header["outputs"]] == ["loss", "grad_input", "grad_target"]
    tx, ty = torch.from_numpy(x).requires_grad_(True), torch.from_numpy(y).requires_grad_(True)
    want = torch.nn.SmoothL1Loss()(tx, ty)
    gx, gy = torch.autograd.grad(want, [tx, ty])
    assert_close(tensor(arrays["loss"]), want, torch.float32, "loss")
    assert_close(tensor(arrays["grad_input"]), gx, torch.float32, "grad_input")
    assert_close(tensor(arrays["grad_target"]), gy, torch.float32, "grad_target")


def test_an_output_binary_data_parameter_overrides_binary_data_output(client: httpx.Client) -> None:
    body, headers = binary_request(
        [("input", rand(3), "FP32"), ("target", rand(3), "FP32")],
        {"binary_data_output": True},
        outputs=[{"name": "loss", "parameters": {"binary_data": False}}, {"name": "grad_input"}],
    )
    r = client.post("/v2/models/mse/infer", content=body, headers=headers)
    header = orjson.loads(r.content[: int(r.headers["Inference-Header-Content-Length"])])
    loss, grad = header["outputs"]
    assert "data" in loss and "parameters" not in loss
    assert grad["parameters"] == {"binary_data_size": 12} and "data" not in grad


def test_non_finite_json_outputs_are_the_v1_strings(client: httpx.Client) -> None:
    body = {
        "inputs": [
            {"name": "input", "shape": [2], "datatype": "FP32", "data": ["Infinity", 1.0]},
            {"name": "target", "shape": [2], "datatype": "FP32", "data": [0.0, 1.0]},
        ],
        "parameters": {"reduction": "none"},
    }
    r = client.post("/v2/models/l1/infer", json=body)
    assert r.json()["outputs"][0]["data"] == ["Infinity", 0.0]


def test_binary_inputs_share_the_body_memory() -> None:
    body = bytearray(np.arange(6, dtype="<f4").tobytes())
    t = decode_binary(memoryview(body), "FP32", [2, 3], ("inputs", 0), Limits(100, 4))
    assert t.data_ptr() == np.frombuffer(body, np.uint8).ctypes.data
    assert t.tolist() == [[0, 1, 2], [3, 4, 5]]


def test_misaligned_binary_inputs_are_copied_and_decoded() -> None:
    body = bytearray(b"x" + np.arange(3, dtype="<f8").tobytes())
    t = decode_binary(memoryview(body)[1:], "FP64", [3], ("inputs", 0), Limits(100, 4))
    assert t.tolist() == [0.0, 1.0, 2.0]


# --- bad input: status and the protocol's {"error"} ----------------------------------------------------

F2 = {"shape": [2], "datatype": "FP32", "data": [1.0, 2.0]}


def json_body(*inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"inputs": list(inputs), **extra}


def named(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, **F2, **fields}


def mse_with(parameters: dict[str, Any], says: str, id: str) -> Any:
    """A valid mse request but for its `parameters`: a 400 that `says` something."""
    return pytest.param("mse", json_body(named("input"), named("target"), parameters=parameters), 400, says, id=id)


BAD_JSON = [
    pytest.param(
        "mse", json_body(named("input", datatype="UINT8"), named("target")), 400, "datatype", id="unsupported-datatype"
    ),
    pytest.param(
        "mse",
        json_body(named("input", data=[1.0]), named("target")),
        400,
        "do not match shape",
        id="data-count-not-shape",
    ),
    pytest.param(
        "mse",
        json_body(named("input", data=[[1.0, 2.0], [3.0, 4.0]]), named("target")),
        400,
        "do not match",
        id="nested-data-not-shape",
    ),
    pytest.param(
        "mse", json_body(named("input", data=[1.0, "x"]), named("target")), 400, "inputs.0.data", id="data-not-numbers"
    ),
    pytest.param("mse", json_body(named("input", data=None), named("target")), 400, "give data", id="no-data"),
    pytest.param("mse", json_body(named("input", shape=[-2]), named("target")), 400, "shape", id="negative-shape"),
    pytest.param("mse", json_body(named("input")), 400, "target: required input is missing", id="missing-input"),
    pytest.param(
        "mse", json_body(named("input"), named("target"), named("input")), 400, "given twice", id="input-twice"
    ),
    pytest.param(
        "mse", json_body(named("input"), named("target"), named("weight")), 400, "no input 'weight'", id="unknown-input"
    ),
    mse_with({"reductio": "sum"}, "parameters.reductio", "unknown-parameter"),
    mse_with({"reduction": "avg"}, "parameters.reduction", "bad-reduction"),
    mse_with({"grad": 3}, "parameters.grad", "grad-not-names"),
    pytest.param(
        "nll",
        json_body(named("input"), named("target", datatype="INT64", data=[0, 1]), parameters={"grad": "target"}),
        400,
        "grad",
        id="grad-of-indices",
    ),
    pytest.param(
        "nll",
        json_body(named("input", shape=[1, 2], data=[1, 2]), named("target", shape=[1], data=[1.0])),
        400,
        "inputs.target: expected integer indices",
        id="float-class-indices",
    ),
    pytest.param(
        "mse",
        json_body(named("input"), named("target"), outputs=[{"name": "grad_weight"}]),
        400,
        "no output",
        id="unknown-output",
    ),
    pytest.param(
        "mse",
        json_body(named("input"), named("target"), outputs=[{"name": "loss"}] * 2),
        400,
        "twice",
        id="output-twice",
    ),
    pytest.param(
        "mse",
        json_body(named("input", parameters={"binary_data_size": 8}), named("target")),
        400,
        "not both",
        id="data-and-binary-size",
    ),
    pytest.param(
        "mse", json_body(named("input"), named("target"), model="mse"), 400, "model", id="unknown-request-field"
    ),
    pytest.param("mse", {"inputs": []}, 400, "inputs", id="no-inputs"),
    pytest.param("msee", json_body(named("input"), named("target")), 404, "did you mean mse", id="unknown-model"),
    pytest.param(
        "mse/versions/2", json_body(named("input"), named("target")), 404, "no version '2'", id="unknown-version"
    ),
]


@pytest.mark.parametrize(("model", "body", "status", "says"), BAD_JSON)
def test_bad_json_requests_are_errors(client: httpx.Client, model: str, body: Any, status: int, says: str) -> None:
    r = client.post(f"/v2/models/{model}/infer", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    assert list(r.json()) == ["error"] and says in r.json()["error"]


def _with(body: bytes, headers: dict[str, str], **changes: str) -> tuple[bytes, dict[str, str]]:
    return body, {**headers, **changes}


def _binary(
    size: int | None = None, data: bytes | None = None, header: str | bytes | None = None
) -> tuple[bytes, dict]:
    x = np.ones(2, dtype=np.float32)
    body, headers = binary_request([("input", x, "FP32"), ("target", x, "FP32")])
    head = body[: int(headers["Inference-Header-Content-Length"])]
    if size is not None:
        head = head.replace(b'"binary_data_size":8', f'"binary_data_size":{size}'.encode(), 1)
        headers["Inference-Header-Content-Length"] = str(len(head))
    if header is not None:
        headers["Inference-Header-Content-Length"] = header
    return head + (data if data is not None else x.tobytes() * 2), headers


def _declared_only(shape: list[int]) -> tuple[bytes, dict[str, str]]:
    """A binary request whose input declares `shape` and 4 bytes, and sends none."""
    inp = {"name": "input", "shape": shape, "datatype": "FP32", "parameters": {"binary_data_size": 4}}
    head = orjson.dumps({"inputs": [inp]})
    return head, {"Inference-Header-Content-Length": str(len(head))}


BAD_BINARY = [
    pytest.param(_binary(size=4, data=b"\0" * 12), "binary_data_size", id="size-not-shape-bytes"),
    pytest.param(_binary(data=b"\0" * 12), "fewer than the inputs declare", id="data-short"),
    pytest.param(_binary(data=b"\0" * 20), "sum to 16", id="data-long"),
    pytest.param(_binary(header="99999"), "Inference-Header-Content-Length", id="header-past-body"),
    pytest.param(_binary(header="x"), "Inference-Header-Content-Length", id="header-not-a-number"),
    # "²" (the byte 0xB2 read as latin-1) is a digit to str.isdigit, not to int()
    pytest.param(_binary(header=b"\xb2"), "Inference-Header-Content-Length", id="header-a-superscript-digit"),
    pytest.param(_binary(header="3"), "not valid JSON", id="header-cut"),
]


@pytest.mark.parametrize(("request_", "says"), BAD_BINARY)
def test_bad_binary_requests_are_400(client: httpx.Client, request_: tuple[bytes, dict], says: str) -> None:
    body, headers = request_
    r = client.post("/v2/models/mse/infer", content=body, headers=headers)
    assert r.status_code == 400, r.text
    assert says in r.json()["error"]


def test_bool_binary_bytes_other_than_0_and_1_are_400(client: httpx.Client) -> None:
    x = rand(2)
    body, headers = binary_request([("input", x, "FP32"), ("target", np.array([2, 1], np.uint8), "BOOL")])
    r = client.post("/v2/models/mse/infer", content=body, headers=headers)
    assert r.status_code == 400 and "0 or 1" in r.json()["error"]


@pytest.mark.parametrize(
    ("body", "headers", "says"),
    [
        pytest.param(
            orjson.dumps(json_body(named("input", shape=[20], data=[0.0] * 20), named("target"))),
            {},
            "max_tensor_elements",
            id="tensor-elements",
        ),
        pytest.param(b"{" + b" " * 5000 + b"}", {}, "max_body_bytes", id="body-bytes"),
        pytest.param(
            *binary_request([("input", np.zeros(20, np.float32), "FP32"), ("target", rand(2), "FP32")]),
            "max_tensor_elements",
            id="binary-tensor-elements",
        ),
        pytest.param(*_declared_only([5000]), "max_tensor_elements", id="binary-shape-over-limit-before-bytes"),
    ],
)
def test_requests_over_the_v1_limits_are_413(
    small_client: httpx.Client, body: bytes, headers: dict[str, str], says: str
) -> None:
    r = small_client.post("/v2/models/mse/infer", content=body, headers=headers)
    assert r.status_code == 413, r.text
    assert says in r.json()["error"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (MalformedBody("the body is not valid JSON"), 400),
        (UnknownLoss("msee", ["mse"]), 404),
        (LimitExceeded("max_body_bytes", 10, "the request body is too large"), 413),
        (UnsupportedMediaType("content type 'text/plain' is not accepted"), 415),
        (PoolBusy("full", retry_after_s=2), 503),
        (ComputeTimeout("the computation ran past request_timeout_s = 30"), 504),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_each_domain_error_is_the_protocols_error_with_v1s_status(error: LossdError, status: int) -> None:
    r = error_response(error)
    assert (r.status_code, orjson.loads(r.body)) == (status, {"error": error.detail})
    assert r.headers.get("retry-after") == ("2" if status == 503 else None)


def test_an_invalid_request_is_a_400_naming_every_field() -> None:
    error = InvalidRequest([FieldError(("inputs", 0, "data"), "bad"), FieldError(("parameters", "margin"), "worse")])
    r = error_response(error)
    assert (r.status_code, orjson.loads(r.body)) == (400, {"error": "inputs.0.data: bad; parameters.margin: worse"})


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/v2/models/mse/infer", 405), ("POST", "/v2/repository/index", 404), ("DELETE", "/v2", 405)],
    ids=["wrong-method", "no-such-route", "wrong-method-on-the-root"],
)
def test_routing_refusals_under_v2_are_in_the_protocols_error_shape(
    client: httpx.Client, method: str, path: str, status: int
) -> None:
    r = client.request(method, path)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json" and set(r.json()) == {"error"}


@pytest.mark.parametrize("header_length", [1, 7, 63, 64, 100, 4099])
def test_a_binary_body_is_read_with_its_tensors_aligned_whatever_the_header_length(header_length: int) -> None:
    header = b"{" + b" " * (header_length - 2) + b"}" if header_length > 1 else b"{"
    data = np.arange(1000, dtype=np.float64).tobytes()
    chunks = [header + data[:100], data[100:5000], data[5000:]]
    body = join_aligned(chunks, len(header) + len(data), header_length)
    assert bytes(body) == b"".join(chunks)
    tensor = decode_binary(body[header_length:], "FP64", [1000], ("inputs", 0), Limits(10_000, 4))
    assert tensor.data_ptr() % 64 == 0
    assert tensor.data_ptr() == np.frombuffer(body, dtype=np.uint8).ctypes.data + header_length  # read in place
    assert torch.equal(tensor, torch.arange(1000, dtype=torch.float64))


def test_whitespace_around_the_header_length_is_not_part_of_it(client: httpx.Client) -> None:
    x, y = rand(3), rand(3)
    body, headers = binary_request([("input", x, "FP32"), ("target", y, "FP32")])
    n = headers["Inference-Header-Content-Length"]
    head = (
        "POST /v2/models/mse/infer HTTP/1.1\r\nHost: lossd\r\nContent-Type: application/octet-stream\r\n"
        f"Inference-Header-Content-Length: \t{n}  \r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    assert client.base_url.port is not None
    with socket.create_connection(("127.0.0.1", client.base_url.port), timeout=30) as s:
        s.sendall(head.encode() + body)
        answer = b"".join(iter(lambda: s.recv(65536), b""))
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    loss = orjson.loads(answer.split(b"\r\n\r\n", 1)[1])["outputs"][0]["data"][0]
    assert_close(torch.tensor(loss), F.mse_loss(torch.from_numpy(x), torch.from_numpy(y)), torch.float32, "loss")


def test_two_different_header_lengths_are_400(client: httpx.Client) -> None:
    body, headers = binary_request([("input", rand(3), "FP32"), ("target", rand(3), "FP32")])
    n = headers.pop("Inference-Header-Content-Length")
    twice = [*headers.items(), ("Inference-Header-Content-Length", n), ("Inference-Header-Content-Length", "3")]
    r = client.post("/v2/models/mse/infer", content=body, headers=twice)
    assert r.status_code == 400, r.text
    assert "Inference-Header-Content-Length" in r.json()["error"]
    again = [*headers.items(), ("Inference-Header-Content-Length", n), ("Inference-Header-Content-Length", n)]
    assert client.post("/v2/models/mse/infer", content=body, headers=again).status_code == 200
