"""Large tensors reach the device workers through shared memory (lossd.compute.shm): answers equal torch's,
batched or not; segments are lent again only once no process uses them (the worker answered, the answer's
tensor is freed), are unlinked when their request times out, loses its client or loses its worker, and
none outlives its pool."""

import asyncio
import concurrent.futures
import contextlib
import gc
import mmap
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
from lossd.compute.process import ProcessPool, _frame
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


def caches(server: Server) -> list[shm.SegmentCache]:
    pool = pool_of(server)
    assert isinstance(pool, ProcessPool)
    return [link.segments for link in pool._links]


def lent(server: Server) -> set[str]:
    """The segments of `server` that a job or an answer holds."""
    return {name for cache in caches(server) for name in cache.busy}


def settled(server: Server, before: set[str]) -> None:
    """Every segment is back in the cache, and each file made since `before` is one the cache owns."""
    deadline = time.monotonic() + 5  # an answer's segment comes back once the server has sent it
    while lent(server):
        assert time.monotonic() < deadline, f"still lent: {lent(server)}"
        time.sleep(0.01)
    assert set(ours()) - before <= {name for cache in caches(server) for name in cache.names}


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
def test_large_requests_through_shared_memory_equal_torch(
    workers: Server, wclient: httpx.Client, case: str, dtype: str
) -> None:
    before = set(ours())
    make, reference, reduction = CASES[case]
    x = make(DTYPES[dtype])
    r = _post(wclient, case.split("-")[0], _body(x, reduction, dtype))
    assert r.status_code == 200, r.text
    _check(r.json(), x, reference, reduction)
    settled(workers, before)


def test_concurrent_large_requests_are_batched_and_each_equals_torch(workers: Server, wclient: httpx.Client) -> None:
    before = set(ours())
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
    settled(workers, before)


def _prepared(n: int, target: torch.dtype = torch.float32) -> Prepared:
    x = {"input": torch.ones(n), "target": torch.zeros(n, dtype=target)}
    return Prepared(CATALOGUE.resolve("l1"), x, {"reduction": "none"}, ("input",), None, torch.float32, (n,), [])


def test_large_arrays_go_in_segments_and_small_ones_in_the_frame() -> None:
    before = set(ours())
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
        assert len(set(ours()) - before) == 4  # two inputs, the value and the gradient; nothing for the small job
    finally:
        segments.close()
    assert set(ours()) <= before


def test_an_output_read_after_its_segment_is_unlinked_stays_valid() -> None:
    before = set(ours())
    segments = shm.Segments()
    ref = segments.output((N,), np.dtype(np.float32))
    assert ref is not None
    assert shm.Mappings().write(ref, np.arange(N, dtype=np.float32))
    got = torch.from_numpy(segments.read(ref))
    segments.close()
    assert set(ours()) <= before
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


def _gone(names: set[str]) -> bool:
    return not any(os.path.exists(os.path.join(shm.DIR, name)) for name in names)


def test_a_504s_segments_are_unlinked_and_never_lent_again() -> None:
    before = set(ours())
    with _held_server(request_timeout_s=0.5) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            answer = ex.submit(_post, client, "mse", LARGE)
            _wait_held(client, 1)
            held = lent(server)
            assert len(held) == 3  # the inputs and the gradient, while the worker holds the job
            r = answer.result()
        assert r.status_code == 504, r.text
        assert lent(server) == set() and _gone(held)  # the worker may still write them: not idle either
        assert _post(client, "mse", LARGE).status_code == 200  # new segments for the next request
        settled(server, before)
    assert set(ours()) <= before


def test_a_lost_clients_segments_are_unlinked() -> None:
    before = set(ours())
    with _held_server() as server, httpx.Client(base_url=server.url, timeout=60) as client:
        port = int(server.url.rsplit(":", 1)[1])
        body = orjson.dumps(LARGE)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            head = f"POST /v1/losses/mse HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
            sock.sendall(head.encode() + body)
            _wait_held(client, 1)
            held = lent(server)
            assert len(held) == 3  # the inputs and the gradient, while the worker holds the job
        deadline = time.monotonic() + 5
        while not _gone(held):
            assert time.monotonic() < deadline, "segments outlived their client"
            time.sleep(0.01)
        settled(server, before)


def test_a_killed_worker_costs_only_its_own_jobs_segments() -> None:
    before = set(ours())
    with _held_server(workers_per_device=2) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        pool = pool_of(server)
        assert pool.supervisor is not None
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            first = ex.submit(_post, client, "mse", LARGE)  # least-loaded dispatch: worker 0, then worker 1
            _wait_held(client, 1)
            first_held = lent(server)
            second = ex.submit(_post, client, "mse", LARGE)
            _wait_held(client, 2)
            assert len(first_held) == 3 and len(lent(server)) == 6
            os.kill(pool.supervisor.pids[0], signal.SIGKILL)  # type: ignore[arg-type]
            lost, kept = first.result(), second.result()
        assert lost.status_code == 503, lost.text
        assert kept.status_code == 200, kept.text
        _, reference, _ = CASES["mse-mean"]
        _check(kept.json(), {"input": torch.ones(N), "target": torch.zeros(N)}, reference, "mean")
        assert _gone(first_held)
        settled(server, before)


def test_no_segment_outlives_its_pool() -> None:
    before = set(ours())
    with Server(Settings(inline_max_elements=0)) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        assert _post(client, "mse", LARGE).status_code == 200
        assert set(ours()) - before  # kept for the next request
    assert set(ours()) <= before


def test_a_second_request_reuses_the_first_ones_segments(workers: Server, wclient: httpx.Client) -> None:
    make, reference, reduction = CASES["l1-none"]
    first, second = make(torch.float32), make(torch.float32)
    assert _post(wclient, "l1", _body(first, reduction, "float32")).status_code == 200
    files = set(ours())
    r = _post(wclient, "l1", _body(second, reduction, "float32"))
    assert r.status_code == 200, r.text
    _check(r.json(), second, reference, reduction)  # nothing of the first request's data shows through
    assert set(ours()) == files


def test_a_smaller_request_in_a_reused_segment_sees_only_its_own_elements(
    workers: Server, wclient: httpx.Client
) -> None:
    _, reference, reduction = CASES["l1-none"]
    big = {"input": torch.full((N,), 1e6), "target": torch.zeros(N)}
    assert _post(wclient, "l1", _body(big, reduction, "float32")).status_code == 200
    small = {k: torch.randn(N - 1000, generator=g) for k in ("input", "target")}  # the same size class
    r = _post(wclient, "l1", _body(small, reduction, "float32"))
    assert r.status_code == 200, r.text
    _check(r.json(), small, reference, reduction)


def test_segments_of_nearby_sizes_share_a_size_class() -> None:
    assert shm._capacity(4_000_000) == shm._capacity(3_900_000) == 4 * 1024 * 1024
    assert shm._capacity(4 * 1024 * 1024 + 1) == 5 * 1024 * 1024  # at most a quarter more than asked
    assert all(shm._capacity(n) >= n and shm._capacity(n) % mmap.PAGESIZE == 0 for n in (1, 4095, 262_145))


@pytest.fixture
def cache() -> Iterator[shm.SegmentCache]:
    owned = shm.SegmentCache()
    yield owned
    owned.close()


def _job(cache: shm.SegmentCache, x: np.ndarray) -> tuple[shm.Segments, shm.Shared, shm.Shared]:
    """A job's segments: `x` shared, and an output of its shape."""
    segments = shm.Segments(cache)
    ref, out = segments.share(x), segments.output(x.shape, x.dtype)
    assert ref is not None and out is not None
    return segments, ref, out


def test_an_answered_jobs_segments_are_lent_to_the_next_job(cache: shm.SegmentCache) -> None:
    x = np.ones(N, dtype=np.float32)
    segments, ref, out = _job(cache, x)
    segments.close(reused=True)
    again, ref2, out2 = _job(cache, 2 * x)
    assert {ref2.name, out2.name} == {ref.name, out.name}
    assert np.array_equal(shm.Mappings().view(ref2), 2 * x)
    again.close(reused=True)


def test_jobs_in_flight_together_hold_distinct_segments(cache: shm.SegmentCache) -> None:
    x = np.ones(N, dtype=np.float32)
    a, *a_refs = _job(cache, x)
    a.close(reused=True)
    b, *b_refs = _job(cache, x)
    c, *c_refs = _job(cache, x)
    assert len({r.name for r in (*b_refs, *c_refs)}) == 4
    b.close(reused=True)
    c.close(reused=True)


def test_an_unanswered_jobs_segments_are_unlinked_and_never_lent_again() -> None:
    dropped: list[str] = []
    cache = shm.SegmentCache(on_discard=dropped.extend)
    try:
        segments, ref, out = _job(cache, np.ones(N, dtype=np.float32))
        segments.close(reused=False)  # a 504 or a cancelled request: the worker may still write `out`
        assert sorted(dropped) == sorted([ref.name, out.name])  # the worker is told to drop its mappings
        assert _gone({ref.name, out.name}) and cache.names == set()
        again, ref2, out2 = _job(cache, np.ones(N, dtype=np.float32))
        assert {ref2.name, out2.name}.isdisjoint(dropped)
        again.close(reused=True)
    finally:
        cache.close()


def test_an_answers_segment_is_lent_again_only_once_its_tensor_is_freed(cache: shm.SegmentCache) -> None:
    x = np.arange(N, dtype=np.float32)
    segments, _, out = _job(cache, x)
    shm.Mappings().write(out, x)
    answer = torch.from_numpy(segments.read(out)).reshape(2, -1)  # a view of a view: the segment stays lent
    segments.close(reused=True)
    others = [_job(cache, np.zeros(N, dtype=np.float32)) for _ in range(2)]
    for other, _, other_out in others:
        assert other_out.name != out.name
        shm.Mappings().write(other_out, np.zeros(N, dtype=np.float32))
        other.close(reused=True)
    assert torch.equal(answer.reshape(-1), torch.from_numpy(x))  # no later job wrote into it
    del answer
    gc.collect()
    assert out.name not in cache.busy and out.name in cache.names  # back, idle


def test_an_answer_freed_on_another_thread_comes_back_through_the_event_loop() -> None:
    async def main() -> tuple[bool, bool]:
        cache = shm.SegmentCache()
        try:
            segments, _, out = _job(cache, np.ones(N, dtype=np.float32))
            held = [segments.read(out)]
            segments.close(reused=True)
            freeing = threading.Thread(target=held.clear)
            freeing.start()
            freeing.join()  # blocking the loop: the return waits for it
            lent_after_free = out.name in cache.busy
            await asyncio.sleep(0)
            return lent_after_free, out.name in cache.busy
        finally:
            cache.close()

    assert asyncio.run(main()) == (True, False)


def test_idle_segments_past_the_cap_are_unlinked() -> None:
    cache = shm.SegmentCache(idle_max_bytes=shm._capacity(N * 4))
    try:
        a, ref_a, out_a = _job(cache, np.ones(N, dtype=np.float32))
        a.close(reused=True)
        (kept,) = cache.names  # room for one of the job's two segments
        assert not _gone({kept}) and _gone({ref_a.name, out_a.name} - {kept})
    finally:
        cache.close()


def test_a_workers_mapping_outlives_its_file_until_dropped(cache: shm.SegmentCache) -> None:
    # The worker may still compute a job whose request was cancelled; a later job never names that segment.
    segments, ref, _ = _job(cache, np.ones(N, dtype=np.float32))
    maps = shm.Mappings()
    view = maps.view(ref)
    segments.close(reused=False)
    assert np.array_equal(maps.view(ref), view)
    maps.drop([ref.name])
    with pytest.raises(FileNotFoundError):
        maps.view(ref)


def test_a_pool_that_starts_sweeps_the_segments_of_dead_api_processes() -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    orphan = os.path.join(shm.DIR, f"{shm.owner_prefix(int(gone.stdout))}0123456789abcdef")
    live = shm.Segments()
    try:
        assert live.share(np.zeros(N, dtype=np.float32)) is not None
        with open(orphan, "wb") as f:
            f.write(b"left by an API process that was killed")
        assert os.path.basename(orphan) in shm.sweep()
        assert not os.path.exists(orphan) and not _gone(set(live.names))  # this process's segment stays
    finally:
        live.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(orphan)


NOBODY = 2**22 + 1  # above any pid_max: no process has it


@pytest.mark.parametrize(
    "name",
    [
        # another container sharing /dev/shm: its pids say nothing about processes here
        pytest.param(f"{shm.PREFIX}{NOBODY}-{NOBODY}-0123456789abcdef", id="another-pid-namespace"),
        # "²" is a digit to str.isdigit, not to int()
        pytest.param(f"{shm.owner_prefix(NOBODY).removesuffix(f'{NOBODY}-')}\u00b2-0123", id="owner-not-a-pid"),
    ],
)
def test_a_sweep_leaves_alone_a_file_it_cannot_tell_is_orphaned(name: str) -> None:
    path = os.path.join(shm.DIR, name)
    with open(path, "wb") as f:
        f.write(b"not left by a dead API process of this namespace")
    try:
        assert name not in shm.sweep()
        assert os.path.exists(path)
    finally:
        os.unlink(path)
