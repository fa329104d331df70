"""A bare ASGI app that spends a fixed CPU time on each request: the floor of uvicorn's scheduling.

bench/load.py --floor US serves it with FLOOR_US=US beside the real servers: no framework, no validation, no
PyTorch, only the request read, FLOOR_US microseconds of busy work, and a fixed 4-element answer. Whatever
latency it shows at a concurrency is what any app costing that much a request gets from uvicorn on one core.
"""

import os
import time
from typing import Any

SPEND_S = float(os.environ.get("FLOOR_US", "0")) / 1e6
ANSWER = b'{"loss":"mse","value":0.1475,"grads":{"input":[-0.25,-0.1,-0.05,0.25]}}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(ANSWER)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    until = time.perf_counter() + SPEND_S
    while time.perf_counter() < until:
        pass
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": ANSWER})
