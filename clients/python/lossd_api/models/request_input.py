from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.request_input_datatype import RequestInputDatatype
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.request_input_parameters_type_0 import RequestInputParametersType0


T = TypeVar("T", bound="RequestInput")


@_attrs_define
class RequestInput:
    """One input tensor: `data` in JSON (flat or nested, row-major), or `parameters.binary_data_size` bytes
    after the JSON header (the binary tensor data extension).

        Attributes:
            name (str):
            shape (list[int]):
            datatype (RequestInputDatatype):
            parameters (None | RequestInputParametersType0 | Unset):
            data (Any | Unset):
    """

    name: str
    shape: list[int]
    datatype: RequestInputDatatype
    parameters: None | RequestInputParametersType0 | Unset = UNSET
    data: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.request_input_parameters_type_0 import RequestInputParametersType0

        name = self.name

        shape = self.shape

        datatype = self.datatype.value

        parameters: dict[str, Any] | None | Unset
        if isinstance(self.parameters, Unset):
            parameters = UNSET
        elif isinstance(self.parameters, RequestInputParametersType0):
            parameters = self.parameters.to_dict()
        else:
            parameters = self.parameters

        data = self.data

        field_dict: dict[str, Any] = {}

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
        from ..models.request_input_parameters_type_0 import RequestInputParametersType0

        d = dict(src_dict)
        name = d.pop("name")

        shape = cast(list[int], d.pop("shape"))

        datatype = RequestInputDatatype(d.pop("datatype"))

        def _parse_parameters(data: object) -> None | RequestInputParametersType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                parameters_type_0 = RequestInputParametersType0.from_dict(data)

                return parameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RequestInputParametersType0 | Unset, data)

        parameters = _parse_parameters(d.pop("parameters", UNSET))

        data = d.pop("data", UNSET)

        request_input = cls(
            name=name,
            shape=shape,
            datatype=datatype,
            parameters=parameters,
            data=data,
        )

        return request_input
