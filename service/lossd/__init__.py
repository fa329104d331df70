"""lossd: PyTorch loss functions and their gradients over HTTP."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lossd")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = ["__version__"]
