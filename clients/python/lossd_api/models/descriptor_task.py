from enum import StrEnum


class DescriptorTask(StrEnum):
    CLASSIFICATION = "classification"
    EMBEDDING = "embedding"
    PROBABILISTIC = "probabilistic"
    RANKING = "ranking"
    REGRESSION = "regression"
    SEGMENTATION = "segmentation"
    SEQUENCE = "sequence"

    def __str__(self) -> str:
        return str(self.value)
