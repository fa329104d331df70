from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.batch_item_dtype_type_0 import BatchItemDtypeType0
from ..models.batch_item_output_encoding_type_0 import BatchItemOutputEncodingType0
from ..models.non_finite import NonFinite
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.batch_item_inputs import BatchItemInputs
    from ..models.batch_item_params_type_0 import BatchItemParamsType0
    from ..models.binary_tensor import BinaryTensor
    from ..models.record import Record
    from ..models.typed_tensor import TypedTensor


T = TypeVar("T", bound="BatchItem")


@_attrs_define
class BatchItem:
    """
    Attributes:
        inputs (BatchItemInputs): The loss's inputs by their torch.nn.functional names.
        loss (str): The loss's name or alias.
        params (BatchItemParamsType0 | None | Unset): Constructor arguments of the torch.nn class (reduction, weight,
            margin, …).
        grad (bool | list[str] | None | Unset): Inputs to differentiate: a list of names, or true for every
            differentiable input.
        grad_output (BinaryTensor | bool | float | list[Any] | None | NonFinite | TypedTensor | Unset): The vector of a
            vector–Jacobian product, shaped like the value; default ones.
        dtype (BatchItemDtypeType0 | None | Unset): Compute dtype; default float32.
        output_encoding (BatchItemOutputEncodingType0 | None | Unset): Tensor outputs as nested lists (json, default) or
            the binary form (b64).
        record (None | Record | Unset): Store the value computed as a point of a run (`{run, series, step}`); the
            response says `recorded`. Only a single number can be recorded: with `reduction: none` it is a 422; an unknown
            run is a 404.
    """

    inputs: BatchItemInputs
    loss: str
    params: BatchItemParamsType0 | None | Unset = UNSET
    grad: bool | list[str] | None | Unset = UNSET
    grad_output: BinaryTensor | bool | float | list[Any] | None | NonFinite | TypedTensor | Unset = UNSET
    dtype: BatchItemDtypeType0 | None | Unset = UNSET
    output_encoding: BatchItemOutputEncodingType0 | None | Unset = UNSET
    record: None | Record | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.batch_item_params_type_0 import BatchItemParamsType0
        from ..models.binary_tensor import BinaryTensor
        from ..models.record import Record
        from ..models.typed_tensor import TypedTensor

        inputs = self.inputs.to_dict()

        loss = self.loss

        params: dict[str, Any] | None | Unset
        if isinstance(self.params, Unset):
            params = UNSET
        elif isinstance(self.params, BatchItemParamsType0):
            params = self.params.to_dict()
        else:
            params = self.params

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
        elif isinstance(self.dtype, BatchItemDtypeType0):
            dtype = self.dtype.value
        else:
            dtype = self.dtype

        output_encoding: None | str | Unset
        if isinstance(self.output_encoding, Unset):
            output_encoding = UNSET
        elif isinstance(self.output_encoding, BatchItemOutputEncodingType0):
            output_encoding = self.output_encoding.value
        else:
            output_encoding = self.output_encoding

        record: dict[str, Any] | None | Unset
        if isinstance(self.record, Unset):
            record = UNSET
        elif isinstance(self.record, Record):
            record = self.record.to_dict()
        else:
            record = self.record

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "inputs": inputs,
                "loss": loss,
            }
        )
        if params is not UNSET:
            field_dict["params"] = params
        if grad is not UNSET:
            field_dict["grad"] = grad
        if grad_output is not UNSET:
            field_dict["grad_output"] = grad_output
        if dtype is not UNSET:
            field_dict["dtype"] = dtype
        if output_encoding is not UNSET:
            field_dict["output_encoding"] = output_encoding
        if record is not UNSET:
            field_dict["record"] = record

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.batch_item_inputs import BatchItemInputs
        from ..models.batch_item_params_type_0 import BatchItemParamsType0
        from ..models.binary_tensor import BinaryTensor
        from ..models.record import Record
        from ..models.typed_tensor import TypedTensor

        d = dict(src_dict)
        inputs = BatchItemInputs.from_dict(d.pop("inputs"))

        loss = d.pop("loss")

        def _parse_params(data: object) -> BatchItemParamsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                params_type_0 = BatchItemParamsType0.from_dict(data)

                return params_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BatchItemParamsType0 | None | Unset, data)

        params = _parse_params(d.pop("params", UNSET))

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

        def _parse_dtype(data: object) -> BatchItemDtypeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                dtype_type_0 = BatchItemDtypeType0(data)

                return dtype_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BatchItemDtypeType0 | None | Unset, data)

        dtype = _parse_dtype(d.pop("dtype", UNSET))

        def _parse_output_encoding(data: object) -> BatchItemOutputEncodingType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                output_encoding_type_0 = BatchItemOutputEncodingType0(data)

                return output_encoding_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BatchItemOutputEncodingType0 | None | Unset, data)

        output_encoding = _parse_output_encoding(d.pop("output_encoding", UNSET))

        def _parse_record(data: object) -> None | Record | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                record_type_0 = Record.from_dict(data)

                return record_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Record | Unset, data)

        record = _parse_record(d.pop("record", UNSET))

        batch_item = cls(
            inputs=inputs,
            loss=loss,
            params=params,
            grad=grad,
            grad_output=grad_output,
            dtype=dtype,
            output_encoding=output_encoding,
            record=record,
        )

        return batch_item
