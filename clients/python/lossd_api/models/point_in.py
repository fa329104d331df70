from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.point_in_value_type_1 import PointInValueType1
from ..types import UNSET, Unset

T = TypeVar("T", bound="PointIn")


@_attrs_define
class PointIn:
    """
    Attributes:
        series (str): 1–64 characters from `A-Z a-z 0-9 _ . / -` (`train`, `validation`, `val/focal`), with no part `.`
            or `..` between slashes (URLs resolve those away).
        step (int): An integer ≥ 0: an epoch or an optimizer step.
        value (float | PointInValueType1): The loss: a number, or "NaN", "Infinity", "-Infinity" (data, not errors).
        time (datetime.datetime | float | None | Unset): When it was measured: RFC 3339 or Unix seconds; default the
            server's clock.
    """

    series: str
    step: int
    value: float | PointInValueType1
    time: datetime.datetime | float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        series = self.series

        step = self.step

        value: float | str
        if isinstance(self.value, PointInValueType1):
            value = self.value.value
        else:
            value = self.value

        time: float | None | str | Unset
        if isinstance(self.time, Unset):
            time = UNSET
        elif isinstance(self.time, datetime.datetime):
            time = self.time.isoformat()
        else:
            time = self.time

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "series": series,
                "step": step,
                "value": value,
            }
        )
        if time is not UNSET:
            field_dict["time"] = time

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        series = d.pop("series")

        step = d.pop("step")

        def _parse_value(data: object) -> float | PointInValueType1:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                value_type_1 = PointInValueType1(data)

                return value_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(float | PointInValueType1, data)

        value = _parse_value(d.pop("value"))

        def _parse_time(data: object) -> datetime.datetime | float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                time_type_0 = datetime.datetime.fromisoformat(data)

                return time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | float | None | Unset, data)

        time = _parse_time(d.pop("time", UNSET))

        point_in = cls(
            series=series,
            step=step,
            value=value,
            time=time,
        )

        return point_in
