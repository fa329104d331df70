"""`GET /metrics`: Prometheus text format (lossd.observability)."""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..observability import CONTENT_TYPE, Metrics

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text format: requests by loss and status, latency, time in queue, batch sizes in requests and
    elements, queue depth, worker restarts and device memory; across every API process under
    `lossd serve --workers N`."""
    m: Metrics = request.app.state.metrics
    return Response(m.render(), media_type=CONTENT_TYPE)
