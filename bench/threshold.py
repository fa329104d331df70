"""Where the routing rule's threshold comes from: MSE with its gradient computed inline (on the event loop)
against the same job sent through a worker process (`ProcessPool` with everything routed to the worker).

Run: .venv/bin/python bench/threshold.py [repeats]
"""

import asyncio
import statistics
import sys
import time

import torch

from lossd.catalogue import CATALOGUE
from lossd.catalogue.validate import Prepared
from lossd.compute.engine import run
from lossd.compute.process import ProcessPool
from lossd.settings import Settings


def job(n: int) -> Prepared:
    x = {"input": torch.randn(n), "target": torch.randn(n)}
    return Prepared(CATALOGUE.resolve("mse"), x, {"reduction": "mean"}, ("input",), None, torch.float32, (), [])


async def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    pool = ProcessPool(Settings(devices="cpu", inline_max_elements=0))
    await pool.start()
    cpu = torch.device("cpu")
    try:
        print(f"{'elements':>9}{'cost':>9}{'inline µs':>11}{'worker µs':>11}")
        for n in (2, 64, 512, 1024, 2048, 4096, 16384, 65536):
            j = job(n)
            inline, worker = [], []
            for _ in range(repeats):
                t0 = time.perf_counter()
                run(j, cpu)
                inline.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                await pool.submit(j)
                worker.append(time.perf_counter() - t0)
            print(
                f"{2 * n:>9}{4 * n:>9}{statistics.median(inline) * 1e6:>11.0f}{statistics.median(worker) * 1e6:>11.0f}"
            )
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
