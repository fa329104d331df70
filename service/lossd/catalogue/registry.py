"""The catalogue: every loss by canonical name, with case-insensitive aliases.

The built-in losses, then the operator's plugin losses (`plugins`), loaded when the catalogue is first
used rather than at import, so that importing lossd runs no third-party code.
"""

import difflib
import threading
from collections.abc import Callable, Iterator, Sequence

from ..errors import UnknownLoss
from . import classification, embedding, extras, plugins, probabilistic, regression, sequence
from .spec import Loss


class Catalogue:
    """Losses by name. `extend`, when given, is called once, on first use, with the losses given here,
    and returns more (the plugins); a loss it returns never replaces one already here."""

    def __init__(
        self, losses: Sequence[Loss], extend: Callable[[Sequence[Loss]], Sequence[Loss]] | None = None
    ) -> None:
        self._index(losses)
        self._extend = extend
        self._loaded = extend is None
        self._loading = False
        # Re-entrant: a plugin that uses the catalogue while it loads sees the losses already there.
        self._lock = threading.RLock()

    def _index(self, losses: Sequence[Loss]) -> None:
        by_name = {loss.name: loss for loss in losses}
        if len(by_name) != len(losses):
            raise ValueError("duplicate loss name in the catalogue")
        by_key: dict[str, Loss] = {}
        for loss in losses:
            for key in (loss.name, *loss.aliases):
                if by_key.setdefault(key.lower(), loss) is not loss:
                    raise ValueError(f"alias {key!r} names two losses")
        self._losses, self._by_key = by_name, by_key

    def load(self) -> None:
        """Add the extension's losses now (at start-up) rather than on first use; once only."""
        self._ready()

    def _ready(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded or self._loading or self._extend is None:
                return
            self._loading = True
            try:
                base = list(self._losses.values())
                self._index([*base, *self._extend(base)])
            finally:
                self._loaded, self._loading = True, False

    def __iter__(self) -> Iterator[Loss]:
        self._ready()
        return iter(self._losses.values())

    def __len__(self) -> int:
        self._ready()
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
        self._ready()
        loss = self._by_key.get(name.lower())
        if loss is None:
            close = difflib.get_close_matches(name.lower(), list(self._by_key), n=5, cutoff=0.5)
            names = list(dict.fromkeys(self._by_key[c].name for c in close))
            raise UnknownLoss(name, names)
        return loss


BUILTIN: tuple[Loss, ...] = (
    *regression.LOSSES,
    *classification.LOSSES,
    *probabilistic.LOSSES,
    *embedding.LOSSES,
    *sequence.LOSSES,
    *extras.LOSSES,
)
CATALOGUE = Catalogue(BUILTIN, extend=plugins.load)
