from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.series_summary_out_best_value_type_1 import SeriesSummaryOutBestValueType1
from ..models.series_summary_out_last_value_type_1 import SeriesSummaryOutLastValueType1

T = TypeVar("T", bound="SeriesSummaryOut")


@_attrs_define
class SeriesSummaryOut:
    """
    Attributes:
        count (int):
        last_step (int):
        last_value (float | None | SeriesSummaryOutLastValueType1):
        best_step (int | None): The step of the smallest finite value; null when there is none.
        best_value (float | None | SeriesSummaryOutBestValueType1):
    """

    count: int
    last_step: int
    last_value: float | None | SeriesSummaryOutLastValueType1
    best_step: int | None
    best_value: float | None | SeriesSummaryOutBestValueType1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        last_step = self.last_step

        last_value: float | None | str
        if isinstance(self.last_value, SeriesSummaryOutLastValueType1):
            last_value = self.last_value.value
        else:
            last_value = self.last_value

        best_step: int | None
        best_step = self.best_step

        best_value: float | None | str
        if isinstance(self.best_value, SeriesSummaryOutBestValueType1):
            best_value = self.best_value.value
        else:
            best_value = self.best_value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "last_step": last_step,
                "last_value": last_value,
                "best_step": best_step,
                "best_value": best_value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        count = d.pop("count")

        last_step = d.pop("last_step")

        def _parse_last_value(data: object) -> float | None | SeriesSummaryOutLastValueType1:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_value_type_1 = SeriesSummaryOutLastValueType1(data)

                return last_value_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(float | None | SeriesSummaryOutLastValueType1, data)

        last_value = _parse_last_value(d.pop("last_value"))

        def _parse_best_step(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        best_step = _parse_best_step(d.pop("best_step"))

        def _parse_best_value(data: object) -> float | None | SeriesSummaryOutBestValueType1:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                best_value_type_1 = SeriesSummaryOutBestValueType1(data)

                return best_value_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(float | None | SeriesSummaryOutBestValueType1, data)

        best_value = _parse_best_value(d.pop("best_value"))

        series_summary_out = cls(
            count=count,
            last_step=last_step,
            last_value=last_value,
            best_step=best_step,
            best_value=best_value,
        )

        series_summary_out.additional_properties = d
        return series_summary_out

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
