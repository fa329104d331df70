from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.non_finite import NonFinite

if TYPE_CHECKING:
    from ..models.binary_tensor import BinaryTensor
    from ..models.contributor import Contributor
    from ..models.typed_tensor import TypedTensor


T = TypeVar("T", bound="CompareResult")


@_attrs_define
class CompareResult:
    """
    Attributes:
        loss (str): The canonical name of the loss.
        value (BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor): A tensor in one of three forms: plain
            JSON (a number or a rectangular nested list); typed JSON {"dtype", "shape"?, "data"}; or binary {"dtype",
            "shape", "b64"} holding the base64 of the little-endian row-major bytes. Non-finite numbers are the strings
            "NaN", "Infinity" and "-Infinity".
        top_contributors (list[Contributor] | None): The entries of the unreduced loss with the largest shares, largest
            first, ties by lower flat index, NaN entries first; empty when Σ|entries| is 0 or top is 0; null for a loss with
            no unreduced form.
    """

    loss: str
    value: BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor
    top_contributors: list[Contributor] | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.binary_tensor import BinaryTensor
        from ..models.typed_tensor import TypedTensor

        loss = self.loss

        value: bool | dict[str, Any] | float | list[Any] | str
        if isinstance(self.value, NonFinite):
            value = self.value.value
        elif isinstance(self.value, list):
            value = self.value

        elif isinstance(self.value, TypedTensor) or isinstance(self.value, BinaryTensor):
            value = self.value.to_dict()
        else:
            value = self.value

        top_contributors: list[dict[str, Any]] | None
        if isinstance(self.top_contributors, list):
            top_contributors = []
            for top_contributors_type_0_item_data in self.top_contributors:
                top_contributors_type_0_item = top_contributors_type_0_item_data.to_dict()
                top_contributors.append(top_contributors_type_0_item)

        else:
            top_contributors = self.top_contributors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "loss": loss,
                "value": value,
                "top_contributors": top_contributors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.binary_tensor import BinaryTensor
        from ..models.contributor import Contributor
        from ..models.typed_tensor import TypedTensor

        d = dict(src_dict)
        loss = d.pop("loss")

        def _parse_value(data: object) -> BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_tensor_type_2 = NonFinite(data)

                return componentsschemas_tensor_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_tensor_type_3 = cast(list[Any], data)

                return componentsschemas_tensor_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_tensor_type_4 = TypedTensor.from_dict(data)

                return componentsschemas_tensor_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_tensor_type_5 = BinaryTensor.from_dict(data)

                return componentsschemas_tensor_type_5
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BinaryTensor | bool | float | list[Any] | NonFinite | TypedTensor, data)

        value = _parse_value(d.pop("value"))

        def _parse_top_contributors(data: object) -> list[Contributor] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                top_contributors_type_0 = []
                _top_contributors_type_0 = data
                for top_contributors_type_0_item_data in _top_contributors_type_0:
                    top_contributors_type_0_item = Contributor.from_dict(top_contributors_type_0_item_data)

                    top_contributors_type_0.append(top_contributors_type_0_item)

                return top_contributors_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Contributor] | None, data)

        top_contributors = _parse_top_contributors(d.pop("top_contributors"))

        compare_result = cls(
            loss=loss,
            value=value,
            top_contributors=top_contributors,
        )

        compare_result.additional_properties = d
        return compare_result

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
