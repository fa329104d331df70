"""Plugin losses for tests/test_plugins.py, good and bad, named by the entry points it makes up."""

import dataclasses
import sys

import torch
from torch import nn

from lossd.plugins import Input, Loss, Param, Traits, module_loss


class SumOfSquares(nn.Module):
    def __init__(self, scale: float = 1.0) -> None:
        super().__init__()
        self.scale = scale

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return self.scale * (input**2).sum()


class IgnoresReduction(SumOfSquares):
    """Takes `reduction` but always sums: its value's shape is not the one its check promises."""

    def __init__(self, reduction: str = "none") -> None:
        super().__init__()


def _loss(name: str = "sample_squares", module: type[nn.Module] = SumOfSquares, **changes: object) -> Loss:
    fields: dict[str, object] = {
        "name": name,
        "summary": "The sum of squares, scaled.",
        "formula": "scale · Σ inputᵢ²",
        "use_when": "In tests of lossd's plugin loading.",
        "task": "regression",
        "inputs": (Input("input", "float", "any shape", "Values.", differentiable=True),),
        "params": (Param("scale", "number", 1.0, "A factor; > 0.", gt=0),),
        "traits": Traits("values", robust_to_outliers=False, handles_imbalance=False),
        "example": {"inputs": {"input": [1.0, 2.0]}, "grad": ["input"]},
    }
    fields.update(changes)
    return module_loss(module, **fields)  # type: ignore[arg-type]


GOOD = _loss()


def factory() -> Loss:
    return _loss("sample_factory")


NOT_A_LOSS = 42


def raises() -> Loss:
    raise RuntimeError("the plugin's factory failed")


def exits() -> Loss:
    sys.exit(3)


TAKES_MSE = _loss("mse")
TAKES_CUSTOM = _loss("custom")
TAKES_AN_ALIAS = _loss("sample_alias", aliases=("MSELoss",))
BAD_NAME = _loss("Sample-Name")
BAD_TASK = _loss("sample_task", task="astrology")
NO_GRADIENT = _loss("sample_nograd", inputs=(Input("input", "float", "any shape", "Values."),))
BAD_DEFAULT = _loss("sample_default", params=(Param("scale", "number", -1.0, "A factor; > 0.", gt=0),))
BAD_EXAMPLE = _loss("sample_example", example={"inputs": {"prediction": [1.0]}})
NO_SUMMARY = _loss("sample_summary", summary="")
WRONG_SHAPE = _loss(
    "sample_shape",
    module=IgnoresReduction,
    params=(Param("reduction", "string", "none", "Promises the unreduced shape.", choices=("none",)),),
)
BROKEN_FORWARD = dataclasses.replace(GOOD, name="sample_broken", forward=lambda x, p: x["input"].reshape(3, 7).sum())
FIRST = _loss("sample_twice")
SECOND = _loss("sample_twice", summary="The second loss of this name.")
