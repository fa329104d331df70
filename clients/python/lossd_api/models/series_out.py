from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.series_out_max_item_type_1 import SeriesOutMaxItemType1
from ..models.series_out_min_item_type_1 import SeriesOutMinItemType1
from ..models.series_out_smoothed_item_type_1 import SeriesOutSmoothedItemType1
from ..models.series_out_values_item_type_1 import SeriesOutValuesItemType1

T = TypeVar("T", bound="SeriesOut")


@_attrs_define
class SeriesOut:
    """
    Attributes:
        series (str):
        count (int): How many points the series holds.
        steps (list[int]): Every step, or each bucket's first step.
        values (list[float | None | SeriesOutValuesItemType1]): Every value, or each bucket's mean.
        min_ (list[float | None | SeriesOutMinItemType1]): Each bucket's smallest value (= `values` when not bucketed).
        max_ (list[float | None | SeriesOutMaxItemType1]): Each bucket's largest value (= `values` when not bucketed).
        smoothed (list[float | None | SeriesOutSmoothedItemType1]): TensorBoard's debiased EMA of `values`.
    """

    series: str
    count: int
    steps: list[int]
    values: list[float | None | SeriesOutValuesItemType1]
    min_: list[float | None | SeriesOutMinItemType1]
    max_: list[float | None | SeriesOutMaxItemType1]
    smoothed: list[float | None | SeriesOutSmoothedItemType1]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        series = self.series

        count = self.count

        steps = self.steps

        values = []
        for values_item_data in self.values:
            values_item: float | None | str
            if isinstance(values_item_data, SeriesOutValuesItemType1):
                values_item = values_item_data.value
            else:
                values_item = values_item_data
            values.append(values_item)

        min_ = []
        for min_item_data in self.min_:
            min_item: float | None | str
            if isinstance(min_item_data, SeriesOutMinItemType1):
                min_item = min_item_data.value
            else:
                min_item = min_item_data
            min_.append(min_item)

        max_ = []
        for max_item_data in self.max_:
            max_item: float | None | str
            if isinstance(max_item_data, SeriesOutMaxItemType1):
                max_item = max_item_data.value
            else:
                max_item = max_item_data
            max_.append(max_item)

        smoothed = []
        for smoothed_item_data in self.smoothed:
            smoothed_item: float | None | str
            if isinstance(smoothed_item_data, SeriesOutSmoothedItemType1):
                smoothed_item = smoothed_item_data.value
            else:
                smoothed_item = smoothed_item_data
            smoothed.append(smoothed_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "series": series,
                "count": count,
                "steps": steps,
                "values": values,
                "min": min_,
                "max": max_,
                "smoothed": smoothed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        series = d.pop("series")

        count = d.pop("count")

        steps = cast(list[int], d.pop("steps"))

        values = []
        _values = d.pop("values")
        for values_item_data in _values:

            def _parse_values_item(data: object) -> float | None | SeriesOutValuesItemType1:
                if data is None:
                    return data
                try:
                    if not isinstance(data, str):
                        raise TypeError()
                    values_item_type_1 = SeriesOutValuesItemType1(data)

                    return values_item_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(float | None | SeriesOutValuesItemType1, data)

            values_item = _parse_values_item(values_item_data)

            values.append(values_item)

        min_ = []
        _min_ = d.pop("min")
        for min_item_data in _min_:

            def _parse_min_item(data: object) -> float | None | SeriesOutMinItemType1:
                if data is None:
                    return data
                try:
                    if not isinstance(data, str):
                        raise TypeError()
                    min_item_type_1 = SeriesOutMinItemType1(data)

                    return min_item_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(float | None | SeriesOutMinItemType1, data)

            min_item = _parse_min_item(min_item_data)

            min_.append(min_item)

        max_ = []
        _max_ = d.pop("max")
        for max_item_data in _max_:

            def _parse_max_item(data: object) -> float | None | SeriesOutMaxItemType1:
                if data is None:
                    return data
                try:
                    if not isinstance(data, str):
                        raise TypeError()
                    max_item_type_1 = SeriesOutMaxItemType1(data)

                    return max_item_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(float | None | SeriesOutMaxItemType1, data)

            max_item = _parse_max_item(max_item_data)

            max_.append(max_item)

        smoothed = []
        _smoothed = d.pop("smoothed")
        for smoothed_item_data in _smoothed:

            def _parse_smoothed_item(data: object) -> float | None | SeriesOutSmoothedItemType1:
                if data is None:
                    return data
                try:
                    if not isinstance(data, str):
                        raise TypeError()
                    smoothed_item_type_1 = SeriesOutSmoothedItemType1(data)

                    return smoothed_item_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(float | None | SeriesOutSmoothedItemType1, data)

            smoothed_item = _parse_smoothed_item(smoothed_item_data)

            smoothed.append(smoothed_item)

        series_out = cls(
            series=series,
            count=count,
            steps=steps,
            values=values,
            min_=min_,
            max_=max_,
            smoothed=smoothed,
        )

        series_out.additional_properties = d
        return series_out

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
