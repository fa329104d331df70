from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.non_finite import NonFinite

T = TypeVar("T", bound="Contributor")


@_attrs_define
class Contributor:
    """
    Attributes:
        index (list[int]): The entry's index in the unreduced loss tensor.
        share (float | NonFinite): |entry| / Σ|entries|; "NaN" for every entry when Σ|entries| is not finite.
    """

    index: list[int]
    share: float | NonFinite
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        index = self.index

        share: float | str
        if isinstance(self.share, NonFinite):
            share = self.share.value
        else:
            share = self.share

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "share": share,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        index = cast(list[int], d.pop("index"))

        def _parse_share(data: object) -> float | NonFinite:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                share_type_1 = NonFinite(data)

                return share_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(float | NonFinite, data)

        share = _parse_share(d.pop("share"))

        contributor = cls(
            index=index,
            share=share,
        )

        contributor.additional_properties = d
        return contributor

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
