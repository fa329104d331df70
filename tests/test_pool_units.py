"""The pool's pieces without processes: routing by cost, device detection, batching and the GPU path's
out-of-memory handling, with the device layer faked on the CPU."""

from typing import Any

import pytest
import torch

from lossd.catalogue import CATALOGUE
from lossd.catalogue.validate import Prepared
from lossd.compute import batching, devices
from lossd.compute.engine import Result, run
from lossd.compute.pool import cost, inline
from lossd.errors import LimitExceeded
from lossd.settings import Settings

CPU = torch.device("cpu")


def job(
    n: int, reduction: str = "mean", grad: tuple[str, ...] = ("input",), loss: str = "mse", **params: Any
) -> Prepared:
    spec = CATALOGUE.resolve(loss)
    p = {s.name: s.default for s in spec.params} | {"reduction": reduction} | params
    x = {"input": torch.arange(n, dtype=torch.float32) / 3, "target": torch.ones(n)}
    return Prepared(spec, x, p, grad, None, torch.float32, (n,) if reduction == "none" else (), [])


@pytest.mark.parametrize(
    ("n", "grad", "device", "expected"),
    [
        (4, ("input",), "cpu", True),
        (2048, (), "cpu", True),  # cost 2 × 2048 = 4096: inline
        (1024, ("input",), "cpu", True),  # cost 2 × 2 × 1024 = 4096: inline
        (1025, ("input",), "cpu", False),
        (4, ("input",), "cuda", False),  # GPU work always goes to the pool
    ],
)
def test_routing_by_cost(n: int, grad: tuple[str, ...], device: str, expected: bool) -> None:
    j = job(n, grad=grad)
    assert inline(j, torch.device(device), Settings()) is expected
    assert cost(j) == 2 * n * (2 if grad else 1)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("cpu", ["cpu"]), ("cuda:1,cuda:0", ["cuda:1", "cuda:0"]), ("cuda", ["cuda:0"]), ("cuda:0,cuda:0", ["cuda:0"])],
)
def test_devices_named(setting: str, expected: list[str]) -> None:
    assert devices.detect(setting) == expected


def test_auto_falls_back_to_the_cpu_without_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices, "cuda_count", lambda: 0)
    assert devices.detect("auto") == ["cpu"]
    monkeypatch.setattr(devices, "cuda_count", lambda: 2)
    assert devices.detect("auto") == ["cuda:0", "cuda:1"]


def test_compatible_jobs_group_and_others_run_alone() -> None:
    jobs = [job(3), job(5, "sum"), job(2, "none"), job(4, grad=()), job(3, loss="l1"), job(3, loss="rmse")]
    assert batching.group(jobs, 1000) == [[0, 1, 2], [3], [4], [5]]
    assert batching.group(jobs[:3], 16) == [[0, 1], [2]]  # capped by elements (input and target count)


def test_a_batch_equals_each_job_alone() -> None:
    jobs = [job(3), job(5, "sum"), job(2, "none"), job(1)]
    together = batching.run_group(jobs, CPU)
    for j, got in zip(jobs, together, strict=True):
        want = run(j, CPU)
        assert isinstance(got, Result)
        torch.testing.assert_close(got.value, want.value)
        torch.testing.assert_close(got.grads["input"], want.grads["input"])


class FakeGPU:
    """A device layer that runs out of memory for more than `limit` input elements at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.batches: list[int] = []

    def many(self, jobs: list[Prepared], device: torch.device) -> list[Result]:
        self.batches.append(sum(j.elements for j in jobs))
        if self.batches[-1] > self.limit:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return batching.run_batched(jobs, CPU)

    def one(self, job: Prepared, device: torch.device) -> Result:
        if job.elements > self.limit:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return run(job, CPU)


def test_out_of_memory_splits_the_batch_and_retries_each_request() -> None:
    gpu = FakeGPU(limit=20)
    jobs = [job(4), job(6), job(8), job(30)]  # together 96 elements; the last needs 60 alone
    out = batching.run_group(jobs, CPU, run_one=gpu.one, run_many=gpu.many)
    assert gpu.batches == [96]
    for j, got in zip(jobs[:3], out[:3], strict=True):
        assert isinstance(got, Result)
        torch.testing.assert_close(got.value, run(j, CPU).value)
    assert isinstance(out[3], LimitExceeded) and out[3].status == 413


def test_a_failing_batch_never_fails_its_neighbours() -> None:
    def broken(jobs: list[Prepared], device: torch.device) -> list[Result]:
        raise RuntimeError("something in the batch went wrong")

    jobs = [job(3), job(4)]
    out = batching.run_group(jobs, CPU, run_many=broken)
    assert all(isinstance(r, Result) for r in out)


def _frame(n: int) -> Any:
    import time

    import numpy as np

    from lossd.compute import frames

    x = {"input": np.ones(n, dtype=np.float32), "target": np.zeros(n, dtype=np.float32)}
    return frames.Job(1, "mse", x, {"reduction": "mean"}, ("input",), None, "float32", (), time.monotonic() + 60)


@pytest.mark.parametrize("device", ["cpu", "cuda:0"])
def test_a_sticky_cuda_error_replaces_the_worker_and_other_errors_do_not(
    device: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lossd.compute import worker
    from lossd.errors import PoolBusy

    def broken(*args: Any, **kwargs: Any) -> list[Any]:
        raise RuntimeError("CUDA error: an illegal memory access was encountered")

    monkeypatch.setattr(worker.batching, "run_group", broken)
    w = worker.Worker(worker.Config(0, "/nonexistent", device, 0))
    if device == "cpu":
        ((outcome, members, elements),) = w.compute([_frame(3)])
        assert isinstance(outcome, PoolBusy) and (members, elements) == (1, 6)
    else:
        with pytest.raises(worker._Sticky):  # the loop answers its jobs with 503s, then the process exits
            w.compute([_frame(3)])


def test_a_worker_computes_frames_as_the_engine_does() -> None:
    from lossd.compute import worker

    w = worker.Worker(worker.Config(0, "/nonexistent", "cpu", 0))
    ((outcome, members, elements),) = w.compute([_frame(4)])
    assert isinstance(outcome, Result) and (members, elements) == (1, 8)
    assert float(outcome.value) == 1.0 and outcome.grads["input"].tolist() == [0.5] * 4
