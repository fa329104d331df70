from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.descriptor_task import DescriptorTask

if TYPE_CHECKING:
    from ..models.compute_request import ComputeRequest
    from ..models.descriptor_input import DescriptorInput
    from ..models.descriptor_param import DescriptorParam
    from ..models.descriptor_traits import DescriptorTraits


T = TypeVar("T", bound="Descriptor")


@_attrs_define
class Descriptor:
    """One loss: what it computes, what it takes, when to use it, and an example request.

    Attributes:
        name (str): The canonical name.
        aliases (list[str]): Other names that find it, case-insensitively.
        torch (None | str): The torch.nn class it equals, or null for a loss beyond PyTorch.
        task (DescriptorTask):
        summary (str):
        formula (str):
        use_when (str):
        inputs (list[DescriptorInput]):
        params (list[DescriptorParam]):
        traits (DescriptorTraits):
        example (ComputeRequest): Compute one loss. `null` means the default for every optional field.
    """

    name: str
    aliases: list[str]
    torch: None | str
    task: DescriptorTask
    summary: str
    formula: str
    use_when: str
    inputs: list[DescriptorInput]
    params: list[DescriptorParam]
    traits: DescriptorTraits
    example: ComputeRequest
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        aliases = self.aliases

        torch: None | str
        torch = self.torch

        task = self.task.value

        summary = self.summary

        formula = self.formula

        use_when = self.use_when

        inputs = []
        for inputs_item_data in self.inputs:
            inputs_item = inputs_item_data.to_dict()
            inputs.append(inputs_item)

        params = []
        for params_item_data in self.params:
            params_item = params_item_data.to_dict()
            params.append(params_item)

        traits = self.traits.to_dict()

        example = self.example.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "aliases": aliases,
                "torch": torch,
                "task": task,
                "summary": summary,
                "formula": formula,
                "use_when": use_when,
                "inputs": inputs,
                "params": params,
                "traits": traits,
                "example": example,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.compute_request import ComputeRequest
        from ..models.descriptor_input import DescriptorInput
        from ..models.descriptor_param import DescriptorParam
        from ..models.descriptor_traits import DescriptorTraits

        d = dict(src_dict)
        name = d.pop("name")

        aliases = cast(list[str], d.pop("aliases"))

        def _parse_torch(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        torch = _parse_torch(d.pop("torch"))

        task = DescriptorTask(d.pop("task"))

        summary = d.pop("summary")

        formula = d.pop("formula")

        use_when = d.pop("use_when")

        inputs = []
        _inputs = d.pop("inputs")
        for inputs_item_data in _inputs:
            inputs_item = DescriptorInput.from_dict(inputs_item_data)

            inputs.append(inputs_item)

        params = []
        _params = d.pop("params")
        for params_item_data in _params:
            params_item = DescriptorParam.from_dict(params_item_data)

            params.append(params_item)

        traits = DescriptorTraits.from_dict(d.pop("traits"))

        example = ComputeRequest.from_dict(d.pop("example"))

        descriptor = cls(
            name=name,
            aliases=aliases,
            torch=torch,
            task=task,
            summary=summary,
            formula=formula,
            use_when=use_when,
            inputs=inputs,
            params=params,
            traits=traits,
            example=example,
        )

        descriptor.additional_properties = d
        return descriptor

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
