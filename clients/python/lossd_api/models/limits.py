from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Limits")


@_attrs_define
class Limits:
    """
    Attributes:
        max_body_bytes (int):
        max_points_per_request (int):
        max_tensor_elements (int):
        max_total_elements (int):
        max_dims (int):
        max_batch_items (int):
        request_timeout_s (float):
    """

    max_body_bytes: int
    max_points_per_request: int
    max_tensor_elements: int
    max_total_elements: int
    max_dims: int
    max_batch_items: int
    request_timeout_s: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        max_body_bytes = self.max_body_bytes

        max_points_per_request = self.max_points_per_request

        max_tensor_elements = self.max_tensor_elements

        max_total_elements = self.max_total_elements

        max_dims = self.max_dims

        max_batch_items = self.max_batch_items

        request_timeout_s = self.request_timeout_s

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "max_body_bytes": max_body_bytes,
                "max_points_per_request": max_points_per_request,
                "max_tensor_elements": max_tensor_elements,
                "max_total_elements": max_total_elements,
                "max_dims": max_dims,
                "max_batch_items": max_batch_items,
                "request_timeout_s": request_timeout_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        max_body_bytes = d.pop("max_body_bytes")

        max_points_per_request = d.pop("max_points_per_request")

        max_tensor_elements = d.pop("max_tensor_elements")

        max_total_elements = d.pop("max_total_elements")

        max_dims = d.pop("max_dims")

        max_batch_items = d.pop("max_batch_items")

        request_timeout_s = d.pop("request_timeout_s")

        limits = cls(
            max_body_bytes=max_body_bytes,
            max_points_per_request=max_points_per_request,
            max_tensor_elements=max_tensor_elements,
            max_total_elements=max_total_elements,
            max_dims=max_dims,
            max_batch_items=max_batch_items,
            request_timeout_s=request_timeout_s,
        )

        limits.additional_properties = d
        return limits

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
