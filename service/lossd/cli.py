"""`lossd serve`: run the service with uvicorn."""

import argparse
import os
import sys
from collections.abc import Sequence

import uvicorn

from .settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    defaults = Settings()
    parser = argparse.ArgumentParser(prog="lossd", description="PyTorch losses and gradients over HTTP.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=defaults.host, help=f"address to bind (default {defaults.host})")
    serve.add_argument("--port", type=int, default=defaults.port, help=f"port to bind (default {defaults.port})")
    serve.add_argument(
        "--workers", type=int, default=defaults.workers, help=f"API processes (default {defaults.workers})"
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    # Each API process builds its app from LOSSD_* settings; pass the CLI's on to them.
    os.environ.update(LOSSD_HOST=args.host, LOSSD_PORT=str(args.port), LOSSD_WORKERS=str(args.workers))
    uvicorn.run(
        "lossd.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
