"""Several losses on the same inputs, side by side: `POST /v1/compare` without the HTTP.

Each loss runs through the same `prepare` and pool as a compute request, so
its value is PyTorch's. Decisions the contract leaves open:

- `top_contributors` ranks the entries of the unreduced loss (`reduction="none"`)
  by |entry| / Σ|entries|, largest first, ties by the lower flat index, NaN
  entries first (a NaN is what a user most needs to find). When Σ|entries| is
  0 (a perfect fit) no entry contributes anything: the list is empty. When it
  is not finite (an entry is NaN or ±inf, or the float64 sum overflows) the
  ranking still orders the entries, and every share is NaN (written "NaN").
  A loss without an unreduced form (`rmse`) has `top_contributors: null`.
- A malformed or oversized input tensor is a problem with the request, not
  with a loss: a 422 (or 413) for the whole request, as in compute. So are an
  unknown, duplicated or not-run loss in `losses` or `params`, a `top` out of
  range, and a bad value in the params given for a loss (a typo must not
  pass silently). What fails only for one loss on these inputs (shapes, value
  ranges, PyTorch's own refusals) skips that loss with the reason.
- With `losses` absent, the losses run are those whose input names equal the
  given ones; inputs that fit none answer 200 with every loss skipped, each
  saying which inputs it needs.
- The answer lists at most `max_tensor_elements` contributors over all losses together; a `top` that
  would list more is a 413 naming `top`.
- The pool's 503 and 504 end the whole request: they are about the server, not the inputs.
"""

import asyncio
import dataclasses
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import torch

from .catalogue.registry import Catalogue
from .catalogue.spec import Loss
from .catalogue.validate import ComputeDtype, Prepared, prepare
from .codec import ElementBudget, Limits, decode, encode_result
from .compute.engine import Result
from .errors import FieldError, InvalidRequest, LimitExceeded, UnknownLoss

Submit = Callable[[Prepared], Awaitable[Result]]
DEFAULT_TOP = 3
# Rankings of more entries than this are computed off the event loop.
_INLINE_RANK = 1 << 16


async def compare(
    catalogue: Catalogue,
    submit: Submit,
    limits: Limits,
    max_total_elements: int,
    inputs: Mapping[str, Any],
    losses: Sequence[str] | None,
    params: Mapping[str, Mapping[str, Any] | None] | None,
    dtype: ComputeDtype,
    top: int | None,
) -> dict[str, Any]:
    """`{"results": [...], "skipped": [...]}` for these inputs.

    Raises `InvalidRequest` (422) or `LimitExceeded` (413) for the request as a
    whole, and whatever `submit` raises other than `InvalidRequest`.
    """
    errors: list[FieldError] = []
    k = DEFAULT_TOP if top is None else top
    if not 0 <= k <= limits.max_tensor_elements:
        errors.append(FieldError(("top",), f"must be between 0 and {limits.max_tensor_elements} (max_tensor_elements)"))
    skipped: list[dict[str, Any]] = []
    if losses is None:
        given = set(inputs)
        run = [loss for loss in catalogue if {i.name for i in loss.inputs} == given]
        for loss in catalogue:
            if loss not in run:
                skipped.append({"loss": loss.name, "reason": _needs(loss, given)})
    else:
        run = _named(catalogue, losses, errors)
    own = _params(catalogue, params, run, errors)
    if errors:
        raise InvalidRequest(errors)

    # Every input once against the request's element budget (and the per-tensor limits), as compute does.
    budget = ElementBudget(max_total_elements)
    for name, value in inputs.items():
        try:
            decode(value, ("inputs", name), limits, budget)
        except InvalidRequest as e:
            errors.extend(e.errors)
    if errors:
        raise InvalidRequest(errors)

    results = []
    listed = 0  # contributors in the answer so far: all losses together list at most one tensor's worth
    for loss in run:
        key, loss_params = own.get(loss.name, (None, {}))
        try:
            job = _prepare(loss, inputs, loss_params, key, dtype, limits, max_total_elements)
            results.append(await _run(job, submit, k))
        except InvalidRequest as e:
            skipped.append({"loss": loss.name, "reason": _reason(loss, e)})
        except _ParamsProblem as e:
            raise e.problem from None
        else:
            listed += len(results[-1]["top_contributors"] or ())
            if listed > limits.max_tensor_elements:
                raise LimitExceeded(
                    "max_tensor_elements",
                    limits.max_tensor_elements,
                    "the answer would list more top contributors, over all losses, than one tensor holds elements; "
                    "ask for a smaller top or fewer losses",
                    ("top",),
                )
    return {"results": results, "skipped": skipped}


def _named(catalogue: Catalogue, losses: Sequence[str], errors: list[FieldError]) -> list[Loss]:
    if not losses:
        errors.append(
            FieldError(("losses",), "name at least one loss, or leave losses out to run every loss that fits")
        )
    run: list[Loss] = []
    for i, name in enumerate(losses):
        try:
            loss = catalogue.resolve(name)
        except UnknownLoss as e:
            errors.append(FieldError(("losses", i), e.detail))
            continue
        if loss in run:
            errors.append(FieldError(("losses", i), f"{loss.name} is already listed"))
        else:
            run.append(loss)
    return run


def _params(
    catalogue: Catalogue,
    params: Mapping[str, Mapping[str, Any] | None] | None,
    run: list[Loss],
    errors: list[FieldError],
) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """Each run loss's params, by canonical name, with the key the request used."""
    own: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for key, value in (params or {}).items():
        try:
            loss = catalogue.resolve(key)
        except UnknownLoss as e:
            errors.append(FieldError(("params", key), e.detail))
            continue
        if loss not in run:
            running = ", ".join(loss.name for loss in run) or "none"
            errors.append(FieldError(("params", key), f"{loss.name} is not being run; the losses run are {running}"))
        elif loss.name in own:
            errors.append(FieldError(("params", key), f"params for {loss.name} are already given"))
        else:
            own[loss.name] = (key, value or {})
    return own


def _needs(loss: Loss, given: set[str]) -> str:
    got = ", ".join(sorted(given)) or "none"
    return f"{loss.name} needs inputs {', '.join(i.name for i in loss.inputs)}; the request gives {got}."


def _reason(loss: Loss, e: InvalidRequest) -> str:
    problems = "; ".join(f"{'.'.join(map(str, err.loc)) or 'body'}: {err.msg}" for err in e.errors)
    return f"{loss.name} cannot run on these inputs: {problems}."


def _prepare(
    loss: Loss,
    inputs: Mapping[str, Any],
    params: Mapping[str, Any],
    key: str | None,
    dtype: ComputeDtype,
    limits: Limits,
    max_total_elements: int,
) -> Prepared:
    """`prepare` as compute runs it; a problem in the params the request gave is the request's."""
    try:
        return prepare(loss, inputs, params, None, None, dtype, limits, ElementBudget(max_total_elements))
    except InvalidRequest as e:
        theirs = [err for err in e.errors if err.loc[:1] == ("params",) and err.loc[1:2] and err.loc[1] in params]
        if key is not None and theirs:
            problem = InvalidRequest([FieldError(("params", key, *err.loc[1:]), err.msg) for err in theirs])
            raise _ParamsProblem(problem) from None
        raise
    except LimitExceeded as e:
        if key is not None and e.loc[:1] == ("params",):
            e.loc = ("params", key, *e.loc[1:])
        raise


class _ParamsProblem(Exception):
    """Carries a problem in the params the request gave past the per-loss handler: a 422 for the whole request."""

    def __init__(self, problem: InvalidRequest) -> None:
        super().__init__(str(problem))
        self.problem = problem


async def _run(job: Prepared, submit: Submit, top: int) -> dict[str, Any]:
    result = await submit(job)
    value = encode_result(result.value, {}, "json", reduced=not job.value_shape)["value"]
    return {"loss": job.loss.name, "value": value, "top_contributors": await _contributors(job, result, submit, top)}


def has_unreduced_form(loss: Loss) -> bool:
    reduction = next((p for p in loss.params if p.name == "reduction"), None)
    return reduction is not None and reduction.choices is not None and "none" in reduction.choices


async def _contributors(job: Prepared, result: Result, submit: Submit, top: int) -> list[dict[str, Any]] | None:
    if not has_unreduced_form(job.loss):
        return None
    if top == 0:
        return []
    if job.params.get("reduction") == "none":
        unreduced = result.value
    else:
        params = {**job.params, "reduction": "none"}
        shape = tuple(job.loss.check(job.inputs, params))
        unreduced = (await submit(dataclasses.replace(job, params=params, value_shape=shape))).value
    if unreduced.numel() > _INLINE_RANK:
        return await asyncio.to_thread(rank, unreduced, top)
    return rank(unreduced, top)


def rank(unreduced: torch.Tensor, top: int) -> list[dict[str, Any]]:
    """The `top` entries of `unreduced` with the largest share of Σ|entries| (see the module's docstring)."""
    a = unreduced.detach().abs().to(torch.float64).flatten()
    k = min(top, a.numel())
    total = float(a.sum())
    if k == 0 or total == 0.0:
        return []
    order = torch.sort(a, descending=True, stable=True).indices[:k]  # NaN first, ties in index order
    shares = (a[order] / total).tolist() if math.isfinite(total) else [math.nan] * k
    shape = tuple(unreduced.shape)
    index = torch.stack(torch.unravel_index(order, shape), dim=1).tolist() if shape else [[] for _ in range(k)]
    return [{"index": i, "share": s if math.isfinite(s) else "NaN"} for i, s in zip(index, shares, strict=True)]
