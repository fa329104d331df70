from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.compare_result import CompareResult
    from ..models.compare_skipped import CompareSkipped


T = TypeVar("T", bound="CompareResponse")


@_attrs_define
class CompareResponse:
    """
    Attributes:
        results (list[CompareResult]):
        skipped (list[CompareSkipped]): Each loss left out and why; with losses absent, every catalogue loss not run.
    """

    results: list[CompareResult]
    skipped: list[CompareSkipped]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        skipped = []
        for skipped_item_data in self.skipped:
            skipped_item = skipped_item_data.to_dict()
            skipped.append(skipped_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "results": results,
                "skipped": skipped,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.compare_result import CompareResult
        from ..models.compare_skipped import CompareSkipped

        d = dict(src_dict)
        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = CompareResult.from_dict(results_item_data)

            results.append(results_item)

        skipped = []
        _skipped = d.pop("skipped")
        for skipped_item_data in _skipped:
            skipped_item = CompareSkipped.from_dict(skipped_item_data)

            skipped.append(skipped_item)

        compare_response = cls(
            results=results,
            skipped=skipped,
        )

        compare_response.additional_properties = d
        return compare_response

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
