from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.descriptor_traits_input_kind import DescriptorTraitsInputKind

T = TypeVar("T", bound="DescriptorTraits")


@_attrs_define
class DescriptorTraits:
    """
    Attributes:
        input_kind (DescriptorTraitsInputKind): What `input` holds.
        robust_to_outliers (bool):
        handles_imbalance (bool): Whether it has a class weight, pos_weight or focusing term.
    """

    input_kind: DescriptorTraitsInputKind
    robust_to_outliers: bool
    handles_imbalance: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        input_kind = self.input_kind.value

        robust_to_outliers = self.robust_to_outliers

        handles_imbalance = self.handles_imbalance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "input_kind": input_kind,
                "robust_to_outliers": robust_to_outliers,
                "handles_imbalance": handles_imbalance,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        input_kind = DescriptorTraitsInputKind(d.pop("input_kind"))

        robust_to_outliers = d.pop("robust_to_outliers")

        handles_imbalance = d.pop("handles_imbalance")

        descriptor_traits = cls(
            input_kind=input_kind,
            robust_to_outliers=robust_to_outliers,
            handles_imbalance=handles_imbalance,
        )

        descriptor_traits.additional_properties = d
        return descriptor_traits

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
