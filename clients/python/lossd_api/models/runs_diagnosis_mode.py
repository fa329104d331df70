from enum import StrEnum


class RunsDiagnosisMode(StrEnum):
    MAX = "max"
    MIN = "min"

    def __str__(self) -> str:
        return str(self.value)
