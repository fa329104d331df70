from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.response_output_datatype import ResponseOutputDatatype
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.response_output_parameters_type_0 import ResponseOutputParametersType0


T = TypeVar("T", bound="ResponseOutput")


@_attrs_define
class ResponseOutput:
    """
    Attributes:
        name (str):
        shape (list[int]):
        datatype (ResponseOutputDatatype):
        parameters (None | ResponseOutputParametersType0 | Unset):
        data (list[Any] | None | Unset):
    """

    name: str
    shape: list[int]
    datatype: ResponseOutputDatatype
    parameters: None | ResponseOutputParametersType0 | Unset = UNSET
    data: list[Any] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.response_output_parameters_type_0 import ResponseOutputParametersType0

        name = self.name

        shape = self.shape

        datatype = self.datatype.value

        parameters: dict[str, Any] | None | Unset
        if isinstance(self.parameters, Unset):
            parameters = UNSET
        elif isinstance(self.parameters, ResponseOutputParametersType0):
            parameters = self.parameters.to_dict()
        else:
            parameters = self.parameters

        data: list[Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, list):
            data = self.data

        else:
            data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "shape": shape,
                "datatype": datatype,
            }
        )
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.response_output_parameters_type_0 import ResponseOutputParametersType0

        d = dict(src_dict)
        name = d.pop("name")

        shape = cast(list[int], d.pop("shape"))

        datatype = ResponseOutputDatatype(d.pop("datatype"))

        def _parse_parameters(data: object) -> None | ResponseOutputParametersType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                parameters_type_0 = ResponseOutputParametersType0.from_dict(data)

                return parameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResponseOutputParametersType0 | Unset, data)

        parameters = _parse_parameters(d.pop("parameters", UNSET))

        def _parse_data(data: object) -> list[Any] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                data_type_0 = cast(list[Any], data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Any] | None | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        response_output = cls(
            name=name,
            shape=shape,
            datatype=datatype,
            parameters=parameters,
            data=data,
        )

        response_output.additional_properties = d
        return response_output

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
