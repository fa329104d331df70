from enum import StrEnum


class PointsWriteOnConflictType0(StrEnum):
    ERROR = "error"
    REPLACE = "replace"

    def __str__(self) -> str:
        return str(self.value)
