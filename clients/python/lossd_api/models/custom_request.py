from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.custom_request_dtype_type_0 import CustomRequestDtypeType0
from ..models.custom_request_output_encoding_type_0 import CustomRequestOutputEncodingType0
from ..models.non_finite import NonFinite
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.binary_tensor import BinaryTensor
    from ..models.custom_request_inputs import CustomRequestInputs
    from ..models.typed_tensor import TypedTensor


T = TypeVar("T", bound="CustomRequest")


@_attrs_define
class CustomRequest:
    """Compute a caller-defined loss. `null` means the default for every optional field.

    Attributes:
        expression (str): A loss written over the inputs' names: numbers, + - * / **, comparisons (< <= > >= == !=,
            true/false, 1/0 in arithmetic), and the functions abs, exp, log, log1p, sqrt, sigmoid, tanh, relu, softplus(x,
            beta, threshold), pow, minimum, maximum, where(condition, x, other), clamp(x, min, max), softmax(x, dim),
            log_softmax(x, dim), and the reductions sum, mean, amax, amin, logsumexp (x, dim, keepdim). Nothing else: no
            attributes, subscripts, strings or other names. At most 1000 characters, 256 nodes, nesting 32, 16 inputs;
            numbers and constant parts within ±1e9, constant exponents within ±64. A mistake is a 422 whose message names
            the column and the token.
        inputs (CustomRequestInputs): The expression's inputs by name: every name it uses, and no other. All are
            floating.
        grad (bool | list[str] | None | Unset): Inputs to differentiate: a list of names, or true for all of them.
        grad_output (BinaryTensor | bool | float | list[Any] | None | NonFinite | TypedTensor | Unset): The vector of a
            vector–Jacobian product, shaped like the value; default ones.
        dtype (CustomRequestDtypeType0 | None | Unset): Compute dtype; default float32.
        output_encoding (CustomRequestOutputEncodingType0 | None | Unset): Tensor outputs as nested lists (json,
            default) or the binary form (b64).
    """

    expression: str
    inputs: CustomRequestInputs
    grad: bool | list[str] | None | Unset = UNSET
    grad_output: BinaryTensor | bool | float | list[Any] | None | NonFinite | TypedTensor | Unset = UNSET
    dtype: CustomRequestDtypeType0 | None | Unset = UNSET
    output_encoding: CustomRequestOutputEncodingType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.binary_tensor import BinaryTensor
        from ..models.typed_tensor import TypedTensor

        expression = self.expression

        inputs = self.inputs.to_dict()

        grad: bool | list[str] | None | Unset
        if isinstance(self.grad, Unset):
            grad = UNSET
        elif isinstance(self.grad, list):
            grad = self.grad

        else:
            grad = self.grad

        grad_output: bool | dict[str, Any] | float | list[Any] | None | str | Unset
        if isinstance(self.grad_output, Unset):
            grad_output = UNSET
        elif isinstance(self.grad_output, NonFinite):
            grad_output = self.grad_output.value
        elif isinstance(self.grad_output, list):
            grad_output = self.grad_output

        elif isinstance(self.grad_output, TypedTensor) or isinstance(self.grad_output, BinaryTensor):
            grad_output = self.grad_output.to_dict()
        else:
            grad_output = self.grad_output

        dtype: None | str | Unset
        if isinstance(self.dtype, Unset):
            dtype = UNSET
        elif isinstance(self.dtype, CustomRequestDtypeType0):
            dtype = self.dtype.value
        else:
            dtype = self.dtype

        output_encoding: None | str | Unset
        if isinstance(self.output_encoding, Unset):
            output_encoding = UNSET
        elif isinstance(self.output_encoding, CustomRequestOutputEncodingType0):
            output_encoding = self.output_encoding.value
        else:
            output_encoding = self.output_encoding

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "expression": expression,
                "inputs": inputs,
            }
        )
        if grad is not UNSET:
            field_dict["grad"] = grad
        if grad_output is not UNSET:
            field_dict["grad_output"] = grad_output
        if dtype is not UNSET:
            field_dict["dtype"] = dtype
        if output_encoding is not UNSET:
            field_dict["output_encoding"] = output_encoding

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.binary_tensor import BinaryTensor
        from ..models.custom_request_inputs import CustomRequestInputs
        from ..models.typed_tensor import TypedTensor

        d = dict(src_dict)
        expression = d.pop("expression")

        inputs = CustomRequestInputs.from_dict(d.pop("inputs"))

        def _parse_grad(data: object) -> bool | list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                grad_type_1 = cast(list[str], data)

                return grad_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | list[str] | None | Unset, data)

        grad = _parse_grad(d.pop("grad", UNSET))

        def _parse_grad_output(
            data: object,
        ) -> BinaryTensor | bool | float | list[Any] | None | NonFinite | TypedTensor | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_tensor_type_2 = NonFinite(data)

                return componentsschemas_tensor_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_tensor_type_3 = cast(list[Any], data)

                return componentsschemas_tensor_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_tensor_type_4 = TypedTensor.from_dict(data)

                return componentsschemas_tensor_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_tensor_type_5 = BinaryTensor.from_dict(data)

                return componentsschemas_tensor_type_5
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BinaryTensor | bool | float | list[Any] | None | NonFinite | TypedTensor | Unset, data)

        grad_output = _parse_grad_output(d.pop("grad_output", UNSET))

        def _parse_dtype(data: object) -> CustomRequestDtypeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                dtype_type_0 = CustomRequestDtypeType0(data)

                return dtype_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CustomRequestDtypeType0 | None | Unset, data)

        dtype = _parse_dtype(d.pop("dtype", UNSET))

        def _parse_output_encoding(data: object) -> CustomRequestOutputEncodingType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                output_encoding_type_0 = CustomRequestOutputEncodingType0(data)

                return output_encoding_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CustomRequestOutputEncodingType0 | None | Unset, data)

        output_encoding = _parse_output_encoding(d.pop("output_encoding", UNSET))

        custom_request = cls(
            expression=expression,
            inputs=inputs,
            grad=grad,
            grad_output=grad_output,
            dtype=dtype,
            output_encoding=output_encoding,
        )

        return custom_request
