"""The catalogue: every loss by canonical name, with case-insensitive aliases."""

import difflib
from collections.abc import Iterator, Sequence

from ..errors import UnknownLoss
from . import classification, embedding, extras, probabilistic, regression, sequence
from .spec import Loss


class Catalogue:
    def __init__(self, losses: Sequence[Loss]) -> None:
        self._losses = {loss.name: loss for loss in losses}
        if len(self._losses) != len(losses):
            raise ValueError("duplicate loss name in the catalogue")
        self._by_key: dict[str, Loss] = {}
        for loss in losses:
            for key in (loss.name, *loss.aliases):
                if self._by_key.setdefault(key.lower(), loss) is not loss:
                    raise ValueError(f"alias {key!r} names two losses")

    def __iter__(self) -> Iterator[Loss]:
        return iter(self._losses.values())

    def __len__(self) -> int:
        return len(self._losses)

    def select(
        self,
        task: str | None = None,
        input_kind: str | None = None,
        robust_to_outliers: bool | None = None,
        handles_imbalance: bool | None = None,
    ) -> list[Loss]:
        """The losses matching every criterion given (None matches all), in catalogue order."""
        return [
            loss
            for loss in self
            if (task is None or loss.task == task)
            and (input_kind is None or loss.traits.input_kind == input_kind)
            and (robust_to_outliers is None or loss.traits.robust_to_outliers == robust_to_outliers)
            and (handles_imbalance is None or loss.traits.handles_imbalance == handles_imbalance)
        ]

    def resolve(self, name: str) -> Loss:
        """The loss named `name` (canonical, torch.nn class or functional name, any case).

        Raises `UnknownLoss` with the closest names otherwise.
        """
        loss = self._by_key.get(name.lower())
        if loss is None:
            close = difflib.get_close_matches(name.lower(), list(self._by_key), n=5, cutoff=0.5)
            names = list(dict.fromkeys(self._by_key[c].name for c in close))
            raise UnknownLoss(name, names)
        return loss


CATALOGUE = Catalogue(
    [
        *regression.LOSSES,
        *classification.LOSSES,
        *probabilistic.LOSSES,
        *embedding.LOSSES,
        *sequence.LOSSES,
        *extras.LOSSES,
    ]
)
