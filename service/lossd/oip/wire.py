"""The Open Inference Protocol's (KServe V2) REST messages, one model per direction; no torch here.

Tensor contents stay raw (`data` as JSON, or bytes after the JSON header); lossd.oip.tensors decodes them.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

Datatype = Literal["BOOL", "INT32", "INT64", "FP16", "BF16", "FP32", "FP64"]

# Parameter values are strings, numbers or booleans (the protocol's `$parameters`).
ParameterValue = StrictBool | StrictInt | StrictFloat | StrictStr
Parameters = dict[str, ParameterValue]
Shape = list[Annotated[StrictInt, Field(ge=0)]]

# Parameter names lossd reads; every other request parameter is a loss param.
GRAD = "grad"
BINARY_DATA_OUTPUT = "binary_data_output"
BINARY_DATA = "binary_data"
BINARY_DATA_SIZE = "binary_data_size"
HEADER_LENGTH = "Inference-Header-Content-Length"


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RequestInput(_Message):
    """One input tensor: `data` in JSON (flat or nested, row-major), or `parameters.binary_data_size` bytes
    after the JSON header (the binary tensor data extension)."""

    name: StrictStr
    shape: Shape
    datatype: Datatype
    parameters: Parameters | None = None
    data: Any = None


class RequestOutput(_Message):
    """An output the client asks for; `parameters.binary_data` chooses binary over JSON for it."""

    name: StrictStr
    parameters: Parameters | None = None


class InferenceRequest(_Message):
    """`POST /v2/models/{model}/infer`'s body (its JSON header, with binary data)."""

    id: StrictStr | None = None
    parameters: Parameters | None = Field(
        None,
        description=(
            "The loss's params (`reduction`, `margin`, …); `grad`: the inputs to differentiate, comma-separated, "
            "or true for all the loss's differentiable inputs; `binary_data_output`: every output in binary."
        ),
    )
    inputs: list[RequestInput] = Field(min_length=1)
    outputs: list[RequestOutput] | None = None


class ResponseOutput(BaseModel):
    name: str
    shape: list[int]
    datatype: Datatype
    parameters: dict[str, Any] | None = None
    data: list[Any] | None = None


class InferenceResponse(BaseModel):
    model_name: str
    model_version: str | None = None
    id: str | None = None
    parameters: dict[str, Any] | None = None
    outputs: list[ResponseOutput]


class TensorMetadata(BaseModel):
    name: str
    datatype: Datatype
    shape: list[int] = Field(description="-1 for a dimension of any size.")


class ModelMetadata(BaseModel):
    name: str
    versions: list[str]
    platform: str
    inputs: list[TensorMetadata]
    outputs: list[TensorMetadata]


class ServerMetadata(BaseModel):
    name: str
    version: str
    extensions: list[str]


class ServerLive(BaseModel):
    live: bool


class ServerReady(BaseModel):
    ready: bool


class ModelReady(BaseModel):
    name: str
    ready: bool


class Error(BaseModel):
    error: str
