"""Every loss's cases, gathered from the sibling modules."""

import importlib
import pkgutil
from pathlib import Path

from . import LossCases

CASES: dict[str, LossCases] = {}
for _module in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _module.name != "all":
        CASES.update(importlib.import_module(f"{__package__}.{_module.name}").CASES)
