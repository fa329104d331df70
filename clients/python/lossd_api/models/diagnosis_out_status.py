from enum import StrEnum


class DiagnosisOutStatus(StrEnum):
    DIVERGED = "diverged"
    IMPROVING = "improving"
    INSUFFICIENT_DATA = "insufficient_data"
    OVERFITTING = "overfitting"
    PLATEAU = "plateau"

    def __str__(self) -> str:
        return str(self.value)
