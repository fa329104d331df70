"""The loss catalogue: what each loss computes, accepts, and how to choose it."""

from .registry import CATALOGUE, Catalogue
from .spec import Input, Loss, Param, Traits

__all__ = ["CATALOGUE", "Catalogue", "Input", "Loss", "Param", "Traits"]
