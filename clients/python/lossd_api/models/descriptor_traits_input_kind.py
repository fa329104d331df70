from enum import StrEnum


class DescriptorTraitsInputKind(StrEnum):
    EMBEDDINGS = "embeddings"
    LOGITS = "logits"
    LOG_PROBABILITIES = "log_probabilities"
    PROBABILITIES = "probabilities"
    SCORES = "scores"
    VALUES = "values"

    def __str__(self) -> str:
        return str(self.value)
