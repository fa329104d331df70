"""A Python client for lossd: PyTorch losses and their gradients over HTTP.

    from lossd_client import LossClient

    with LossClient("http://127.0.0.1:8000") as client:
        r = client.compute("cross_entropy", input=logits, target=labels, grad=True)
        r.value, r.grads["input"]

`LossClient` and `AsyncLossClient` (the same API, async) take lists, NumPy arrays or torch tensors and
give back floats and NumPy arrays. Each loss also has its own method (`client.mse(...)`), documented from
the catalogue; `client.run(name)` keeps a training run's curves on the server (`Run`). The typed client
generated from lossd's OpenAPI document is `lossd_api`.
"""

from ._client import (
    DEFAULT_URL,
    AsyncLossClient,
    Compared,
    Comparison,
    Computation,
    ComputeDtype,
    Contributor,
    Grad,
    LossClient,
    Result,
    Skipped,
)
from ._errors import (
    ComputeTimeout,
    Conflict,
    FieldError,
    Forbidden,
    InvalidRequest,
    LossdError,
    MalformedRequest,
    MethodNotAllowed,
    NotFound,
    ProblemError,
    RateLimited,
    ServerError,
    ServiceBusy,
    Timeout,
    TooLarge,
    TransportError,
    Unauthorized,
    UnknownLoss,
    UnsupportedMediaType,
)
from ._losses import LOSSES
from ._runs import AsyncRun, Best, Diagnosis, Run, Series
from ._tensors import TensorLike

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_URL",
    "LOSSES",
    "AsyncLossClient",
    "AsyncRun",
    "Best",
    "Compared",
    "Comparison",
    "Computation",
    "ComputeDtype",
    "ComputeTimeout",
    "Conflict",
    "Contributor",
    "Diagnosis",
    "FieldError",
    "Forbidden",
    "Grad",
    "InvalidRequest",
    "LossClient",
    "LossdError",
    "MalformedRequest",
    "MethodNotAllowed",
    "NotFound",
    "ProblemError",
    "RateLimited",
    "Result",
    "Run",
    "Series",
    "ServerError",
    "ServiceBusy",
    "Skipped",
    "TensorLike",
    "Timeout",
    "TooLarge",
    "TransportError",
    "Unauthorized",
    "UnknownLoss",
    "UnsupportedMediaType",
    "__version__",
]
