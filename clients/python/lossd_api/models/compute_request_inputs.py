from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.non_finite import NonFinite

if TYPE_CHECKING:
    from ..models.binary_tensor import BinaryTensor
    from ..models.typed_tensor import TypedTensor


T = TypeVar("T", bound="ComputeRequestInputs")


@_attrs_define
class ComputeRequestInputs:
    """The loss's inputs by their torch.nn.functional names."""

    additional_properties: dict[str, BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor] = _attrs_field(
        init=False, factory=dict
    )

    def to_dict(self) -> dict[str, Any]:
        from ..models.binary_tensor import BinaryTensor
        from ..models.typed_tensor import TypedTensor

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            if isinstance(prop, NonFinite):
                field_dict[prop_name] = prop.value
            elif isinstance(prop, list):
                field_dict[prop_name] = prop

            elif isinstance(prop, TypedTensor) or isinstance(prop, BinaryTensor):
                field_dict[prop_name] = prop.to_dict()
            else:
                field_dict[prop_name] = prop

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.binary_tensor import BinaryTensor
        from ..models.typed_tensor import TypedTensor

        d = dict(src_dict)
        compute_request_inputs = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():

            def _parse_additional_property(
                data: object,
            ) -> BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor:
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

            additional_property = _parse_additional_property(prop_dict)

            additional_properties[prop_name] = additional_property

        compute_request_inputs.additional_properties = additional_properties
        return compute_request_inputs

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
