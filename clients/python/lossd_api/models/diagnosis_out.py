from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.diagnosis_out_generalization_gap_type_1 import DiagnosisOutGeneralizationGapType1
from ..models.diagnosis_out_mode import DiagnosisOutMode
from ..models.diagnosis_out_status import DiagnosisOutStatus

if TYPE_CHECKING:
    from ..models.best_out import BestOut


T = TypeVar("T", bound="DiagnosisOut")


@_attrs_define
class DiagnosisOut:
    """
    Attributes:
        monitor (None | str): The series diagnosed; null when the run had none to pick.
        train (None | str): The training series compared with it, when there is one.
        mode (DiagnosisOutMode):
        patience (int):
        min_delta (float):
        status (DiagnosisOutStatus):
        best (BestOut | None):
        stop_at (int | None): Where Lightning's EarlyStopping would have stopped.
        diverged_at (int | None):
        overfitting_since (int | None):
        generalization_gap (DiagnosisOutGeneralizationGapType1 | float | None):
    """

    monitor: None | str
    train: None | str
    mode: DiagnosisOutMode
    patience: int
    min_delta: float
    status: DiagnosisOutStatus
    best: BestOut | None
    stop_at: int | None
    diverged_at: int | None
    overfitting_since: int | None
    generalization_gap: DiagnosisOutGeneralizationGapType1 | float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.best_out import BestOut

        monitor: None | str
        monitor = self.monitor

        train: None | str
        train = self.train

        mode = self.mode.value

        patience = self.patience

        min_delta = self.min_delta

        status = self.status.value

        best: dict[str, Any] | None
        if isinstance(self.best, BestOut):
            best = self.best.to_dict()
        else:
            best = self.best

        stop_at: int | None
        stop_at = self.stop_at

        diverged_at: int | None
        diverged_at = self.diverged_at

        overfitting_since: int | None
        overfitting_since = self.overfitting_since

        generalization_gap: float | None | str
        if isinstance(self.generalization_gap, DiagnosisOutGeneralizationGapType1):
            generalization_gap = self.generalization_gap.value
        else:
            generalization_gap = self.generalization_gap

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "monitor": monitor,
                "train": train,
                "mode": mode,
                "patience": patience,
                "min_delta": min_delta,
                "status": status,
                "best": best,
                "stop_at": stop_at,
                "diverged_at": diverged_at,
                "overfitting_since": overfitting_since,
                "generalization_gap": generalization_gap,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.best_out import BestOut

        d = dict(src_dict)

        def _parse_monitor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        monitor = _parse_monitor(d.pop("monitor"))

        def _parse_train(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        train = _parse_train(d.pop("train"))

        mode = DiagnosisOutMode(d.pop("mode"))

        patience = d.pop("patience")

        min_delta = d.pop("min_delta")

        status = DiagnosisOutStatus(d.pop("status"))

        def _parse_best(data: object) -> BestOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                best_type_0 = BestOut.from_dict(data)

                return best_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BestOut | None, data)

        best = _parse_best(d.pop("best"))

        def _parse_stop_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        stop_at = _parse_stop_at(d.pop("stop_at"))

        def _parse_diverged_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        diverged_at = _parse_diverged_at(d.pop("diverged_at"))

        def _parse_overfitting_since(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        overfitting_since = _parse_overfitting_since(d.pop("overfitting_since"))

        def _parse_generalization_gap(data: object) -> DiagnosisOutGeneralizationGapType1 | float | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                generalization_gap_type_1 = DiagnosisOutGeneralizationGapType1(data)

                return generalization_gap_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DiagnosisOutGeneralizationGapType1 | float | None, data)

        generalization_gap = _parse_generalization_gap(d.pop("generalization_gap"))

        diagnosis_out = cls(
            monitor=monitor,
            train=train,
            mode=mode,
            patience=patience,
            min_delta=min_delta,
            status=status,
            best=best,
            stop_at=stop_at,
            diverged_at=diverged_at,
            overfitting_since=overfitting_since,
            generalization_gap=generalization_gap,
        )

        diagnosis_out.additional_properties = d
        return diagnosis_out

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
