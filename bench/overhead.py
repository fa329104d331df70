"""Time per small request inside the application, without the network: the ASGI app called directly.

Calls each app with the same 4-element MSE-with-gradient request (scope, body and send built in memory),
interleaving the two apps over several rounds, and prints each app's smallest median over the rounds:
`plain` (bench/plain_app.py: a pydantic body in a plain FastAPI endpoint) and `lossd` (create_app with its
defaults; this request runs inline). What is left out is what both pay alike: HTTP parsing and sockets.
It also prints `torch`: `F.mse_loss` and `torch.autograd.grad` alone on the same values, the floor of both.

Run: .venv/bin/python bench/overhead.py [requests per round] [rounds]
"""

import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).parent))
import plain_app  # noqa: E402

from lossd.app import create_app  # noqa: E402
from lossd.settings import Settings  # noqa: E402

BODY = b'{"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 9.0]}, "grad": ["input"]}'


async def call(app: Any) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/losses/mse",
        "raw_path": b"/v1/losses/mse",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    if sent[0]["status"] != 200:
        raise RuntimeError(f"status {sent[0]['status']}")


async def median_us(app: Any, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        await call(app)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def torch_alone_us(n: int) -> float:
    """The computation both apps make, and nothing else: forward and the gradient of `input`."""
    x = torch.tensor([2.5, 4.8, 6.9, 9.5], requires_grad=True)
    y = torch.tensor([3.0, 5.0, 7.0, 9.0])
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        torch.autograd.grad(torch.nn.functional.mse_loss(x, y), [x])
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


async def main(n: int, rounds: int) -> None:
    torch.set_num_threads(1)
    logging.getLogger("lossd.access").addHandler(logging.NullHandler())  # the log line is made, not printed
    logging.getLogger("lossd.access").propagate = False
    logging.getLogger("lossd.access").setLevel(logging.INFO)
    app = create_app(Settings(pool="local"))
    async with app.router.lifespan_context(app):
        for target in (plain_app.app, app):
            await median_us(target, 200)  # warm-up
        plain, lossd, alone = [], [], []
        for _ in range(rounds):
            plain.append(await median_us(plain_app.app, n))
            lossd.append(await median_us(app, n))
            alone.append(torch_alone_us(n))
    print(f"4-element MSE with gradient, in-process ASGI; {n} requests x {rounds} rounds, smallest median")
    print(f"plain {min(plain):7.0f} µs")
    print(f"lossd {min(lossd):7.0f} µs   plain / lossd = {min(plain) / min(lossd):.2f}")
    print(f"torch {min(alone):7.0f} µs   (F.mse_loss and torch.autograd.grad alone)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, int(sys.argv[2]) if len(sys.argv) > 2 else 7))
