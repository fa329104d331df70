"""`lossd serve`: run the service with uvicorn; `lossd db upgrade`: migrate the runs database."""

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence

import uvicorn
from pydantic import ValidationError

from .http.observability import log_config
from .settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    try:
        defaults = Settings()
    except ValidationError as e:
        for err in e.errors():
            name = "LOSSD_" + "_".join(str(part) for part in err["loc"]).upper()
            print(f"lossd: {name}: {err['msg']}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="lossd", description="PyTorch losses and gradients over HTTP.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=defaults.host, help=f"address to bind (default {defaults.host})")
    serve.add_argument("--port", type=int, default=defaults.port, help=f"port to bind (default {defaults.port})")
    serve.add_argument(
        "--workers", type=int, default=defaults.workers, help=f"API processes (default {defaults.workers})"
    )
    db = sub.add_parser("db", help="the runs database (LOSSD_DATABASE_URL)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every migration the runs database lacks (lossd serve does it too)")
    args = parser.parse_args(argv)
    if args.command == "db":
        return upgrade_database(defaults)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    # Each API process builds its app from LOSSD_* settings; pass the CLI's on to them.
    os.environ.update(LOSSD_HOST=args.host, LOSSD_PORT=str(args.port), LOSSD_WORKERS=str(args.workers))
    with shared_workers(Settings(), args.workers):
        uvicorn.run(
            "lossd.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
            log_config=log_config(),
            access_log=False,  # lossd.access logs one JSON line per request, with its request id
        )
    return 0


def upgrade_database(settings: Settings) -> int:
    """`lossd db upgrade`: the runs schema brought to the newest migration."""
    from sqlalchemy.engine import make_url

    from .runs import Store

    url = settings.runs_database_url()
    store = Store.open(url)
    try:
        store.upgrade()
    finally:
        store.close()
    print(f"lossd: the runs database {make_url(url).render_as_string(hide_password=True)} is up to date")
    return 0


@contextlib.contextmanager
def shared_workers(settings: Settings, api_processes: int) -> Iterator[None]:
    """With several API processes, start the device workers once, here, and tell each process their sockets
    (`LOSSD_POOL_SOCKETS`), so they share the workers instead of each opening its own devices; and give the
    processes one Prometheus multiprocess folder. With one process, its lifespan owns the workers."""
    if api_processes < 2:
        yield
        return
    from .compute.supervisor import Supervisor  # imports torch: only when there are workers to start
    from .observability import multiprocess_dir

    with multiprocess_dir():
        if settings.pool != "process" or settings.pool_sockets:
            yield
            return
        supervisor = Supervisor(settings)
        supervisor.start()
        supervisor.wait_ready()
        os.environ["LOSSD_POOL_SOCKETS"] = ",".join(supervisor.paths)
        try:
            yield
        finally:
            supervisor.stop()


if __name__ == "__main__":
    sys.exit(main())
