"""Dependencies the routes declare: the settings, the compute pool and the runs store of this app, and the
caller's owner (the seam access control plugs into).

Both are `async def`: FastAPI runs a plain `def` dependency in its thread pool, a hop per dependency per
request that costs more than a small computation (docs/benchmarks.md, "Load").
"""

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from ..compute.pool import Pool
from ..runs import Store
from ..settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_pool(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_owner(request: Request) -> str | None:
    """Whose runs the caller sees, by which every runs query filters: None (the runs without an owner)
    while access control is off."""
    return None


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[Pool, Depends(get_pool)]
StoreDep = Annotated[Store, Depends(get_store)]
OwnerDep = Annotated[str | None, Depends(get_owner)]
