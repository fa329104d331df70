"""Dependencies the routes declare: the settings, the compute pool and the runs store of this app, and the
caller's owner (the seam access control plugs into).

Each is `async def`: FastAPI runs a plain `def` dependency in its thread pool, a hop per dependency per
request that costs more than a small computation (docs/benchmarks.md, "Load"). The single-loss compute
route, the one small requests hit, calls `pool_of`, `settings_of` and `store_of` itself: FastAPI's
dependency solving costs it about a tenth of its time (docs/benchmarks.md, "Where the time of a small
request goes").
"""

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from ..compute.pool import Pool
from ..runs import Store
from ..settings import Settings
from .auth import caller_key


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def pool_of(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_pool(request: Request) -> Pool:
    return pool_of(request)


async def get_store(request: Request) -> Store:
    return store_of(request)


async def get_owner(request: Request) -> str | None:
    """Whose runs the caller sees, by which every runs query filters: the id of the caller's API key
    (`auth.caller_key`), or None (the runs made without a key) while access control is off."""
    return await caller_key(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[Pool, Depends(get_pool)]
StoreDep = Annotated[Store, Depends(get_store)]
OwnerDep = Annotated[str | None, Depends(get_owner)]
