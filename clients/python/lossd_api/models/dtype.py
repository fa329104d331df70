from enum import StrEnum


class Dtype(StrEnum):
    BFLOAT16 = "bfloat16"
    BOOL = "bool"
    FLOAT16 = "float16"
    FLOAT32 = "float32"
    FLOAT64 = "float64"
    INT32 = "int32"
    INT64 = "int64"

    def __str__(self) -> str:
        return str(self.value)
