"""Large tensors reach the device workers through shared memory (lossd.compute.shm): answers equal torch's,
batched or not, and no segment outlives its request, whether it is answered, times out, loses its client or
loses its worker."""

import concurrent.futures
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import numpy as np
import orjson
import pytest
import torch
import torch.nn.functional as F

from lossd.catalogue import CATALOGUE
from lossd.catalogue.validate import Prepared
from lossd.compute import frames, shm, worker
from lossd.compute.engine import Result
from lossd.compute.process import _frame
from lossd.errors import PoolBusy
from lossd.settings import Settings
from test_pool import _wait_held, metric, pool_of

from conftest import Server
from wire import assert_close, from_wire, to_wire

N = 100_000  # 400 KB in float32: above shm.SHARED_MIN_BYTES
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def ours() -> list[str]:
    """The segments this process (the API process of every Server here) has in /dev/shm."""
    return [n for n in os.listdir(shm.DIR) if n.startswith(shm.owner_prefix())]


def _post(client: httpx.Client, loss: str, body: dict[str, Any]) -> httpx.Response:
    # orjson: the stdlib encoder takes seconds over these bodies.
    return client.post(f"/v1/losses/{loss}", content=orjson.dumps(body), headers={"content-type": "application/json"})


Reference = Callable[[dict[str, torch.Tensor], str], torch.Tensor]
g = torch.Generator().manual_seed(7)


def _pair(shape: tuple[int, ...]) -> Callable[[torch.dtype], dict[str, torch.Tensor]]:
    return lambda d: {
        "input": torch.randn(shape, generator=g, dtype=d),
        "target": torch.randn(shape, generator=g, dtype=d),
    }


def _classes(d: torch.dtype) -> dict[str, torch.Tensor]:  # an int64 index target beside a float input
    return {
        "input": torch.randn(N // 10, 10, generator=g, dtype=d),
        "target": torch.randint(0, 10, (N // 10,), generator=g),
    }


# name-reduction -> (inputs for a dtype, torch's loss, reduction)
CASES: dict[str, tuple[Callable[[torch.dtype], dict[str, torch.Tensor]], Reference, str]] = {
    "mse-mean": (_pair((2, N // 2)), lambda x, r: F.mse_loss(x["input"], x["target"], reduction=r), "mean"),
    # the value is as large as the inputs: it comes back through an output segment too
    "l1-none": (_pair((N,)), lambda x, r: F.l1_loss(x["input"], x["target"], reduction=r), "none"),
    "smooth_l1-sum": (_pair((N,)), lambda x, r: F.smooth_l1_loss(x["input"], x["target"], reduction=r), "sum"),
    "cross_entropy-mean": (_classes, lambda x, r: F.cross_entropy(x["input"], x["target"], reduction=r), "mean"),
}


def _body(x: dict[str, torch.Tensor], reduction: str, dtype: str) -> dict[str, Any]:
    return {
        "inputs": {k: to_wire(t, "b64") for k, t in x.items()},
        "params": {"reduction": reduction},
        "grad": ["input"],
        "dtype": dtype,
        "output_encoding": "b64",
    }


def _check(answer: dict[str, Any], x: dict[str, torch.Tensor], reference: Reference, reduction: str) -> None:
    dtype = x["input"].dtype
    leaf = x["input"].detach().clone().requires_grad_(True)
    want = reference({**x, "input": leaf}, reduction)
    (grad,) = torch.autograd.grad(want, leaf, torch.ones_like(want))
    assert_close(from_wire(answer["value"], dtype), want, dtype, "value")
    assert_close(from_wire(answer["grads"]["input"], dtype), grad, dtype, "grad")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES)
def test_large_requests_through_shared_memory_equal_torch(wclient: httpx.Client, case: str, dtype: str) -> None:
    make, reference, reduction = CASES[case]
    x = make(DTYPES[dtype])
    r = _post(wclient, case.split("-")[0], _body(x, reduction, dtype))
    assert r.status_code == 200, r.text
    _check(r.json(), x, reference, reduction)
    assert ours() == []


def test_concurrent_large_requests_are_batched_and_each_equals_torch(wclient: httpx.Client) -> None:
    before_count = metric(wclient, "lossd_batch_requests_count")
    before_sum = metric(wclient, "lossd_batch_requests_sum")
    n = 4
    make, reference, _ = CASES["l1-none"]
    xs = [make(torch.float32) for _ in range(n)]
    reductions = ["none", "mean", "sum", "none"]  # batchable together: same loss, dtype and gradients
    barrier = threading.Barrier(n)

    def post(i: int) -> httpx.Response:
        body = orjson.dumps(_body(xs[i], reductions[i], "float32"))
        barrier.wait()
        return wclient.post("/v1/losses/l1", content=body, headers={"content-type": "application/json"})

    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        answers = list(ex.map(post, range(n)))
    for r, x, reduction in zip(answers, xs, reductions, strict=True):
        assert r.status_code == 200, r.text
        _check(r.json(), x, reference, reduction)
    count = metric(wclient, "lossd_batch_requests_count") - before_count
    total = metric(wclient, "lossd_batch_requests_sum") - before_sum
    assert count == n and total > n  # some batch held more than one of them
    assert ours() == []


def _prepared(n: int, target: torch.dtype = torch.float32) -> Prepared:
    x = {"input": torch.ones(n), "target": torch.zeros(n, dtype=target)}
    return Prepared(CATALOGUE.resolve("l1"), x, {"reduction": "none"}, ("input",), None, torch.float32, (n,), [])


def test_large_arrays_go_in_segments_and_small_ones_in_the_frame() -> None:
    segments = shm.Segments()
    try:
        large = _frame(1, _prepared(N, torch.float64), time.monotonic() + 60, segments)
        small = _frame(2, _prepared(1000), time.monotonic() + 60, segments)
        assert isinstance(large.inputs["input"], shm.Shared) and isinstance(large.inputs["target"], shm.Shared)
        assert large.inputs["target"].dtype == "<f8"
        assert large.value_out == shm.Shared(large.value_out.name, "<f4", (N,))  # type: ignore[union-attr]
        assert large.grads_out["input"].shape == (N,) and large.grads_out["input"].dtype == "<f4"
        assert isinstance(small.inputs["input"], np.ndarray)
        assert small.value_out is None and small.grads_out == {}
        assert len(ours()) == 4  # two inputs, the value and the gradient; nothing for the small job
    finally:
        segments.close()
    assert ours() == []


def test_an_output_read_after_its_segment_is_unlinked_stays_valid() -> None:
    segments = shm.Segments()
    ref = segments.output((N,), np.dtype(np.float32))
    assert ref is not None
    assert shm.write(ref, np.arange(N, dtype=np.float32))
    got = torch.from_numpy(segments.read(ref))
    segments.close()
    assert ours() == []
    assert torch.equal(got, torch.arange(N, dtype=torch.float32))


@pytest.fixture
def segments() -> Iterator[shm.Segments]:
    owned = shm.Segments()
    yield owned
    owned.close()


CPU_WORKER = worker.Worker(worker.Config(0, "/nonexistent", "cpu", 0))


def _answer(job: frames.Job) -> frames.Done:
    """What a CPU worker sends back for `job` alone, its output segments written."""
    ((outcome, *_),) = CPU_WORKER.compute([job])
    assert isinstance(outcome, Result)
    return worker._done(job, outcome, frames.Stats())


def test_a_job_whose_segments_are_gone_fails_alone(segments: shm.Segments) -> None:
    jobs = [_frame(i, _prepared(N), time.monotonic() + 60, segments) for i in (1, 2)]
    os.unlink(os.path.join(shm.DIR, jobs[0].inputs["input"].name))  # type: ignore[union-attr]
    (gone, *_), (done, *_) = CPU_WORKER.compute(jobs)
    assert isinstance(gone, PoolBusy)
    assert isinstance(done, Result) and torch.equal(done.value, torch.ones(N))


def test_a_worker_writes_the_answer_into_the_jobs_output_segments(segments: shm.Segments) -> None:
    job = _frame(1, _prepared(N), time.monotonic() + 60, segments)
    done = _answer(job)
    assert done.value == job.value_out and done.grads == job.grads_out
    assert torch.equal(torch.from_numpy(segments.read(job.grads_out["input"])), torch.ones(N))
    assert torch.equal(torch.from_numpy(segments.read(job.value_out)), torch.ones(N))  # type: ignore[arg-type]


def test_an_answer_that_does_not_fit_its_segment_travels_in_the_frame(segments: shm.Segments) -> None:
    # A float64 target promotes the value to float64: not the float32 segment made for it.
    done = _answer(_frame(1, _prepared(N, torch.float64), time.monotonic() + 60, segments))
    assert isinstance(done.value, np.ndarray) and done.value.dtype == np.float64
    assert np.array_equal(done.value, np.ones(N))


LARGE = _body(
    {"input": torch.ones(N), "target": torch.zeros(N)},
    "mean",
    "float32",
)


def _held_server(**kw: Any) -> Server:
    # A worker that waits up to a second for companions holds each job that long.
    return Server(Settings(inline_max_elements=0, max_batch_delay_ms=1000, **kw))


def test_no_segment_is_left_after_a_504() -> None:
    with _held_server(request_timeout_s=0.5) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            answer = ex.submit(_post, client, "mse", LARGE)
            _wait_held(client, 1)
            assert len(ours()) == 3  # the inputs and the gradient, while the worker holds the job
            r = answer.result()
        assert r.status_code == 504, r.text
        assert ours() == []


def test_no_segment_is_left_after_the_client_disconnects() -> None:
    with _held_server() as server, httpx.Client(base_url=server.url, timeout=60) as client:
        port = int(server.url.rsplit(":", 1)[1])
        body = orjson.dumps(LARGE)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            head = f"POST /v1/losses/mse HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
            sock.sendall(head.encode() + body)
            _wait_held(client, 1)
            assert len(ours()) == 3  # the inputs and the gradient, while the worker holds the job
        deadline = time.monotonic() + 5
        while ours():
            assert time.monotonic() < deadline, "segments outlived their client"
            time.sleep(0.01)


def test_a_killed_worker_costs_only_its_own_jobs_segments() -> None:
    with _held_server(workers_per_device=2) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        pool = pool_of(server)
        assert pool.supervisor is not None
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            first = ex.submit(_post, client, "mse", LARGE)  # least-loaded dispatch: worker 0, then worker 1
            _wait_held(client, 1)
            second = ex.submit(_post, client, "mse", LARGE)
            _wait_held(client, 2)
            assert len(ours()) == 6
            os.kill(pool.supervisor.pids[0], signal.SIGKILL)  # type: ignore[arg-type]
            lost, kept = first.result(), second.result()
        assert lost.status_code == 503, lost.text
        assert kept.status_code == 200, kept.text
        _, reference, _ = CASES["mse-mean"]
        _check(kept.json(), {"input": torch.ones(N), "target": torch.zeros(N)}, reference, "mean")
        assert ours() == []


def test_a_pool_that_starts_sweeps_the_segments_of_dead_api_processes() -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    orphan = os.path.join(shm.DIR, f"{shm.owner_prefix(int(gone.stdout))}0123456789abcdef")
    live = shm.Segments()
    try:
        assert live.share(np.zeros(N, dtype=np.float32)) is not None
        with open(orphan, "wb") as f:
            f.write(b"left by an API process that was killed")
        assert os.path.basename(orphan) in shm.sweep()
        assert not os.path.exists(orphan) and len(ours()) == 1  # this process's segment stays
    finally:
        live.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(orphan)


def test_a_sweep_leaves_the_segments_of_other_pid_namespaces_alone() -> None:
    # Another container sharing /dev/shm: its pids say nothing about processes here.
    nobody = 2**22 + 1  # above any pid_max: no process has it; also the other namespace's number
    other = os.path.join(shm.DIR, f"{shm.PREFIX}{nobody}-{nobody}-0123456789abcdef")
    with open(other, "wb") as f:
        f.write(b"owned by a process in another pid namespace")
    try:
        assert os.path.basename(other) not in shm.sweep()
        assert os.path.exists(other)
    finally:
        os.unlink(other)
