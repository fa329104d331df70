"""`record` on compute requests and batch items: the computed value stored as a point of a run."""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread

from ..errors import InvalidRequest, RunNotFound
from ..runs import NewPoint, Store
from .run_schemas import Record

T = TypeVar("T")
Prefix = tuple[str | int, ...]


async def blocking(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a worker thread: database work never blocks the event loop."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args))


async def check_record(store: Store, owner: str | None, record: Record, scalar: bool, prefix: Prefix = ()) -> None:
    """Before anything is computed: only a single number is recorded (422 at `params.reduction`), into a run
    that exists (404)."""
    if not scalar:
        raise InvalidRequest.at(
            (*prefix, "params", "reduction"), "only a single number can be recorded: reduce the loss, or drop record"
        )
    if not await blocking(store.exists, record.run, owner):
        raise RunNotFound(record.run)


async def save_record(
    store: Store, owner: str | None, record: Record, value: float, prefix: Prefix = ()
) -> dict[str, Any]:
    """Store the computed `value` as the record's point (409 at `record` for another value stored there,
    unless `on_conflict: replace`); returns the response's `recorded`."""
    point = NewPoint(record.series, record.step, value)
    replace = record.on_conflict == "replace"
    await blocking(store.add_points, record.run, [point], replace, owner, [(*prefix, "record")])
    return {"run": record.run, "series": record.series, "step": record.step}
