"""Custom losses: a small expression language that callers send, checked and bounded before it runs.

`language.parse` turns the text into a checked tree (or a 422 naming the position and token),
`shapes.infer` bounds what it allocates from the inputs' shapes (or a 413), `evaluate` runs it with
torch, and `loss.prepare_custom` makes it a `Prepared` job for the pool. Nothing here knows of HTTP.
"""

from .language import FUNCTIONS, LIMITS, Expression, ExpressionLimits, parse
from .loss import NAME, CustomJob, prepare_custom
from .shapes import Plan, infer

__all__ = [
    "FUNCTIONS",
    "LIMITS",
    "NAME",
    "CustomJob",
    "Expression",
    "ExpressionLimits",
    "Plan",
    "infer",
    "parse",
    "prepare_custom",
]
