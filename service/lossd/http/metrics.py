"""`GET /metrics`: Prometheus text format (lossd.observability)."""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..observability import CONTENT_TYPE, Metrics

router = APIRouter()
_EXAMPLE = """\
# HELP lossd_requests_total HTTP requests answered, by loss (or route kind) and status.
# TYPE lossd_requests_total counter
lossd_requests_total{loss="mse",status="200"} 42.0
"""


@router.get(
    "/metrics",
    tags=["service"],
    operation_id="service-metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}, "example": _EXAMPLE}}}},
)
async def metrics(request: Request) -> Response:
    """Prometheus text format: requests by loss and status, latency, time in queue, batch sizes in requests and
    elements, queue depth, worker restarts and device memory; across every API process under
    `lossd serve --workers N`."""
    m: Metrics = request.app.state.metrics
    return Response(m.render(), media_type=CONTENT_TYPE)
