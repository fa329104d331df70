"""Device detection, in one place.

`detect` resolves the `LOSSD_DEVICES` setting to device names without creating a CUDA context in the
calling process (NVML-based counting where torch offers it), so that the API process never holds one:
only the worker that owns a device touches it.
"""

import os
from typing import Any

import torch


def resolve(setting: str) -> torch.device:
    """`cpu`, or for `auto` the first visible CUDA device when there is one (else the CPU)."""
    if setting == "auto" and torch.cuda.is_available():
        return torch.device("cuda", 0)
    return torch.device("cpu")


def cuda_count() -> int:
    """How many CUDA devices are visible, without initialising CUDA here (respects CUDA_VISIBLE_DEVICES)."""
    if not torch.backends.cuda.is_built() or os.environ.get("CUDA_VISIBLE_DEVICES", None) == "":
        return 0
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    try:
        return int(torch.cuda.device_count())
    except Exception:  # no driver, no NVML: no GPU for us
        return 0


def detect(setting: str) -> list[str]:
    """The devices named by `setting`: `auto` (every CUDA device, else `cpu`), `cpu`, or `cuda:0,cuda:1`."""
    if setting == "cpu":
        return ["cpu"]
    if setting == "auto":
        n = cuda_count()
        return [f"cuda:{i}" for i in range(n)] or ["cpu"]
    names = [d.strip() if ":" in d else f"{d.strip()}:0" for d in setting.split(",") if d.strip()]
    return list(dict.fromkeys(names)) or ["cpu"]


def runtime() -> dict[str, Any]:
    """What the service computes with: torch's version and the devices it can see."""
    n = cuda_count()
    return {
        "torch": torch.__version__,
        "cuda": torch.version.cuda if n else None,
        "devices": ["cpu"] + [f"cuda:{i}" for i in range(n)],
    }
