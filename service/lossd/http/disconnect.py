"""A client that goes away takes its queued work with it.

`watch` races some work against the client's disconnect: when the client goes first, the work is cancelled
(the process pool then tells its workers to drop the jobs that have not started) and `ClientDisconnect` ends
the request quietly. `submit` watches one computation; the batch and compare routes watch all of theirs.
Work that runs inline on the event loop is not watched: it is done before a disconnect could be noticed.
"""

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from starlette.requests import ClientDisconnect, Request

from ..catalogue.validate import Prepared
from ..compute.engine import Result
from ..compute.pool import Pool

T = TypeVar("T")


async def submit(request: Request, pool: Pool, job: Prepared) -> Result:
    if pool.runs_inline(job):
        return await pool.submit(job)
    return await watch(request, pool.submit(job))


async def watch(request: Request, work: Awaitable[T]) -> T:
    """The result of `work`, unless the client disconnects first: then `work` is cancelled and
    `ClientDisconnect` raised. Call it once the body has been read."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait((task, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise ClientDisconnect()
    return task.result()


async def _disconnected(request: Request) -> None:
    # The body has been read: the next message the server sends is the disconnect.
    while (await request.receive())["type"] != "http.disconnect":
        pass
