"""What access control adds to each request: the key check (and a rate limit) in front of an app that does
nothing, against the same app without it, in one process, interleaved over rounds.

Run: .venv/bin/python bench/auth.py [requests per round] [rounds]
"""

import asyncio
import secrets
import statistics
import sys
import time
from typing import Any

from lossd.http.auth import AccessControl, Keys, TokenBuckets, hash_key

SCOPE = {"type": "http", "method": "POST", "path": "/v1/losses/mse", "state": {}}


async def nothing(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


async def send(message: dict[str, Any]) -> None:
    if message["type"] == "http.response.start" and message["status"] != 200:
        raise RuntimeError(f"status {message['status']}")


async def median_us(app: Any, headers: list[tuple[bytes, bytes]], n: int) -> float:
    times = []
    for _ in range(n):
        scope = {**SCOPE, "headers": headers, "state": {}}
        t0 = time.perf_counter()
        await app(scope, receive, send)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


async def main(n: int, rounds: int) -> None:
    print(f"access control in front of an app that does nothing; {n} requests x {rounds} rounds, smallest median")
    for count in (1, 10, 100):
        keys = [secrets.token_urlsafe(32) for _ in range(count)]
        table = Keys({hash_key(k): f"k{i}" for i, k in enumerate(keys)})
        headers = [(b"authorization", f"Bearer {keys[-1]}".encode())]
        limited = AccessControl(nothing, table, None, TokenBuckets(rate=1e9, burst=10**9))
        bare, checked = [], []
        for _ in range(rounds):
            bare.append(await median_us(nothing, headers, n))
            checked.append(await median_us(limited, headers, n))
        extra = min(checked) - min(bare)
        without, with_ = min(bare), min(checked)
        print(f"{count:>4} keys, rate limit on: {without:5.1f} µs without, {with_:5.1f} µs with: +{extra:.1f} µs")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000, int(sys.argv[2]) if len(sys.argv) > 2 else 7))
