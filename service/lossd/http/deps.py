"""Dependencies the routes declare: the settings and the compute pool of this app.

Both are `async def`: FastAPI runs a plain `def` dependency in its thread pool, a hop per dependency per
request that costs more than a small computation (docs/benchmarks.md, "Load"). The single-loss compute route,
the one small requests hit, calls `pool_of`/`settings_of` itself: FastAPI's dependency solving costs it about
a tenth of its time (docs/benchmarks.md, "Where the time of a small request goes").
"""

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from ..compute.pool import Pool
from ..settings import Settings


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def pool_of(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_pool(request: Request) -> Pool:
    return pool_of(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[Pool, Depends(get_pool)]
