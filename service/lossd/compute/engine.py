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
    # On the CPU the inputs are already where they compute: no `.to` and `.cpu` calls, which cost a small
    # request as much as its loss (docs/benchmarks.md, "Where the time of a small request goes").
    on_cpu = device.type == "cpu"
    x = dict(job.inputs) if on_cpu else {name: t.to(device) for name, t in job.inputs.items()}
    for name in job.grad:
        x[name] = x[name].detach().requires_grad_(True)
    p = job.params if on_cpu else {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in job.params.items()}
    value = job.loss.forward(x, p)
    grads: dict[str, torch.Tensor] = {}
    if job.grad:
        wrt = [x[name] for name in job.grad]
        if value.requires_grad:
            # A 0-d value's implicit grad_output is the ones_like(value) autograd makes itself.
            go = job.grad_output.to(device) if job.grad_output is not None else None
            if go is None and value.ndim:
                go = torch.ones_like(value)
            found = torch.autograd.grad(value, wrt, grad_outputs=go, allow_unused=True)
        else:
            found = (None,) * len(wrt)
        for name, g, t in zip(job.grad, found, wrt, strict=True):
            g = torch.zeros_like(t) if g is None else g.detach()
            grads[name] = g if on_cpu else g.cpu()
    value = value.detach()
    return Result(value if on_cpu else value.cpu(), grads, str(device))
