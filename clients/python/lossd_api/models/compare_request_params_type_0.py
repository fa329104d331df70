from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.compare_request_params_type_0_additional_property_type_0 import (
        CompareRequestParamsType0AdditionalPropertyType0,
    )


T = TypeVar("T", bound="CompareRequestParamsType0")


@_attrs_define
class CompareRequestParamsType0:
    additional_properties: dict[str, CompareRequestParamsType0AdditionalPropertyType0 | None] = _attrs_field(
        init=False, factory=dict
    )

    def to_dict(self) -> dict[str, Any]:
        from ..models.compare_request_params_type_0_additional_property_type_0 import (
            CompareRequestParamsType0AdditionalPropertyType0,
        )

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            if isinstance(prop, CompareRequestParamsType0AdditionalPropertyType0):
                field_dict[prop_name] = prop.to_dict()
            else:
                field_dict[prop_name] = prop

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.compare_request_params_type_0_additional_property_type_0 import (
            CompareRequestParamsType0AdditionalPropertyType0,
        )

        d = dict(src_dict)
        compare_request_params_type_0 = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():

            def _parse_additional_property(data: object) -> CompareRequestParamsType0AdditionalPropertyType0 | None:
                if data is None:
                    return data
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    additional_property_type_0 = CompareRequestParamsType0AdditionalPropertyType0.from_dict(data)

                    return additional_property_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(CompareRequestParamsType0AdditionalPropertyType0 | None, data)

            additional_property = _parse_additional_property(prop_dict)

            additional_properties[prop_name] = additional_property

        compare_request_params_type_0.additional_properties = additional_properties
        return compare_request_params_type_0

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> CompareRequestParamsType0AdditionalPropertyType0 | None:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: CompareRequestParamsType0AdditionalPropertyType0 | None) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
