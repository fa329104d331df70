"""A client that goes away takes its queued work with it.

`submit` races the pool against the client's disconnect: when the client goes first, the computation is
cancelled (the process pool then tells its worker to drop the job if it has not started) and
`ClientDisconnect` ends the request quietly. Work that runs inline on the event loop is not watched: it is
done before a disconnect could be noticed.
"""

import asyncio

from starlette.requests import ClientDisconnect, Request

from ..catalogue.validate import Prepared
from ..compute.engine import Result
from ..compute.pool import Pool


async def submit(request: Request, pool: Pool, job: Prepared) -> Result:
    if pool.runs_inline(job):
        return await pool.submit(job)
    work = asyncio.ensure_future(pool.submit(job))
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait((work, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not work.done():
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)
        raise ClientDisconnect()
    return work.result()


async def _disconnected(request: Request) -> None:
    # The body has been read: the next message the server sends is the disconnect.
    while (await request.receive())["type"] != "http.disconnect":
        pass
