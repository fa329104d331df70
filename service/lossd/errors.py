"""Domain errors. Raised by the codec, catalogue and pool; mapped to HTTP problems in one place.

LossdError
 ├── MalformedBody          the body is not JSON                         (400)
 ├── UnknownLoss            no loss by that name; carries suggestions    (404)
 ├── RunNotFound            no run by that id (for this owner)            (404)
 ├── SeriesNotFound         the run has no series by that name            (404)
 ├── PointConflict          a stored point holds another value; its loc   (409)
 ├── BodyTimeout            the body did not arrive in time               (408)
 ├── LimitExceeded          a configured limit was passed                (413)
 ├── UnsupportedMediaType   content type or encoding not accepted        (415)
 ├── InvalidRequest         well-formed but wrong; carries every error   (422)
 ├── PoolBusy               no room to queue the work                    (503)
 └── ComputeTimeout         the work ran past the request timeout        (504)
"""

from collections.abc import Sequence
from dataclasses import dataclass

Loc = tuple[str | int, ...]


class LossdError(Exception):
    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class MalformedBody(LossdError):
    status = 400
    title = "Malformed request body"


class UnknownLoss(LossdError):
    status = 404
    title = "Unknown loss"

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"There is no loss named {name!r}{hint}")
        self.name = name
        self.suggestions = list(suggestions)


class UnknownVersion(LossdError):
    status = 404
    title = "Unknown model version"

    def __init__(self, model: str, version: str, versions: Sequence[str]) -> None:
        super().__init__(f"model {model} has no version {version!r}; its versions are {', '.join(versions)}")


class RunNotFound(LossdError):
    status = 404
    title = "Unknown run"

    def __init__(self, run_id: str) -> None:
        super().__init__(f"There is no run with id {run_id!r}")
        self.run_id = run_id


class SeriesNotFound(LossdError):
    status = 404
    title = "Unknown series"

    def __init__(self, run_id: str, series: str, known: Sequence[str]) -> None:
        has = f"; it has {', '.join(known)}" if known else "; it has no series yet"
        super().__init__(f"Run {run_id!r} has no series {series!r}{has}")
        self.series = series


class PointConflict(LossdError):
    """A point whose (series, step) is stored with another value; `loc` names it in the request."""

    status = 409
    title = "Conflicting point"

    def __init__(self, loc: "Loc", detail: str) -> None:
        super().__init__(detail)
        self.loc = loc


class BodyTimeout(LossdError):
    status = 408
    title = "Request body timed out"


class LimitExceeded(LossdError):
    status = 413
    title = "Request too large"

    def __init__(self, limit: str, value: int | float | None, detail: str, loc: Loc = ()) -> None:
        super().__init__(detail if value is None else f"{detail} (limit {limit} = {value})")
        self.limit = limit
        self.value = value
        self.loc = loc


class UnsupportedMediaType(LossdError):
    status = 415
    title = "Unsupported media type"


@dataclass(frozen=True)
class FieldError:
    loc: Loc
    msg: str


class InvalidRequest(LossdError):
    status = 422
    title = "Invalid request"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        if not errors:
            raise ValueError("InvalidRequest needs at least one error")
        self.errors = list(errors)
        first = self.errors[0]
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{_show(first.loc)}: {first.msg}{more}")

    @classmethod
    def at(cls, loc: Loc, msg: str) -> "InvalidRequest":
        return cls([FieldError(tuple(loc), msg)])

    def prefixed(self, prefix: Loc) -> "InvalidRequest":
        return InvalidRequest([FieldError(prefix + e.loc, e.msg) for e in self.errors])


class PoolBusy(LossdError):
    status = 503
    title = "Service busy"

    def __init__(self, detail: str, retry_after_s: int = 1) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class ComputeTimeout(LossdError):
    status = 504
    title = "Computation timed out"


def _show(loc: Loc) -> str:
    return ".".join(str(p) for p in loc) or "body"
