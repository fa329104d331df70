"""A loss's public descriptor, as `GET /v1/losses/{name}` serves it."""

from typing import Any

from .spec import Loss, Param


def describe(loss: Loss) -> dict[str, Any]:
    return {
        "name": loss.name,
        "aliases": list(loss.aliases),
        "torch": loss.torch,
        "task": loss.task,
        "summary": loss.summary,
        "formula": loss.formula,
        "use_when": loss.use_when,
        "inputs": [
            {
                "name": i.name,
                "kind": _KIND[i.role],
                "shape": i.shape,
                "differentiable": i.differentiable or i.role == "class_target",
                "description": i.description,
            }
            for i in loss.inputs
        ],
        "params": [_param(p) for p in loss.params],
        "traits": {
            "input_kind": loss.traits.input_kind,
            "robust_to_outliers": loss.traits.robust_to_outliers,
            "handles_imbalance": loss.traits.handles_imbalance,
        },
        "example": dict(loss.example),
    }


_KIND = {
    "float": "floating",
    "label": "label",
    "index": "index",
    "class_target": "class indices or probabilities",
}


def _param(p: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
    if p.choices is not None:
        out["choices"] = list(p.choices)
    for key in ("ge", "gt", "le", "lt"):
        bound = getattr(p, key)
        if bound is not None:
            out[key] = bound
    return out
