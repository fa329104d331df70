"""Keeping freed memory for the next large request, instead of handing it back to the kernel.

glibc's malloc serves blocks over `M_MMAP_THRESHOLD` (128 KiB at first) with a fresh mmap each and unmaps
them when freed; freed heap memory over `M_TRIM_THRESHOLD` goes back to the kernel too. A large request
allocates and frees tens of megabytes (the body, its tensors, the gradient, the answer), so every one
paid the kernel again for zeroed pages, one page fault per 4 KiB: measured here, an OIP binary request
of 2 × 10⁶ values took 35 ms with glibc's defaults and 19 ms with freed memory kept
(docs/benchmarks.md, "Where the time goes: large binary requests").

The price is resident memory: a process keeps up to `TRIM_BYTES` it no longer uses. Where glibc is not
the C library (musl, macOS), or where the operator tuned malloc with `MALLOC_*` or `GLIBC_TUNABLES`
variables, nothing is changed.
"""

import ctypes
import ctypes.util
import os

# mallopt(3) parameters, from glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_BYTES = 32 * 1024 * 1024  # glibc's largest mmap threshold on 64-bit: blocks up to this come from the heap
TRIM_BYTES = 512 * 1024 * 1024  # freed heap memory kept for reuse before the rest goes back to the kernel


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds in this process. True when they were changed."""
    if "GLIBC_TUNABLES" in os.environ or any(k.startswith("MALLOC_") for k in os.environ):
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):  # no C library found, or one without mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    # mallopt returns 1 on success; the mmap threshold first, since setting it fixes the trim threshold too.
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES))
