from enum import StrEnum


class DescriptorParamType(StrEnum):
    BOOLEAN = "boolean"
    INTEGER = "integer"
    NUMBER = "number"
    STRING = "string"
    TENSOR = "tensor"

    def __str__(self) -> str:
        return str(self.value)
