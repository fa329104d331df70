from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CustomCheckResponse")


@_attrs_define
class CustomCheckResponse:
    """
    Attributes:
        expression (str): The expression, as sent.
        inputs (list[str]): The inputs the expression uses, in order of first use.
        scalar (bool): Whether the result is a single number: whatever the inputs' shapes (a reduction over every
            dimension), or for the shapes given.
        shape (list[int] | None): The result's shape: for the shapes given, or where the expression fixes it; else null.
        elements (int | None): With shapes: how many elements the expression's intermediate tensors hold together.
        functions (list[str]): The functions it calls.
        nodes (int): Its size: numbers, names, operators and calls.
        depth (int): How deeply its operations nest.
    """

    expression: str
    inputs: list[str]
    scalar: bool
    shape: list[int] | None
    elements: int | None
    functions: list[str]
    nodes: int
    depth: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expression = self.expression

        inputs = self.inputs

        scalar = self.scalar

        shape: list[int] | None
        if isinstance(self.shape, list):
            shape = self.shape

        else:
            shape = self.shape

        elements: int | None
        elements = self.elements

        functions = self.functions

        nodes = self.nodes

        depth = self.depth

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expression": expression,
                "inputs": inputs,
                "scalar": scalar,
                "shape": shape,
                "elements": elements,
                "functions": functions,
                "nodes": nodes,
                "depth": depth,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        expression = d.pop("expression")

        inputs = cast(list[str], d.pop("inputs"))

        scalar = d.pop("scalar")

        def _parse_shape(data: object) -> list[int] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                shape_type_0 = cast(list[int], data)

                return shape_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None, data)

        shape = _parse_shape(d.pop("shape"))

        def _parse_elements(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        elements = _parse_elements(d.pop("elements"))

        functions = cast(list[str], d.pop("functions"))

        nodes = d.pop("nodes")

        depth = d.pop("depth")

        custom_check_response = cls(
            expression=expression,
            inputs=inputs,
            scalar=scalar,
            shape=shape,
            elements=elements,
            functions=functions,
            nodes=nodes,
            depth=depth,
        )

        custom_check_response.additional_properties = d
        return custom_check_response

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
