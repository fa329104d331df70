"""What the client raises. Every problem lossd answers with (RFC 9457) is a `ProblemError` carrying it.

LossdError
 ├── TransportError            no answer from lossd: connection refused, reset, …  (wraps httpx's error)
 │    └── Timeout              the client's timeout ran out
 └── ProblemError              lossd answered with a problem: .status, .type, .title, .detail, .problem
      ├── MalformedRequest     400  the body is not JSON
      ├── NotFound             404  unknown path, run or series
      │    └── UnknownLoss     404  unknown loss; .suggestions
      ├── MethodNotAllowed     405
      ├── Conflict             409  a run's point is stored with another value
      ├── TooLarge             413  over a configured limit; .limit, .limit_value
      ├── UnsupportedMediaType 415
      ├── InvalidRequest       422  .errors: each FieldError(loc, msg)
      ├── ServiceBusy          503  still busy when the retry budget ran out; .retry_after, .attempts
      │   └── RateLimited      429  the API key still over its rate when the retry budget ran out
      ├── Unauthorized         401  no API key, or not a valid one
      ├── Forbidden            403  a valid key that may not use this route
      ├── ComputeTimeout       504  the computation ran past the server's request timeout
      └── ServerError          any other 5xx
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class LossdError(Exception):
    """Anything the client raises about lossd."""


class TransportError(LossdError):
    """lossd could not be reached, or did not answer."""


class Timeout(TransportError):
    """The client's timeout ran out before lossd answered."""


@dataclass(frozen=True)
class FieldError:
    """One field at fault in a 422: `loc` is its path from the body's root."""

    loc: tuple[str | int, ...]
    msg: str


class ProblemError(LossdError):
    """lossd answered with a problem (application/problem+json)."""

    def __init__(self, problem: Mapping[str, Any]) -> None:
        self.problem: dict[str, Any] = dict(problem)
        self.status: int = int(self.problem.get("status", 0))
        self.type: str = str(self.problem.get("type", "about:blank"))
        self.title: str = str(self.problem.get("title", ""))
        self.detail: str = str(self.problem.get("detail", ""))
        super().__init__(f"{self.status} {self.title}: {self.detail}")


class MalformedRequest(ProblemError):
    """400: the request body was not JSON."""


class NotFound(ProblemError):
    """404: no such path."""


class Conflict(ProblemError):
    """409: a point of a run is already stored with another value (send it with `replace=True` to overwrite)."""


class UnknownLoss(NotFound):
    """404: no loss by that name; `suggestions` holds the closest names."""

    def __init__(self, problem: Mapping[str, Any]) -> None:
        super().__init__(problem)
        self.suggestions: list[str] = list(self.problem.get("suggestions") or [])


class MethodNotAllowed(ProblemError):
    """405."""


class TooLarge(ProblemError):
    """413: a body, tensor, rank, element total or batch over one of the server's limits."""

    def __init__(self, problem: Mapping[str, Any]) -> None:
        super().__init__(problem)
        self.limit: str | None = self.problem.get("limit")
        self.limit_value: float | None = self.problem.get("limit_value")


class UnsupportedMediaType(ProblemError):
    """415."""


class InvalidRequest(ProblemError):
    """422: `errors` names every field at fault."""

    def __init__(self, problem: Mapping[str, Any]) -> None:
        super().__init__(problem)
        self.errors: list[FieldError] = [
            FieldError(tuple(e.get("loc", ())), str(e.get("msg", ""))) for e in self.problem.get("errors") or []
        ]


class ServiceBusy(ProblemError):
    """503: the compute pool stayed full through the retry budget."""

    def __init__(self, problem: Mapping[str, Any], retry_after: float | None = None, attempts: int = 1) -> None:
        super().__init__(problem)
        self.retry_after = retry_after
        self.attempts = attempts


class RateLimited(ServiceBusy):
    """429: the API key stayed over its rate through the retry budget."""


class Unauthorized(ProblemError):
    """401: no API key, or not a valid one, where lossd has access control on (`api_key=`)."""


class Forbidden(ProblemError):
    """403: a valid key that may not use this route."""


class ComputeTimeout(ProblemError):
    """504: the computation ran past the server's request timeout."""


class ServerError(ProblemError):
    """Any other 5xx."""


_BY_STATUS: dict[int, type[ProblemError]] = {
    400: MalformedRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    413: TooLarge,
    415: UnsupportedMediaType,
    422: InvalidRequest,
    429: RateLimited,
    503: ServiceBusy,
    504: ComputeTimeout,
}


def from_problem(problem: Mapping[str, Any]) -> ProblemError:
    """The exception for a problem, by its status."""
    status = int(problem.get("status", 0))
    if status == 404 and "suggestions" in problem:
        return UnknownLoss(problem)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else ProblemError)
    return cls(problem)
