"""The plugin API: what an operator's package imports to add trusted losses to lossd.

A package registers each loss under the entry-point group ``lossd.losses`` (see
`lossd.catalogue.plugins` for the rules a loss must pass to be loaded)::

    [project.entry-points."lossd.losses"]
    tutorial_mape = "lossd_tutorial:mape"

and builds it here, from an ``nn.Module`` class, as the tutorials write their own losses::

    from torch import nn
    from lossd.plugins import Input, Traits, module_loss

    class MAPELoss(nn.Module):
        def forward(self, predictions, targets):
            return ((predictions - targets) / targets).abs().mean()

    mape = module_loss(
        MAPELoss,
        name="tutorial_mape",
        summary="...", formula="...", use_when="...",
        task="regression",
        inputs=(Input("input", "float", "any shape", "Predictions.", differentiable=True),
                Input("target", "float", "same shape as input", "Truth.")),
        traits=Traits("values", robust_to_outliers=True, handles_imbalance=False),
        example={"inputs": {"input": [310000, 455000], "target": [300000, 480000]}, "grad": ["input"]},
    )

`check` helpers (`at`, `param`, `fail`, `broadcast`, `same_shape`, `within`, `labels_in`, `indices_in`)
raise the 422 a loss's checks give, naming the field to change.
"""

from .catalogue.checks import at, broadcast, fail, indices_in, labels_in, param, same_shape, within
from .catalogue.plugins import GROUP, ModuleForward, check_plugin, module_loss
from .catalogue.spec import REDUCTION, Input, Loss, Param, Params, Shape, Tensors, Traits

__all__ = [
    "GROUP",
    "REDUCTION",
    "Input",
    "Loss",
    "ModuleForward",
    "Param",
    "Params",
    "Shape",
    "Tensors",
    "Traits",
    "at",
    "broadcast",
    "check_plugin",
    "fail",
    "indices_in",
    "labels_in",
    "module_loss",
    "param",
    "same_shape",
    "within",
]
