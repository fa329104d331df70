from enum import StrEnum


class ResponseOutputDatatype(StrEnum):
    BF16 = "BF16"
    BOOL = "BOOL"
    FP16 = "FP16"
    FP32 = "FP32"
    FP64 = "FP64"
    INT32 = "INT32"
    INT64 = "INT64"

    def __str__(self) -> str:
        return str(self.value)
