from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.record_on_conflict_type_0 import RecordOnConflictType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="Record")


@_attrs_define
class Record:
    """Store the computed value as a point of a run.

    Attributes:
        run (str): The run's id.
        series (str): 1–64 characters from `A-Z a-z 0-9 _ . / -` (`train`, `validation`, `val/focal`), with no part `.`
            or `..` between slashes (URLs resolve those away).
        step (int): An integer ≥ 0: an epoch or an optimizer step.
        on_conflict (None | RecordOnConflictType0 | Unset): What a point stored with another value does: `error`
            (default), a 409 naming it, nothing kept; `replace`, overwrite it.
    """

    run: str
    series: str
    step: int
    on_conflict: None | RecordOnConflictType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        run = self.run

        series = self.series

        step = self.step

        on_conflict: None | str | Unset
        if isinstance(self.on_conflict, Unset):
            on_conflict = UNSET
        elif isinstance(self.on_conflict, RecordOnConflictType0):
            on_conflict = self.on_conflict.value
        else:
            on_conflict = self.on_conflict

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "run": run,
                "series": series,
                "step": step,
            }
        )
        if on_conflict is not UNSET:
            field_dict["on_conflict"] = on_conflict

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        run = d.pop("run")

        series = d.pop("series")

        step = d.pop("step")

        def _parse_on_conflict(data: object) -> None | RecordOnConflictType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                on_conflict_type_0 = RecordOnConflictType0(data)

                return on_conflict_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RecordOnConflictType0 | Unset, data)

        on_conflict = _parse_on_conflict(d.pop("on_conflict", UNSET))

        record = cls(
            run=run,
            series=series,
            step=step,
            on_conflict=on_conflict,
        )

        return record
