from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.run_out_status import RunOutStatus

if TYPE_CHECKING:
    from ..models.run_out_series import RunOutSeries
    from ..models.run_out_tags import RunOutTags


T = TypeVar("T", bound="RunOut")


@_attrs_define
class RunOut:
    """
    Attributes:
        id (str): Made by the server; URL-safe.
        name (str):
        tags (RunOutTags):
        created_at (str): RFC 3339, UTC.
        series (RunOutSeries):
        status (RunOutStatus): The status of the run's default diagnosis (GET /v1/runs/{id}/diagnosis with no
            parameters).
    """

    id: str
    name: str
    tags: RunOutTags
    created_at: str
    series: RunOutSeries
    status: RunOutStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        tags = self.tags.to_dict()

        created_at = self.created_at

        series = self.series.to_dict()

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "tags": tags,
                "created_at": created_at,
                "series": series,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.run_out_series import RunOutSeries
        from ..models.run_out_tags import RunOutTags

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        tags = RunOutTags.from_dict(d.pop("tags"))

        created_at = d.pop("created_at")

        series = RunOutSeries.from_dict(d.pop("series"))

        status = RunOutStatus(d.pop("status"))

        run_out = cls(
            id=id,
            name=name,
            tags=tags,
            created_at=created_at,
            series=series,
            status=status,
        )

        run_out.additional_properties = d
        return run_out

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
