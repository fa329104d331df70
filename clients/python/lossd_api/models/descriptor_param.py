from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.descriptor_param_type import DescriptorParamType
from ..types import UNSET, Unset

T = TypeVar("T", bound="DescriptorParam")


@_attrs_define
class DescriptorParam:
    """
    Attributes:
        name (str): The torch.nn class's constructor argument.
        type_ (DescriptorParamType):
        default (Any): PyTorch's default.
        description (str):
        choices (list[Any] | None | Unset): The values it takes, where they are few.
        ge (float | None | Unset): Lower bound, inclusive.
        gt (float | None | Unset): Lower bound, exclusive.
        le (float | None | Unset): Upper bound, inclusive.
        lt (float | None | Unset): Upper bound, exclusive.
    """

    name: str
    type_: DescriptorParamType
    default: Any
    description: str
    choices: list[Any] | None | Unset = UNSET
    ge: float | None | Unset = UNSET
    gt: float | None | Unset = UNSET
    le: float | None | Unset = UNSET
    lt: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_.value

        default = self.default

        description = self.description

        choices: list[Any] | None | Unset
        if isinstance(self.choices, Unset):
            choices = UNSET
        elif isinstance(self.choices, list):
            choices = self.choices

        else:
            choices = self.choices

        ge: float | None | Unset
        if isinstance(self.ge, Unset):
            ge = UNSET
        else:
            ge = self.ge

        gt: float | None | Unset
        if isinstance(self.gt, Unset):
            gt = UNSET
        else:
            gt = self.gt

        le: float | None | Unset
        if isinstance(self.le, Unset):
            le = UNSET
        else:
            le = self.le

        lt: float | None | Unset
        if isinstance(self.lt, Unset):
            lt = UNSET
        else:
            lt = self.lt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "type": type_,
                "default": default,
                "description": description,
            }
        )
        if choices is not UNSET:
            field_dict["choices"] = choices
        if ge is not UNSET:
            field_dict["ge"] = ge
        if gt is not UNSET:
            field_dict["gt"] = gt
        if le is not UNSET:
            field_dict["le"] = le
        if lt is not UNSET:
            field_dict["lt"] = lt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        type_ = DescriptorParamType(d.pop("type"))

        default = d.pop("default")

        description = d.pop("description")

        def _parse_choices(data: object) -> list[Any] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                choices_type_0 = cast(list[Any], data)

                return choices_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Any] | None | Unset, data)

        choices = _parse_choices(d.pop("choices", UNSET))

        def _parse_ge(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        ge = _parse_ge(d.pop("ge", UNSET))

        def _parse_gt(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        gt = _parse_gt(d.pop("gt", UNSET))

        def _parse_le(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        le = _parse_le(d.pop("le", UNSET))

        def _parse_lt(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        lt = _parse_lt(d.pop("lt", UNSET))

        descriptor_param = cls(
            name=name,
            type_=type_,
            default=default,
            description=description,
            choices=choices,
            ge=ge,
            gt=gt,
            le=le,
            lt=lt,
        )

        descriptor_param.additional_properties = d
        return descriptor_param

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
