"""The public surface: what `lossd_client` exports, typed packages, and the generated code left as generated."""

from pathlib import Path

import lossd_api
import lossd_client

PACKAGE = Path(lossd_client.__file__).parent


def test_exported_members() -> None:
    assert sorted(lossd_client.__all__) == sorted(
        [
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
    )
    for name in lossd_client.__all__:
        assert getattr(lossd_client, name) is not None


def test_both_packages_are_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()
    assert (Path(lossd_api.__file__).parent / "py.typed").is_file()


def test_the_exception_tree() -> None:
    assert issubclass(lossd_client.Timeout, lossd_client.TransportError)
    assert issubclass(lossd_client.UnknownLoss, lossd_client.NotFound)
    for name in ("TransportError", "ProblemError"):
        assert issubclass(getattr(lossd_client, name), lossd_client.LossdError)
    for name in (
        "InvalidRequest",
        "TooLarge",
        "ServiceBusy",
        "RateLimited",
        "Unauthorized",
        "Forbidden",
        "ComputeTimeout",
        "ServerError",
        "NotFound",
        "Conflict",
    ):
        assert issubclass(getattr(lossd_client, name), lossd_client.ProblemError)
