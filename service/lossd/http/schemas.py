"""Wire schemas, one per direction. Tensors stay raw JSON here; the codec decodes them."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

_NONFINITE = {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}
_NESTED = {
    "type": "array",
    "description": "A rectangular nested list of numbers (or booleans); non-finite values as strings.",
    "items": {},
}
_DTYPE = {"type": "string", "enum": ["float16", "bfloat16", "float32", "float64", "int32", "int64", "bool"]}
TENSOR_SCHEMA: dict[str, Any] = {
    "title": "Tensor",
    "description": (
        "A tensor in one of three forms: plain JSON (a number or a rectangular nested list); "
        'typed JSON {"dtype", "shape"?, "data"}; or binary {"dtype", "shape", "b64"} holding the '
        "base64 of the little-endian row-major bytes. Non-finite numbers are the strings "
        '"NaN", "Infinity" and "-Infinity".'
    ),
    "anyOf": [
        {"type": "number"},
        {"type": "boolean"},
        _NONFINITE,
        _NESTED,
        {
            "type": "object",
            "title": "TypedTensor",
            "properties": {
                "dtype": _DTYPE,
                "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                "data": {"anyOf": [{"type": "number"}, {"type": "boolean"}, _NONFINITE, _NESTED]},
            },
            "required": ["dtype", "data"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "title": "BinaryTensor",
            "properties": {
                "dtype": _DTYPE,
                "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                "b64": {"type": "string", "contentEncoding": "base64"},
            },
            "required": ["dtype", "shape", "b64"],
            "additionalProperties": False,
        },
    ],
}
Tensor = Annotated[Any, WithJsonSchema(TENSOR_SCHEMA)]
Value = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "number"}, _NONFINITE, TENSOR_SCHEMA]})]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


_SEED = {"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 9.0]}, "grad": ["input"]}


class ComputeRequest(_Strict):
    """Compute one loss. `null` means the default for every optional field."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SEED]})

    inputs: dict[str, Tensor] = Field(description="The loss's inputs by their torch.nn.functional names.")
    params: dict[str, Any] | None = Field(
        None, description="Constructor arguments of the torch.nn class (reduction, weight, margin, …)."
    )
    grad: Annotated[
        Any,
        WithJsonSchema(
            {"anyOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}, {"type": "null"}]}
        ),
    ] = Field(None, description="Inputs to differentiate: a list of names, or true for every differentiable input.")
    grad_output: Tensor | None = Field(
        None, description="The vector of a vector–Jacobian product, shaped like the value; default ones."
    )
    dtype: Literal["float32", "float64"] | None = Field(None, description="Compute dtype; default float32.")
    output_encoding: Literal["json", "b64"] | None = Field(
        None, description="Tensor outputs as nested lists (json, default) or the binary form (b64)."
    )

    @field_validator("grad", mode="plain")
    @classmethod
    def _grad(cls, value: Any) -> bool | list[str] | None:
        # Checked by hand: a pydantic union would put its member names into `loc`.
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, list):
            return value  # each element is checked against the loss's inputs, with its index in `loc`
        raise ValueError("must be a list of input names, or a boolean")


class BatchItem(ComputeRequest):
    model_config = ConfigDict(json_schema_extra={"examples": [{"loss": "mse", **_SEED}]})

    loss: str = Field(description="The loss's name or alias.")


class BatchRequest(_Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [{"loss": "mse", **_SEED}, {"loss": "l1", **_SEED}]}]}
    )

    items: list[Any] = Field(
        min_length=1,
        description="Compute requests, each with its `loss`; each is validated and answered on its own.",
        json_schema_extra={"items": {"$ref": "#/components/schemas/BatchItem"}},
    )


class ComputeResponse(BaseModel):
    loss: str = Field(description="The canonical name of the loss.")
    value: Value = Field(description="A number for a reduced loss, a tensor for reduction none.")
    shape: list[int]
    dtype: Literal["float32", "float64"]
    grads: dict[str, Tensor] | None = Field(None, description="Present when asked for: one per input named.")
    device: str
    warnings: list[str] | None = Field(None, description="What PyTorch warns of on these inputs; absent if nothing.")


class FieldErrorOut(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """An RFC 9457 problem."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorOut] | None = Field(None, description="On every 422: what is wrong, and where.")
    suggestions: list[str] | None = Field(None, description="On an unknown loss: the closest names.")
    limit: str | None = Field(None, description="On a 413: the limit's name.")
    limit_value: float | None = Field(None, description="On a 413: the limit's value.")


class BatchSlotError(BaseModel):
    error: Problem


class BatchResponse(BaseModel):
    results: list[ComputeResponse | BatchSlotError]


class Catalogue(BaseModel):
    losses: list[dict[str, Any]]


class Health(BaseModel):
    status: str
