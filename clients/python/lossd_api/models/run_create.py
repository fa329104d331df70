from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.run_create_tags_type_0 import RunCreateTagsType0


T = TypeVar("T", bound="RunCreate")


@_attrs_define
class RunCreate:
    """A new run. `tags` are strings; a key holds no `:` (filters are `?tag=key:value`).

    Attributes:
        name (str): What the run is called; need not be unique.
        tags (None | RunCreateTagsType0 | Unset): Labels to find the run by, string to string; at most 64.
    """

    name: str
    tags: None | RunCreateTagsType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.run_create_tags_type_0 import RunCreateTagsType0

        name = self.name

        tags: dict[str, Any] | None | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, RunCreateTagsType0):
            tags = self.tags.to_dict()
        else:
            tags = self.tags

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.run_create_tags_type_0 import RunCreateTagsType0

        d = dict(src_dict)
        name = d.pop("name")

        def _parse_tags(data: object) -> None | RunCreateTagsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tags_type_0 = RunCreateTagsType0.from_dict(data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunCreateTagsType0 | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))

        run_create = cls(
            name=name,
            tags=tags,
        )

        return run_create
