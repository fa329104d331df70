"""The application factory: builds the app, installs error handling, includes the routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.routing import APIRoute

from . import __version__, pages
from .catalogue import CATALOGUE
from .compute.pool import LocalPool, Pool
from .compute.process import ProcessPool
from .http import auth, custom, oip, problems, run_views, runs
from .http.lane import ComputeLane
from .http.metrics import router as metrics_router
from .http.observability import RequestObservability
from .http.openapi import install_openapi
from .http.routes import router
from .memory import keep_freed_memory
from .observability import Metrics
from .runs import Store
from .settings import Settings
from .shutdown import AnswerCancelled, Drain

DESCRIPTION = """\
Every loss that `torch.nn` ships, and the ones users keep asking for (MAPE, RMSE, focal, Dice, …),
with their gradients, computed by PyTorch itself and returned as JSON.

* Values and gradients equal PyTorch's on the same inputs and dtype (float32 by default, or float64).
* Tensors travel as plain JSON, typed JSON or base64 binary; non-finite numbers as `"NaN"`, `"Infinity"`, `"-Infinity"`.
* Every error is `application/problem+json` (RFC 9457); every 422 lists each field at fault in `errors`,
  by its path from the body's root.

### Where lossd decides what PyTorch leaves open

* **Work is bounded by the loss's shape too.** A loss whose unreduced shape (after broadcasting) holds more
  than `max_tensor_elements` elements is a 413, even when every input is small.
* **Empty batches.** `multi_margin` and `multilabel_margin` over zero samples give 0 for `sum` and NaN for
  `mean`, as `cross_entropy` does; PyTorch's CPU kernels return uninitialised memory there.
* **Ranges PyTorch does not check:** `label_smoothing` in [0, 1]; `eps` > 0 for `poisson_nll` and `gaussian_nll`
  (it keeps a logarithm away from 0); the norm order `p` of `triplet_margin` > 0; every class index, CTC label and
  `multilabel_margin` label in range; ±1 labels exactly ±1 (NaN included).
* **Shapes PyTorch accepts but mishandles** are a 422: an unbatched `cross_entropy`/`nll` input needs a 0-d
  target (PyTorch's backward fails on `[i]`); `multilabel_soft_margin`'s target and weight, and `bce`'s weights,
  may broadcast to `input`'s shape but not enlarge it.
* **`gaussian_nll`'s `var`:** any 0-d `var` (a bare number or a typed 0-d tensor) is the scalar variance
  PyTorch broadcasts.
* **`triplet_margin_with_distance`** with `distance_function: "cosine"` takes the similarity over the last
  dimension, so unbatched `(D)` inputs work.
* **CTC:** labels past a target's length (padding) are not range-checked; a label equal to `blank` is allowed.
* **Plain JSON** cannot carry an empty tensor (`[]`): send the typed form with its shape.
* **Broadcast targets:** the losses beyond PyTorch that broadcast (`mape`, `rmse`, `quantile`, `log_cosh`) add
  the same `warnings` sentence PyTorch's regression losses get.
* **Custom losses** (`/v1/custom`) are expressions in a small language, parsed and checked, never run as
  Python; every input must be used; every intermediate tensor is bounded before anything runs; they are not
  stored. **Plugin losses** (entry points `lossd.losses`) are catalogue entries like the built-ins, loaded
  at start-up after their descriptor and example pass; a failing plugin is logged and skipped.
"""


def _operation_id(route: APIRoute) -> str:
    return route.operation_id or route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    """A lossd app. Its lifespan starts the compute pool and stops it."""
    settings = settings or Settings()
    metrics = Metrics()
    drain = Drain()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        keep_freed_memory()  # large requests reuse the memory of the last one (lossd.memory)
        pool: Pool = ProcessPool(settings, metrics) if settings.pool == "process" else LocalPool(settings)
        store = Store.open(settings.runs_database_url())
        await anyio.to_thread.run_sync(store.upgrade)  # the runs schema, migrated before the first request
        app.state.store = store
        await pool.start()
        app.state.pool = pool
        try:
            with drain.signals():
                yield
        finally:
            await pool.close()
            store.close()

    app = FastAPI(
        title="lossd",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        redirect_slashes=False,
        docs_url=None,  # the pages package serves /docs and /redoc from its own assets, with no CDN
        redoc_url=None,
        telemetry=None if settings.opentelemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.add_middleware(ComputeLane)  # inside access control and the request log: added first
    app.add_middleware(AnswerCancelled, drain=drain)
    app.state.drain = drain
    auth.install(app, settings)  # before the request log, which stays outermost and logs 401s and 429s
    app.add_middleware(RequestObservability, metrics=metrics)
    problems.install(app)
    app.include_router(router)
    app.include_router(metrics_router)
    app.include_router(custom.router)
    app.include_router(oip.router)  # the Open Inference Protocol, /v2
    app.include_router(runs.router)
    app.include_router(run_views.router)
    CATALOGUE.load()  # plugin losses: loaded, and logged, at start-up rather than on the first request
    install_openapi(app)
    pages.install(app)
    return app
