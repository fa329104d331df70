"""Dynamic batching: compatible jobs computed together, each answered as if it ran alone.

A worker collects the jobs that arrive together (`collect` in lossd.compute.worker) and hands them here.
`group` sorts them into compatible groups; `run_group` computes each group and returns one outcome per
job, in order: a `Result`, or the `LossdError` of that job alone.

Batchable: a loss whose catalogue entry declares it `batchable` (elementwise), whose inputs all share one
shape, whose tensor params are unset (a class `weight` or `pos_weight` ties the batch to one shape), and whose
reduction is `mean`, `sum`, `none` or `batchmean`. Compatible: the same loss, params other than `reduction`,
dtype and requested gradients. The group's inputs are flattened and concatenated, the loss computed once
unreduced, then split: each job's slice is reduced with its own reduction and normaliser, and each job's
gradient is taken from its own reduced loss (the slices are independent, so the gradient of the sum of the
jobs' losses, each weighted by its own `grad_output`, is each job's own gradient). Anything else runs one job
at a time, which is the unbatched computation itself.

Memory: a batch that runs out of device memory is split and each job retried alone; a job that runs out
alone is a 413 (`LimitExceeded`), never a crash.
"""

from collections.abc import Callable, Sequence
from typing import Any

import torch

from ..catalogue.validate import Prepared
from ..errors import LimitExceeded, LossdError
from .engine import Result, run

_REDUCTIONS = frozenset({"mean", "sum", "none", "batchmean"})

Outcome = Result | LossdError
RunOne = Callable[[Prepared, torch.device], Result]


def key(job: Prepared) -> tuple[Any, ...] | None:
    """The compatibility key of a batchable job; None when the job must run alone."""
    if not job.loss.batchable or job.params.get("reduction") not in _REDUCTIONS:
        return None
    shapes = {tuple(t.shape) for t in job.inputs.values()}
    if len(shapes) != 1:
        return None
    params = []
    for name, value in sorted(job.params.items()):
        if isinstance(value, torch.Tensor):
            return None
        if name != "reduction":
            params.append((name, value))
    if job.value_shape and tuple(job.value_shape) != next(iter(shapes)):
        return None
    return (job.loss.name, tuple(params), job.dtype, job.grad, tuple(job.inputs))


def group(jobs: Sequence[Prepared], max_elements: int) -> list[list[int]]:
    """Indices of `jobs` in compatible groups of at most `max_elements` input elements (a lone job may pass it)."""
    groups: list[list[int]] = []
    open_: dict[tuple[Any, ...], tuple[list[int], int]] = {}
    for i, job in enumerate(jobs):
        k = key(job)
        if k is None:
            groups.append([i])
            continue
        members, size = open_.get(k, ([], 0))
        if members and size + job.elements > max_elements:
            members, size = [], 0
        if not members:
            groups.append(members)
        members.append(i)
        open_[k] = (members, size + job.elements)
    return groups


def is_oom(e: BaseException) -> bool:
    return isinstance(e, torch.OutOfMemoryError) or (isinstance(e, RuntimeError) and "out of memory" in str(e))


def run_group(
    jobs: Sequence[Prepared], device: torch.device, run_one: RunOne = run, run_many: Any = None
) -> list[Outcome]:
    """One outcome per job. `run_one`/`run_many` are the device layer (replaced by fakes in tests)."""
    if len(jobs) == 1:
        return [_alone(jobs[0], device, run_one)]
    try:
        return list((run_many or run_batched)(jobs, device))
    except Exception as e:  # noqa: BLE001 - any failure of the batch: each job is retried alone, so none spoils the rest
        if device.type == "cuda" and is_oom(e):
            torch.cuda.empty_cache()
        return [_alone(job, device, run_one) for job in jobs]


def _alone(job: Prepared, device: torch.device, run_one: RunOne) -> Outcome:
    try:
        return run_one(job, device)
    except LossdError as e:
        return e
    except Exception as e:
        if is_oom(e):
            if device.type == "cuda":
                torch.cuda.empty_cache()
            return LimitExceeded("memory", None, f"the computation needs more memory than {device} can give it")
        raise


def run_batched(jobs: Sequence[Prepared], device: torch.device) -> list[Result]:
    """Compute a compatible group together (see the module's docstring)."""
    first = jobs[0]
    names = list(first.inputs)
    sizes = [job.inputs[names[0]].numel() for job in jobs]
    with torch.enable_grad():
        x = {n: torch.cat([job.inputs[n].reshape(-1) for job in jobs]).to(device) for n in names}
        for n in first.grad:
            x[n] = x[n].detach().requires_grad_(True)
        params = {**first.params, "reduction": "none"}
        out = first.loss.forward(x, params).reshape(-1)
        values = [_reduce(seg, job) for seg, job in zip(out.split(sizes), jobs, strict=True)]
        grads: list[dict[str, torch.Tensor]] = [{} for _ in jobs]
        if first.grad:
            total = sum(
                (v * (job.grad_output.to(device) if job.grad_output is not None else 1.0)).sum()
                for v, job in zip(values, jobs, strict=True)
                if v.requires_grad
            )
            wrt = [x[n] for n in first.grad]
            if isinstance(total, torch.Tensor) and total.requires_grad:
                found = torch.autograd.grad(total, wrt, allow_unused=True)
            else:
                found = (None,) * len(wrt)
            for n, g, t in zip(first.grad, found, wrt, strict=True):
                full = (torch.zeros_like(t) if g is None else g).detach().cpu()
                for i, part in enumerate(full.split(sizes)):
                    grads[i][n] = part.reshape(jobs[i].inputs[n].shape)
    return [Result(v.detach().cpu(), g, str(device)) for v, g in zip(values, grads, strict=True)]


def _reduce(seg: torch.Tensor, job: Prepared) -> torch.Tensor:
    reduction = job.params["reduction"]
    shape = next(iter(job.inputs.values())).shape
    if reduction == "none":
        return seg.reshape(shape)
    if reduction == "sum":
        return seg.sum()
    if reduction == "batchmean":
        return seg.sum() / shape[0] if len(shape) else seg.sum()
    return seg.mean()
