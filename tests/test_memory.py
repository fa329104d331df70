"""lossd.memory: freed memory kept for the next large request (glibc only)."""

import os
import platform
import subprocess
import sys

import pytest

# A large request's pattern, ten times over: a body, a copy of it, an answer. Prints the page faults of the
# last nine rounds (each round touches 20 MiB: about 5,000 pages).
PROBE = """
import resource, sys
from lossd.memory import keep_freed_memory
changed = keep_freed_memory() if sys.argv[1] == "keep" else False
def round():
    body = bytearray(8 << 20)
    body[::4096] = b"x" * len(body[::4096])
    copy = bytes(body)
    answer = bytearray(4 << 20)
    answer[::4096] = b"y" * len(answer[::4096])
round()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(9):
    round()
print(changed, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
ROUND_PAGES = 20 * 256

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's thresholds are glibc's")


def probe(mode: str, **env: str) -> tuple[bool, int]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode], env={**clean, **env}, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0] == "True", int(out[1])


@glibc
def test_a_freed_large_buffer_is_reused_without_new_page_faults() -> None:
    changed, faults = probe("keep")
    assert changed
    assert faults < 9 * ROUND_PAGES // 10  # almost no page is faulted in again


@glibc
def test_without_it_every_large_buffer_faults_its_pages_in_again() -> None:
    changed, faults = probe("default")
    assert not changed
    assert faults >= 9 * ROUND_PAGES // 2


@glibc
@pytest.mark.parametrize("variable", ["MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"])
def test_an_operators_malloc_tuning_is_left_alone(variable: str) -> None:
    value = "glibc.malloc.trim_threshold=131072" if variable == "GLIBC_TUNABLES" else "131072"
    changed, faults = probe("keep", **{variable: value})
    assert not changed
    assert faults >= 9 * ROUND_PAGES // 2
