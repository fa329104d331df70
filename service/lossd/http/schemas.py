"""Wire schemas, one per direction. Tensors stay raw JSON here; the codec decodes them."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from ..catalogue.spec import InputKind, Task
from .run_schemas import Record

# The tensor forms are named components (`#/components/schemas/Tensor` and its parts), so that a
# client generator meets each once, by name, rather than an inline union at every use.
_REF = "#/components/schemas/{}"
_NONFINITE = {"$ref": _REF.format("NonFinite")}
_NESTED = {"$ref": _REF.format("NestedList")}
_DTYPE = {"$ref": _REF.format("Dtype")}
# `null` means absent for a typed tensor's optional keys, as for every optional field.
_NULL = {"type": "null"}
_SHAPE_LIST = {"type": "array", "items": {"type": "integer", "minimum": 0}, "description": "The tensor's shape."}
TENSOR_SCHEMAS: dict[str, dict[str, Any]] = {
    "Tensor": {
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
            {"$ref": _REF.format("TypedTensor")},
            {"$ref": _REF.format("BinaryTensor")},
        ],
    },
    "NonFinite": {
        "title": "NonFinite",
        "description": "A non-finite number, as JSON cannot write one.",
        "type": "string",
        "enum": ["NaN", "Infinity", "-Infinity"],
    },
    "NestedList": {
        "title": "NestedList",
        "description": (
            "A rectangular nested list of numbers (or booleans), row-major; non-finite values as the strings "
            '"NaN", "Infinity", "-Infinity".'
        ),
        "type": "array",
        "items": {},
    },
    "Dtype": {
        "title": "Dtype",
        "description": "A wire dtype (lower-case).",
        "type": "string",
        "enum": ["float16", "bfloat16", "float32", "float64", "int32", "int64", "bool"],
    },
    "TypedTensor": {
        "title": "TypedTensor",
        "description": "Typed JSON: `data` flat or nested, row-major; `shape` optional (checked when given).",
        "type": "object",
        "properties": {
            "dtype": _DTYPE,
            "shape": {"anyOf": [_SHAPE_LIST, _NULL]},
            "data": {"anyOf": [{"type": "number"}, {"type": "boolean"}, _NONFINITE, _NESTED]},
            "b64": _NULL,
        },
        "required": ["dtype", "data"],
        "additionalProperties": False,
    },
    "BinaryTensor": {
        "title": "BinaryTensor",
        "description": "Binary: `b64` holds the base64 of the little-endian, row-major bytes of `shape` × `dtype`.",
        "type": "object",
        "properties": {
            "dtype": _DTYPE,
            "shape": _SHAPE_LIST,
            "b64": {"type": "string", "contentEncoding": "base64", "description": "Base64 of the raw bytes."},
            "data": _NULL,
        },
        "required": ["dtype", "shape", "b64"],
        "additionalProperties": False,
    },
}
# pydantic resolves a `$ref` that has siblings (a field's description) against its own definitions, where
# these components are not: fields name a component with this key, which the document turns into `$ref`.
COMPONENT_KEY = "x-lossd-component"
Tensor = Annotated[Any, WithJsonSchema({COMPONENT_KEY: "Tensor"})]
Value = Tensor


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


_SEED = {"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 9.0]}, "grad": ["input"]}
# The value stored as a point of a run (the run's id comes from POST /v1/runs).
_RECORD = {"record": {"run": "Jx2v7Qm1aZ0c", "series": "validation", "step": 12}}

# The computation options every compute-like request shares.
_GradNames = Annotated[
    Any,
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}, {"type": "null"}]}),
]
_GradOutput = Annotated[
    Tensor | None,
    Field(description="The vector of a vector–Jacobian product, shaped like the value; default ones."),
]
_ComputeDtype = Annotated[Literal["float32", "float64"] | None, Field(description="Compute dtype; default float32.")]
_OutputEncoding = Annotated[
    Literal["json", "b64"] | None,
    Field(description="Tensor outputs as nested lists (json, default) or the binary form (b64)."),
]


def _grad_names(value: Any) -> bool | list[str] | None:
    # Checked by hand: a pydantic union would put its member names into `loc`.
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list):
        return value  # each element is checked against the inputs, with its index in `loc`
    raise ValueError("must be a list of input names, or a boolean")


class ComputeRequest(_Strict):
    """Compute one loss. `null` means the default for every optional field."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SEED, {**_SEED, **_RECORD}]})

    inputs: dict[str, Tensor] = Field(description="The loss's inputs by their torch.nn.functional names.")
    params: dict[str, Any] | None = Field(
        None, description="Constructor arguments of the torch.nn class (reduction, weight, margin, …)."
    )
    grad: _GradNames = Field(
        None, description="Inputs to differentiate: a list of names, or true for every differentiable input."
    )
    grad_output: _GradOutput = None
    dtype: _ComputeDtype = None
    output_encoding: _OutputEncoding = None
    record: Record | None = Field(
        None,
        description=(
            "Store the value computed as a point of a run (`{run, series, step}`); the response says `recorded`. "
            "Only a single number can be recorded: with `reduction: none` it is a 422; an unknown run is a 404."
        ),
    )

    _grad = field_validator("grad", mode="plain")(_grad_names)


_TUTORIAL_MAPE = "mean(abs((input - target) / clamp(abs(target), min=1e-8)))"
_EXPRESSION = (
    "A loss written over the inputs' names: numbers, + - * / **, comparisons (< <= > >= == !=, true/false, "
    "1/0 in arithmetic), and the functions abs, exp, log, log1p, sqrt, sigmoid, tanh, relu, softplus(x, beta, "
    "threshold), pow, minimum, maximum, where(condition, x, other), clamp(x, min, max), softmax(x, dim), "
    "log_softmax(x, dim), and the reductions sum, mean, amax, amin, logsumexp (x, dim, keepdim). Nothing else: "
    "no attributes, subscripts, strings or other names. At most 1000 characters, 256 nodes, nesting 32, "
    "16 inputs; numbers and constant parts within ±1e9, constant exponents within ±64. A mistake is a 422 "
    "whose message names the column and the token."
)


class CustomRequest(_Strict):
    """Compute a caller-defined loss. `null` means the default for every optional field."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "expression": _TUTORIAL_MAPE,
                    "inputs": {"input": [310000, 455000, 198000], "target": [300000, 480000, 210000]},
                    "grad": ["input"],
                },
                {"expression": "mean((input - target) ** 2)", **_SEED},
            ]
        }
    )

    expression: str = Field(description=_EXPRESSION, examples=[_TUTORIAL_MAPE])
    inputs: dict[str, Tensor] = Field(
        description="The expression's inputs by name: every name it uses, and no other. All are floating."
    )
    grad: _GradNames = Field(None, description="Inputs to differentiate: a list of names, or true for all of them.")
    grad_output: _GradOutput = None
    dtype: _ComputeDtype = None
    output_encoding: _OutputEncoding = None

    _grad = field_validator("grad", mode="plain")(_grad_names)


class CustomCheckRequest(_Strict):
    """A dry run of a custom expression: nothing is computed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"expression": _TUTORIAL_MAPE},
                {"expression": "sum((input - target) ** 2, dim=1)", "shapes": {"input": [8, 3], "target": [8, 3]}},
            ]
        }
    )

    expression: str = Field(description=_EXPRESSION)
    shapes: dict[str, list[Annotated[int, Field(ge=0)]]] | None = Field(
        None,
        description=(
            "The inputs' shapes, by name (every input the expression uses): with them the check also infers the "
            "result's shape and bounds what the expression would allocate, as a compute request would."
        ),
    )


class CustomCheckResponse(BaseModel):
    expression: str = Field(description="The expression, as sent.")
    inputs: list[str] = Field(description="The inputs the expression uses, in order of first use.")
    scalar: bool = Field(
        description=(
            "Whether the result is a single number: whatever the inputs' shapes (a reduction over every "
            "dimension), or for the shapes given."
        )
    )
    shape: list[int] | None = Field(
        description="The result's shape: for the shapes given, or where the expression fixes it; else null."
    )
    elements: int | None = Field(
        description="With shapes: how many elements the expression's intermediate tensors hold together."
    )
    functions: list[str] = Field(description="The functions it calls.")
    nodes: int = Field(description="Its size: numbers, names, operators and calls.")
    depth: int = Field(description="How deeply its operations nest.")


class BatchItem(ComputeRequest):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"loss": "mse", **_SEED}, {"loss": "mse", **_SEED, **_RECORD}]}
    )

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


class Recorded(BaseModel):
    run: str
    series: str
    step: int


class ComputeResponse(BaseModel):
    loss: str = Field(description="The canonical name of the loss.")
    value: Value = Field(description="A number for a reduced loss, a tensor for reduction none.")
    shape: list[int]
    dtype: Literal["float32", "float64"]
    grads: dict[str, Tensor] | None = Field(None, description="Present when asked for: one per input named.")
    device: str
    warnings: list[str] | None = Field(None, description="What PyTorch warns of on these inputs; absent if nothing.")
    recorded: Recorded | None = Field(None, description="With `record`: the point the value was stored as.")


class FieldErrorOut(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """An RFC 9457 problem."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorOut] | None = Field(
        None, description="On every 422: what is wrong, and where; on a 409: the point stored with another value."
    )
    suggestions: list[str] | None = Field(None, description="On an unknown loss: the closest names.")
    limit: str | None = Field(None, description="On a 413: the limit's name.")
    limit_value: float | None = Field(None, description="On a 413: the limit's value.")


class BatchSlotError(BaseModel):
    error: Problem


class BatchResponse(BaseModel):
    results: list[ComputeResponse | BatchSlotError]


class DescriptorInput(BaseModel):
    name: str = Field(description="The input's torch.nn.functional argument name.")
    kind: str = Field(description="floating, label, index, or class indices or probabilities.")
    shape: str = Field(description="The shapes it takes, in PyTorch's notation.")
    differentiable: bool = Field(description="Whether `grad` may name it.")
    description: str


class DescriptorParam(BaseModel):
    name: str = Field(description="The torch.nn class's constructor argument.")
    type: Literal["number", "integer", "boolean", "string", "tensor"]
    default: Annotated[Any, WithJsonSchema({"description": "PyTorch's default."})]
    description: str
    choices: list[Any] | None = Field(None, description="The values it takes, where they are few.")
    ge: float | None = Field(None, description="Lower bound, inclusive.")
    gt: float | None = Field(None, description="Lower bound, exclusive.")
    le: float | None = Field(None, description="Upper bound, inclusive.")
    lt: float | None = Field(None, description="Upper bound, exclusive.")


class DescriptorTraits(BaseModel):
    input_kind: InputKind = Field(description="What `input` holds.")
    robust_to_outliers: bool
    handles_imbalance: bool = Field(description="Whether it has a class weight, pos_weight or focusing term.")


class Descriptor(BaseModel):
    """One loss: what it computes, what it takes, when to use it, and an example request."""

    name: str = Field(description="The canonical name.")
    aliases: list[str] = Field(description="Other names that find it, case-insensitively.")
    torch: str | None = Field(description="The torch.nn class it equals, or null for a loss beyond PyTorch.")
    task: Task
    summary: str
    formula: str
    use_when: str
    inputs: list[DescriptorInput]
    params: list[DescriptorParam]
    traits: DescriptorTraits
    example: Annotated[dict[str, Any], WithJsonSchema({COMPONENT_KEY: "ComputeRequest"})] = Field(
        description="A compute request body for this loss."
    )


class Catalogue(BaseModel):
    losses: list[Descriptor]


class Limits(BaseModel):
    max_body_bytes: int
    max_points_per_request: int
    max_tensor_elements: int
    max_total_elements: int
    max_dims: int
    max_batch_items: int
    request_timeout_s: float


class Info(BaseModel):
    version: str = Field(description="lossd's version.")
    torch: str = Field(description="torch's version.")
    cuda: str | None = Field(description="The CUDA version torch was built with, where a GPU is visible.")
    devices: list[str] = Field(description="The devices torch sees.")
    pool: dict[str, Any] = Field(description="The compute pool's kind and settings.")
    losses: int = Field(description="How many losses the catalogue holds.")
    limits: Limits = Field(description="The limits in force.")


class Health(BaseModel):
    status: str
