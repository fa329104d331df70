from enum import StrEnum


class SeriesSummaryOutLastValueType1(StrEnum):
    INFINITY = "Infinity"
    NAN = "NaN"
    VALUE_2 = "-Infinity"

    def __str__(self) -> str:
        return str(self.value)
