from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.request_output_parameters_type_0 import RequestOutputParametersType0


T = TypeVar("T", bound="RequestOutput")


@_attrs_define
class RequestOutput:
    """An output the client asks for; `parameters.binary_data` chooses binary over JSON for it.

    Attributes:
        name (str):
        parameters (None | RequestOutputParametersType0 | Unset):
    """

    name: str
    parameters: None | RequestOutputParametersType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.request_output_parameters_type_0 import RequestOutputParametersType0

        name = self.name

        parameters: dict[str, Any] | None | Unset
        if isinstance(self.parameters, Unset):
            parameters = UNSET
        elif isinstance(self.parameters, RequestOutputParametersType0):
            parameters = self.parameters.to_dict()
        else:
            parameters = self.parameters

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.request_output_parameters_type_0 import RequestOutputParametersType0

        d = dict(src_dict)
        name = d.pop("name")

        def _parse_parameters(data: object) -> None | RequestOutputParametersType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                parameters_type_0 = RequestOutputParametersType0.from_dict(data)

                return parameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RequestOutputParametersType0 | Unset, data)

        parameters = _parse_parameters(d.pop("parameters", UNSET))

        request_output = cls(
            name=name,
            parameters=parameters,
        )

        return request_output
