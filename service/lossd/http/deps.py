"""Dependencies the routes declare: the settings and the compute pool of this app.

Both are `async def`: FastAPI runs a plain `def` dependency in its thread pool, a hop per dependency per
request that costs more than a small computation (docs/benchmarks.md, "Load").
"""

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from ..compute.pool import Pool
from ..settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_pool(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[Pool, Depends(get_pool)]
