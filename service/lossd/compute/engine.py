"""Run one prepared computation on a device: forward, then the requested vector–Jacobian products."""

from dataclasses import dataclass

import torch

from ..catalogue.validate import Prepared
from ..errors import InvalidRequest, LimitExceeded


@dataclass(frozen=True)
class Result:
    """The loss value and gradients, on the CPU, in the compute dtype."""

    value: torch.Tensor
    grads: dict[str, torch.Tensor]
    device: str


def run(job: Prepared, device: torch.device) -> Result:
    """Compute `job` on `device`.

    Validation has already run; a PyTorch error here means a check is missing,
    and is reported as a 422 rather than a crash.
    """
    try:
        with torch.enable_grad():
            return _run(job, device)
    except (RuntimeError, ValueError, IndexError) as e:
        if isinstance(e, torch.OutOfMemoryError) or "allocate" in str(e):
            raise LimitExceeded("memory", None, "the computation needs more memory than this server can give it") from e
        raise InvalidRequest.at(("inputs",), f"PyTorch rejected these inputs: {_first_line(e)}") from e


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _run(job: Prepared, device: torch.device) -> Result:
    x = {name: t.to(device) for name, t in job.inputs.items()}
    for name in job.grad:
        x[name] = x[name].detach().requires_grad_(True)
    p = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in job.params.items()}
    value = job.loss.forward(x, p)
    grads: dict[str, torch.Tensor] = {}
    if job.grad:
        wrt = [x[name] for name in job.grad]
        if value.requires_grad:
            go = job.grad_output.to(device) if job.grad_output is not None else torch.ones_like(value)
            found = torch.autograd.grad(value, wrt, grad_outputs=go, allow_unused=True)
        else:
            found = (None,) * len(wrt)
        for name, g, t in zip(job.grad, found, wrt, strict=True):
            grads[name] = (torch.zeros_like(t) if g is None else g).detach().cpu()
    return Result(value.detach().cpu(), grads, str(device))
