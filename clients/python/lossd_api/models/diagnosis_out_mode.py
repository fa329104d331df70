from enum import StrEnum


class DiagnosisOutMode(StrEnum):
    MAX = "max"
    MIN = "min"

    def __str__(self) -> str:
        return str(self.value)
