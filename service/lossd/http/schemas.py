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
# `null` means absent for a typed tensor's optional keys, as for every optional field.
_NULL = {"type": "null"}
_SHAPE = {"anyOf": [{"type": "array", "items": {"type": "integer", "minimum": 0}}, _NULL]}
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
                "shape": _SHAPE,
                "data": {"anyOf": [{"type": "number"}, {"type": "boolean"}, _NONFINITE, _NESTED]},
                "b64": _NULL,
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
                "data": _NULL,
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


class CompareRequest(_Strict):
    """Several losses on the same inputs. `null` means the default for every optional field."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 30.0]},
                    "losses": ["mse", "l1", "huber"],
                    "params": {"huber": {"delta": 2.0}},
                    "top": 2,
                }
            ]
        }
    )

    inputs: dict[str, Tensor] = Field(description="The inputs every loss is computed on, by their functional names.")
    losses: list[str] | None = Field(
        None,
        min_length=1,
        description=(
            "The losses to run (names or aliases, each once); absent: every loss whose input names are exactly "
            "the given ones."
        ),
    )
    params: dict[str, dict[str, Any] | None] | None = Field(
        None,
        description=(
            "Params by loss name, as compute takes them; naming a loss that is not run is a 422. "
            "A bad value in them is a 422 for the whole request."
        ),
    )
    dtype: Literal["float32", "float64"] | None = Field(None, description="Compute dtype; default float32.")
    top: int | None = Field(
        None,
        ge=0,
        description="How many top contributors to return per loss; default 3, at most max_tensor_elements.",
    )


Share = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "number"}, _NONFINITE]})]


class Contributor(BaseModel):
    index: list[int] = Field(description="The entry's index in the unreduced loss tensor.")
    share: Share = Field(description='|entry| / Σ|entries|; "NaN" for every entry when Σ|entries| is not finite.')


class CompareResult(BaseModel):
    loss: str = Field(description="The canonical name of the loss.")
    value: Value = Field(description="The loss reduced as its params say: a number, or a tensor for reduction none.")
    top_contributors: list[Contributor] | None = Field(
        description=(
            "The entries of the unreduced loss with the largest shares, largest first, ties by lower flat index, "
            "NaN entries first; empty when Σ|entries| is 0 or top is 0; null for a loss with no unreduced form."
        )
    )


class CompareSkipped(BaseModel):
    loss: str
    reason: str = Field(description="Why the loss was not run, with the problem where there is one.")


class CompareResponse(BaseModel):
    results: list[CompareResult]
    skipped: list[CompareSkipped] = Field(
        description="Each loss left out and why; with losses absent, every catalogue loss not run."
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
