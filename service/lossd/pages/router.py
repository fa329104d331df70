"""One router for the pages, and the mounts for their static assets."""

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from .. import __version__
from ..catalogue import CATALOGUE
from ..catalogue.descriptor import describe
from ..errors import RunNotFound
from ..http.deps import OwnerDep, StoreDep
from ..http.record import blocking
from .chooser import questions

HERE = Path(__file__).resolve().parent
# Swagger UI 5 and ReDoc 2, as the fastapi-offline wheel ships them (swagger-ui-bundle.js,
# swagger-ui.css, redoc.standalone.js).
VENDOR = Path(str(files("fastapi_offline") / "static"))
STATIC_URL = "/static/lossd"
VENDOR_URL = "/static/vendor"
TASK_ORDER = ("regression", "classification", "probabilistic", "ranking", "embedding", "sequence", "segmentation")

# The pages may load nothing from anywhere but lossd itself: the browser refuses whatever else an asset asks
# for. Swagger UI and ReDoc style their elements inline; ReDoc's search runs in a worker made from a blob.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# ReDoc's sidebar shows Redocly's logo from their CDN: lossd serves the bundle with that image made local.
REDOC_JS_URL = "/static/redoc/redoc.standalone.js"
_REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
# plotly.js (MIT), as the plotly wheel ships it, for the runs pages' chart: the one file, not the folder
# around it (the wheel's package_data also holds data sets and a widget bundle).
PLOTLY_JS = Path(str(files("plotly") / "package_data" / "plotly.min.js"))
PLOTLY_JS_URL = "/static/plotly/plotly.min.js"

templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    links = {
        "root": root,
        "static": root + STATIC_URL,
        "vendor": root + VENDOR_URL,
        "openapi": root + (request.app.openapi_url or "/openapi.json"),
        "redoc_js": root + REDOC_JS_URL,
        "plotly_js": root + PLOTLY_JS_URL,
        "version": __version__,
    }
    return templates.TemplateResponse(request, name, links | context, headers={"Content-Security-Policy": CSP})


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    """What lossd is, where its docs are, and the catalogue: each loss's formula and when to use it."""
    by_task: dict[str, list[dict[str, Any]]] = {}
    for loss in CATALOGUE:
        by_task.setdefault(loss.task, []).append(describe(loss))
    order = {task: i for i, task in enumerate(TASK_ORDER)}
    groups = sorted(by_task.items(), key=lambda kv: order.get(kv[0], len(order)))
    return _page(request, "index.html", groups=groups, count=len(CATALOGUE))


@router.get("/choose", response_class=HTMLResponse)
async def choose(request: Request) -> HTMLResponse:
    """The guided chooser: questions that narrow the catalogue, then the recommended losses on the user's data."""
    return _page(request, "choose.html", questions=questions(CATALOGUE))


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    """Swagger UI, every loss's example ready for "Try it out"."""
    return _page(request, "docs.html")


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc: the same document, to read."""
    return _page(request, "redoc.html")


@router.get("/runs", response_class=HTMLResponse)
async def runs(request: Request) -> HTMLResponse:
    """The runs, newest first, each with its series and diagnosis status (read from `GET /v1/runs`)."""
    return _page(request, "runs.html")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
async def run(request: Request, run_id: str, store: StoreDep, owner: OwnerDep) -> HTMLResponse:
    """One run's interactive chart, following new points while the run is written; an unknown run is a 404."""
    if not await blocking(store.exists, run_id, owner):
        page = _page(request, "missing.html", detail=str(RunNotFound(run_id)))
        page.status_code = 404
        return page
    return _page(request, "run.html", run_id=run_id)


@router.get(PLOTLY_JS_URL)
async def plotly_js() -> FileResponse:
    return FileResponse(PLOTLY_JS, media_type="text/javascript; charset=utf-8")


@cache
def _redoc_js() -> bytes:
    source = (VENDOR / "redoc.standalone.js").read_text(encoding="utf-8")
    return source.replace(_REDOC_LOGO, STATIC_URL + "/redoc-credit.svg").encode()


@router.get(REDOC_JS_URL)
async def redoc_js() -> Response:
    return Response(_redoc_js(), media_type="text/javascript; charset=utf-8")


def install(app: FastAPI) -> None:
    """Serve the pages and their assets on `app`."""
    app.include_router(router)
    app.mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="lossd-static")
    app.mount(VENDOR_URL, StaticFiles(directory=VENDOR), name="vendor-static")
