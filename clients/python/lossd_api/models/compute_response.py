from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.compute_response_dtype import ComputeResponseDtype
from ..models.non_finite import NonFinite
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.binary_tensor import BinaryTensor
    from ..models.compute_response_grads_type_0 import ComputeResponseGradsType0
    from ..models.recorded import Recorded
    from ..models.typed_tensor import TypedTensor


T = TypeVar("T", bound="ComputeResponse")


@_attrs_define
class ComputeResponse:
    """
    Attributes:
        loss (str): The canonical name of the loss.
        value (BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor): A tensor in one of three forms: plain
            JSON (a number or a rectangular nested list); typed JSON {"dtype", "shape"?, "data"}; or binary {"dtype",
            "shape", "b64"} holding the base64 of the little-endian row-major bytes. Non-finite numbers are the strings
            "NaN", "Infinity" and "-Infinity".
        shape (list[int]):
        dtype (ComputeResponseDtype):
        device (str):
        grads (ComputeResponseGradsType0 | None | Unset): Present when asked for: one per input named.
        warnings (list[str] | None | Unset): What PyTorch warns of on these inputs; absent if nothing.
        recorded (None | Recorded | Unset): With `record`: the point the value was stored as.
    """

    loss: str
    value: BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor
    shape: list[int]
    dtype: ComputeResponseDtype
    device: str
    grads: ComputeResponseGradsType0 | None | Unset = UNSET
    warnings: list[str] | None | Unset = UNSET
    recorded: None | Recorded | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.binary_tensor import BinaryTensor
        from ..models.compute_response_grads_type_0 import ComputeResponseGradsType0
        from ..models.recorded import Recorded
        from ..models.typed_tensor import TypedTensor

        loss = self.loss

        value: bool | dict[str, Any] | float | list[Any] | str
        if isinstance(self.value, NonFinite):
            value = self.value.value
        elif isinstance(self.value, list):
            value = self.value

        elif isinstance(self.value, TypedTensor) or isinstance(self.value, BinaryTensor):
            value = self.value.to_dict()
        else:
            value = self.value

        shape = self.shape

        dtype = self.dtype.value

        device = self.device

        grads: dict[str, Any] | None | Unset
        if isinstance(self.grads, Unset):
            grads = UNSET
        elif isinstance(self.grads, ComputeResponseGradsType0):
            grads = self.grads.to_dict()
        else:
            grads = self.grads

        warnings: list[str] | None | Unset
        if isinstance(self.warnings, Unset):
            warnings = UNSET
        elif isinstance(self.warnings, list):
            warnings = self.warnings

        else:
            warnings = self.warnings

        recorded: dict[str, Any] | None | Unset
        if isinstance(self.recorded, Unset):
            recorded = UNSET
        elif isinstance(self.recorded, Recorded):
            recorded = self.recorded.to_dict()
        else:
            recorded = self.recorded

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "loss": loss,
                "value": value,
                "shape": shape,
                "dtype": dtype,
                "device": device,
            }
        )
        if grads is not UNSET:
            field_dict["grads"] = grads
        if warnings is not UNSET:
            field_dict["warnings"] = warnings
        if recorded is not UNSET:
            field_dict["recorded"] = recorded

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.binary_tensor import BinaryTensor
        from ..models.compute_response_grads_type_0 import ComputeResponseGradsType0
        from ..models.recorded import Recorded
        from ..models.typed_tensor import TypedTensor

        d = dict(src_dict)
        loss = d.pop("loss")

        def _parse_value(data: object) -> BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor:
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
            return cast(BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor, data)

        value = _parse_value(d.pop("value"))

        shape = cast(list[int], d.pop("shape"))

        dtype = ComputeResponseDtype(d.pop("dtype"))

        device = d.pop("device")

        def _parse_grads(data: object) -> ComputeResponseGradsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                grads_type_0 = ComputeResponseGradsType0.from_dict(data)

                return grads_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ComputeResponseGradsType0 | None | Unset, data)

        grads = _parse_grads(d.pop("grads", UNSET))

        def _parse_warnings(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                warnings_type_0 = cast(list[str], data)

                return warnings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        warnings = _parse_warnings(d.pop("warnings", UNSET))

        def _parse_recorded(data: object) -> None | Recorded | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                recorded_type_0 = Recorded.from_dict(data)

                return recorded_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Recorded | Unset, data)

        recorded = _parse_recorded(d.pop("recorded", UNSET))

        compute_response = cls(
            loss=loss,
            value=value,
            shape=shape,
            dtype=dtype,
            device=device,
            grads=grads,
            warnings=warnings,
            recorded=recorded,
        )

        compute_response.additional_properties = d
        return compute_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
