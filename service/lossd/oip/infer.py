"""An inference request as a v1 computation, and its result as an inference response.

Each loss is a model (version "1"); its inputs are the loss's named tensors, plus any tensor-valued param
(`weight`, `pos_weight`) and `grad_output`, sent as inputs of the same name. Request `parameters` are the
loss's params, except `grad` and `binary_data_output`. Outputs: `loss`, and `grad_<input>` for each input
differentiated (named by `grad`, or by asking for the output). Validation is v1's `prepare`: a v1 422 is
an inference 400 here.
"""

import math
from dataclasses import dataclass
from typing import Any

import orjson
import torch

from .. import __version__
from ..catalogue import CATALOGUE
from ..catalogue.spec import Loss
from ..catalogue.validate import Prepared, prepare
from ..codec import ElementBudget, Limits, WireTensor, check_size
from ..compute.engine import Result
from ..errors import FieldError, InvalidRequest, Loc, UnknownVersion
from ..settings import Settings
from . import tensors
from .wire import (
    BINARY_DATA,
    BINARY_DATA_OUTPUT,
    BINARY_DATA_SIZE,
    GRAD,
    HEADER_LENGTH,
    InferenceRequest,
    ModelMetadata,
    ServerMetadata,
    TensorMetadata,
)

VERSION = "1"
LOSS_OUTPUT = "loss"
GRAD_PREFIX = "grad_"
GRAD_OUTPUT = "grad_output"
EXTENSIONS = ["binary_tensor_data"]
_INDEX_ROLES = {"index", "class_target"}


@dataclass(frozen=True)
class Plan:
    """What to answer: each output's name and whether it travels binary, in the response's order."""

    model: str
    id: str | None
    outputs: tuple[tuple[str, bool], ...]


def server_metadata() -> dict[str, Any]:
    return ServerMetadata(name="lossd", version=__version__, extensions=EXTENSIONS).model_dump()


def model(name: str, version: str | None = None) -> Loss:
    """The loss served as model `name`; raises `UnknownLoss` (404) for an unknown name, `UnknownVersion` (404)
    for a version other than "1"."""
    loss = CATALOGUE.resolve(name)
    if version is not None and version != VERSION:
        raise UnknownVersion(loss.name, version, [VERSION])
    return loss


def model_metadata(loss: Loss) -> dict[str, Any]:
    """Inputs and outputs with -1 for each dimension of any size; a loss takes tensors of several ranks, so a
    variable rank is written [-1] too (the loss's v1 descriptor says which shapes it takes)."""
    inputs = [
        TensorMetadata(name=i.name, datatype="INT64" if i.role in _INDEX_ROLES else "FP32", shape=[-1])
        for i in loss.inputs
    ]
    outputs = [TensorMetadata(name=LOSS_OUTPUT, datatype="FP32", shape=[])]
    outputs += [
        TensorMetadata(name=GRAD_PREFIX + i.name, datatype="FP32", shape=[-1]) for i in loss.inputs if i.differentiable
    ]
    return ModelMetadata(
        name=loss.name, versions=[VERSION], platform="torch", inputs=inputs, outputs=outputs
    ).model_dump()


def header_length(value: str | None) -> int | None:
    """`Inference-Header-Content-Length` as a byte count; None when the header is absent.

    Raises `InvalidRequest` (a 400 here) for anything but ASCII digits (`str.isdigit` also takes `²`).
    """
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):
        raise InvalidRequest.at(("headers", HEADER_LENGTH), f"must be the JSON header's byte count; got {value!r}")
    return int(value)


def split_body(body: bytearray | memoryview, header_length: int | None) -> tuple[memoryview, memoryview]:
    """The JSON header and the binary data after it (`header_length` bytes of JSON, or all JSON when None)."""
    view = memoryview(body)
    if header_length is None:
        return view, view[len(view) :]
    if header_length > len(body):
        raise InvalidRequest.at(
            ("headers", HEADER_LENGTH),
            f"must be the JSON header's byte count, at most the body's {len(body)} bytes; got {header_length}",
        )
    return view[:header_length], view[header_length:]


def prepare_infer(loss: Loss, req: InferenceRequest, binary: memoryview, settings: Settings) -> tuple[Prepared, Plan]:
    """Decode the tensors, split the parameters and validate with v1's `prepare`.

    Raises `InvalidRequest` (a 400 here) for anything wrong, `LimitExceeded` (413) over a limit.
    """
    limits = Limits(settings.max_tensor_elements, settings.max_dims)
    budget = ElementBudget(settings.max_total_elements)
    decoded = _decode_inputs(req, binary, limits)
    params = dict(req.parameters or {})
    grad = _grad(params.pop(GRAD, None))
    binary_output = params.pop(BINARY_DATA_OUTPUT, False)
    if not isinstance(binary_output, bool):
        raise InvalidRequest.at(("parameters", BINARY_DATA_OUTPUT), "must be true or false")
    tensor_params = {p.name for p in loss.params if p.type == "tensor"}
    inputs: dict[str, Any] = {}
    grad_output = None
    for name, wire in decoded.items():
        if name == GRAD_OUTPUT:
            grad_output = wire
        elif name in tensor_params:
            if name in params:
                raise InvalidRequest.at(("inputs", name), f"{name} is given as an input and as a parameter")
            params[name] = wire
        else:
            inputs[name] = wire
    outputs = _outputs(loss, req, binary_output)
    asked = [name.removeprefix(GRAD_PREFIX) for name, _ in outputs if name != LOSS_OUTPUT]
    if asked:  # asking for grad_<x> differentiates x
        grad = True if grad is True else list(dict.fromkeys([*(grad or []), *asked]))
    floating = [w.tensor.dtype for n, w in inputs.items() if w.tensor.is_floating_point()]
    dtype = "float64" if torch.float64 in floating else "float32"
    try:
        job = prepare(loss, inputs, params, grad, grad_output, dtype, limits, budget)
    except InvalidRequest as e:
        raise InvalidRequest([FieldError(_oip_loc(err.loc), err.msg) for err in e.errors]) from None
    if not outputs:
        outputs = ((LOSS_OUTPUT, binary_output), *((GRAD_PREFIX + n, binary_output) for n in job.grad))
    return job, Plan(loss.name, req.id, outputs)


def _oip_loc(loc: Loc) -> Loc:
    """v1's `params.<name>` is a request parameter here."""
    return ("parameters", *loc[1:]) if loc[:1] == ("params",) else loc


def _decode_inputs(req: InferenceRequest, binary: memoryview, limits: Limits) -> dict[str, WireTensor]:
    out: dict[str, WireTensor] = {}
    offset = 0
    for i, inp in enumerate(req.inputs):
        loc: Loc = ("inputs", i)
        if inp.name in out:
            raise InvalidRequest.at(loc + ("name",), f"input {inp.name!r} is given twice")
        extra = set(inp.parameters or {}) - {BINARY_DATA_SIZE}
        if extra:
            raise InvalidRequest.at(
                loc + ("parameters", min(extra)), f"unknown input parameter; the only one is {BINARY_DATA_SIZE}"
            )
        size = (inp.parameters or {}).get(BINARY_DATA_SIZE)
        if size is None:
            if inp.data is None:
                raise InvalidRequest.at(loc + ("data",), f"give data, or {BINARY_DATA_SIZE} bytes after the header")
            t = tensors.decode_json(inp.data, inp.datatype, inp.shape, loc, limits)
        else:
            if inp.data is not None:
                raise InvalidRequest.at(loc + ("data",), f"give data or {BINARY_DATA_SIZE}, not both")
            check_size(tuple(inp.shape), loc, limits)  # limits come first, as in v1: a 413 before any byte count
            want = tensors.nbytes(inp.datatype, inp.shape)
            if not isinstance(size, int) or isinstance(size, bool) or size != want:
                raise InvalidRequest.at(
                    loc + ("parameters", BINARY_DATA_SIZE),
                    f"shape {inp.shape} of {inp.datatype} holds {want} bytes; {BINARY_DATA_SIZE} is {size!r}",
                )
            if offset + size > len(binary):
                raise InvalidRequest.at(
                    loc + ("parameters", BINARY_DATA_SIZE),
                    f"the binary data after the header holds {len(binary)} bytes, fewer than the inputs declare",
                )
            t = tensors.decode_binary(binary[offset : offset + size], inp.datatype, inp.shape, loc, limits)
            offset += size
        out[inp.name] = WireTensor(t, plain=False)
    if offset != len(binary):
        raise InvalidRequest.at(
            ("inputs",),
            f"the binary data after the header holds {len(binary)} bytes; the inputs' {BINARY_DATA_SIZE} sum to "
            f"{offset}",
        )
    return out


def _grad(value: Any) -> bool | list[str] | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.strip().lower() in ("true", "false"):  # clients that send every parameter as a string
            return value.strip().lower() == "true"
        return [name.strip() for name in value.split(",") if name.strip()]
    raise InvalidRequest.at(("parameters", GRAD), "must be input names, comma-separated, or true for all")


def _outputs(loss: Loss, req: InferenceRequest, binary_output: bool) -> tuple[tuple[str, bool], ...]:
    known = [LOSS_OUTPUT, *(GRAD_PREFIX + i.name for i in loss.inputs if i.differentiable)]
    out: list[tuple[str, bool]] = []
    for i, o in enumerate(req.outputs or []):
        loc: Loc = ("outputs", i)
        if o.name not in known:
            raise InvalidRequest.at(loc + ("name",), f"{loss.name} has no output {o.name!r}; its outputs are {known}")
        if o.name in dict(out):
            raise InvalidRequest.at(loc + ("name",), f"output {o.name!r} is asked for twice")
        params = dict(o.parameters or {})
        binary = params.pop(BINARY_DATA, binary_output)
        if params:
            raise InvalidRequest.at(loc + ("parameters", min(params)), f"unknown output parameter; use {BINARY_DATA}")
        if not isinstance(binary, bool):
            raise InvalidRequest.at(loc + ("parameters", BINARY_DATA), "must be true or false")
        out.append((o.name, binary))
    return tuple(out)


def render(job: Prepared, result: Result, plan: Plan) -> tuple[dict[str, Any], list[memoryview]]:
    """The response header (JSON-ready, tensors as numpy arrays or lists) and the binary chunks after it."""
    chunks: list[memoryview] = []
    outputs = []
    for name, binary in plan.outputs:
        t = result.value if name == LOSS_OUTPUT else result.grads[name.removeprefix(GRAD_PREFIX)]
        out: dict[str, Any] = {"name": name, "datatype": tensors.DATATYPE_NAMES[t.dtype], "shape": list(t.shape)}
        if binary:
            chunk = tensors.encode_binary(t)
            chunks.append(chunk)
            out["parameters"] = {BINARY_DATA_SIZE: len(chunk)}
        else:
            out["data"] = tensors.encode_json(t)
        outputs.append(out)
    header: dict[str, Any] = {"model_name": plan.model, "model_version": VERSION}
    if plan.id is not None:
        header["id"] = plan.id
    if job.warnings:
        header["parameters"] = {"warnings": " ".join(job.warnings)}
    header["outputs"] = outputs
    return header, chunks


def output_elements(job: Prepared) -> int:
    """Roughly how many numbers the response holds, to decide whether to encode it off the event loop."""
    return math.prod(job.value_shape) + sum(job.inputs[n].numel() for n in job.grad)


def dumps(header: dict[str, Any]) -> bytes:
    return orjson.dumps(header, option=orjson.OPT_SERIALIZE_NUMPY)
