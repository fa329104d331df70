from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.inference_response_parameters_type_0 import InferenceResponseParametersType0
    from ..models.response_output import ResponseOutput


T = TypeVar("T", bound="InferenceResponse")


@_attrs_define
class InferenceResponse:
    """
    Attributes:
        model_name (str):
        outputs (list[ResponseOutput]):
        model_version (None | str | Unset):
        id (None | str | Unset):
        parameters (InferenceResponseParametersType0 | None | Unset):
    """

    model_name: str
    outputs: list[ResponseOutput]
    model_version: None | str | Unset = UNSET
    id: None | str | Unset = UNSET
    parameters: InferenceResponseParametersType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.inference_response_parameters_type_0 import InferenceResponseParametersType0

        model_name = self.model_name

        outputs = []
        for outputs_item_data in self.outputs:
            outputs_item = outputs_item_data.to_dict()
            outputs.append(outputs_item)

        model_version: None | str | Unset
        if isinstance(self.model_version, Unset):
            model_version = UNSET
        else:
            model_version = self.model_version

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        parameters: dict[str, Any] | None | Unset
        if isinstance(self.parameters, Unset):
            parameters = UNSET
        elif isinstance(self.parameters, InferenceResponseParametersType0):
            parameters = self.parameters.to_dict()
        else:
            parameters = self.parameters

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model_name": model_name,
                "outputs": outputs,
            }
        )
        if model_version is not UNSET:
            field_dict["model_version"] = model_version
        if id is not UNSET:
            field_dict["id"] = id
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.inference_response_parameters_type_0 import InferenceResponseParametersType0
        from ..models.response_output import ResponseOutput

        d = dict(src_dict)
        model_name = d.pop("model_name")

        outputs = []
        _outputs = d.pop("outputs")
        for outputs_item_data in _outputs:
            outputs_item = ResponseOutput.from_dict(outputs_item_data)

            outputs.append(outputs_item)

        def _parse_model_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model_version = _parse_model_version(d.pop("model_version", UNSET))

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_parameters(data: object) -> InferenceResponseParametersType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                parameters_type_0 = InferenceResponseParametersType0.from_dict(data)

                return parameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InferenceResponseParametersType0 | None | Unset, data)

        parameters = _parse_parameters(d.pop("parameters", UNSET))

        inference_response = cls(
            model_name=model_name,
            outputs=outputs,
            model_version=model_version,
            id=id,
            parameters=parameters,
        )

        inference_response.additional_properties = d
        return inference_response

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
