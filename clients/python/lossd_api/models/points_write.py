from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.points_write_on_conflict_type_0 import PointsWriteOnConflictType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.point_in import PointIn


T = TypeVar("T", bound="PointsWrite")


@_attrs_define
class PointsWrite:
    """Points for one run, stored all or none.

    Attributes:
        points (list[PointIn]): At most `max_points_per_request` (GET /v1/info `limits`); any order.
        on_conflict (None | PointsWriteOnConflictType0 | Unset): What a point stored with another value does: `error`
            (default), a 409 naming it, nothing kept; `replace`, overwrite it.
    """

    points: list[PointIn]
    on_conflict: None | PointsWriteOnConflictType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        points = []
        for points_item_data in self.points:
            points_item = points_item_data.to_dict()
            points.append(points_item)

        on_conflict: None | str | Unset
        if isinstance(self.on_conflict, Unset):
            on_conflict = UNSET
        elif isinstance(self.on_conflict, PointsWriteOnConflictType0):
            on_conflict = self.on_conflict.value
        else:
            on_conflict = self.on_conflict

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "points": points,
            }
        )
        if on_conflict is not UNSET:
            field_dict["on_conflict"] = on_conflict

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.point_in import PointIn

        d = dict(src_dict)
        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = PointIn.from_dict(points_item_data)

            points.append(points_item)

        def _parse_on_conflict(data: object) -> None | PointsWriteOnConflictType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                on_conflict_type_0 = PointsWriteOnConflictType0(data)

                return on_conflict_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PointsWriteOnConflictType0 | Unset, data)

        on_conflict = _parse_on_conflict(d.pop("on_conflict", UNSET))

        points_write = cls(
            points=points,
            on_conflict=on_conflict,
        )

        return points_write
