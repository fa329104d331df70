"""Device detection, in one place."""

from typing import Any

import torch


def resolve(setting: str) -> torch.device:
    """`cpu`, or for `auto` the first visible CUDA device when there is one (else the CPU)."""
    if setting == "auto" and torch.cuda.is_available():
        return torch.device("cuda", 0)
    return torch.device("cpu")


def runtime() -> dict[str, Any]:
    """What the service computes with: torch's version and the devices it can see."""
    cuda = torch.cuda.is_available()
    return {
        "torch": torch.__version__,
        "cuda": torch.version.cuda if cuda else None,
        "devices": ["cpu"] + ([f"cuda:{i}" for i in range(torch.cuda.device_count())] if cuda else []),
    }
