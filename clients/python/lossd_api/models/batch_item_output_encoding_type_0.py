from enum import StrEnum


class BatchItemOutputEncodingType0(StrEnum):
    B64 = "b64"
    JSON = "json"

    def __str__(self) -> str:
        return str(self.value)
