"""The application factory: builds the app, installs error handling, includes the routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from . import __version__
from .compute.pool import LocalPool
from .http import problems
from .http.openapi import install_openapi
from .http.routes import router
from .settings import Settings

DESCRIPTION = """\
Every loss that `torch.nn` ships, and the ones users keep asking for (MAPE, RMSE, focal, Dice, …),
with their gradients, computed by PyTorch itself and returned as JSON.

* Values and gradients equal PyTorch's on the same inputs and dtype (float32 by default, or float64).
* Tensors travel as plain JSON, typed JSON or base64 binary; non-finite numbers as `"NaN"`, `"Infinity"`, `"-Infinity"`.
* Every error is `application/problem+json` (RFC 9457); every 422 lists each field at fault in `errors`, by its path from the body's root.
"""


def _operation_id(route: APIRoute) -> str:
    return route.operation_id or route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    """A lossd app. Its lifespan starts the compute pool and stops it."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = LocalPool(settings)
        await pool.start()
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(
        title="lossd",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    problems.install(app)
    app.include_router(router)
    install_openapi(app)
    return app
