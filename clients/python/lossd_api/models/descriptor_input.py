from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DescriptorInput")


@_attrs_define
class DescriptorInput:
    """
    Attributes:
        name (str): The input's torch.nn.functional argument name.
        kind (str): floating, label, index, or class indices or probabilities.
        shape (str): The shapes it takes, in PyTorch's notation.
        differentiable (bool): Whether `grad` may name it.
        description (str):
    """

    name: str
    kind: str
    shape: str
    differentiable: bool
    description: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        kind = self.kind

        shape = self.shape

        differentiable = self.differentiable

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "kind": kind,
                "shape": shape,
                "differentiable": differentiable,
                "description": description,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        kind = d.pop("kind")

        shape = d.pop("shape")

        differentiable = d.pop("differentiable")

        description = d.pop("description")

        descriptor_input = cls(
            name=name,
            kind=kind,
            shape=shape,
            differentiable=differentiable,
            description=description,
        )

        descriptor_input.additional_properties = d
        return descriptor_input

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
