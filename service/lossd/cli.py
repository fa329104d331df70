"""`lossd serve`: run the service with uvicorn; `lossd db upgrade`: migrate the runs database."""

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from .http import auth
from .http.observability import log_config
from .settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    try:
        defaults = Settings()
    except ValidationError as e:
        for err in e.errors():
            name = "LOSSD_" + "_".join(str(part) for part in err["loc"]).upper()
            # the value itself is not echoed: a setting such as LOSSD_DATABASE_URL may hold a password
            hint = "; use true or false (1/0, yes/no, on/off also work)" if err["type"] == "bool_parsing" else ""
            print(f"lossd: {name}: {err['msg']}{hint}", file=sys.stderr)
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
    keys = sub.add_parser("keys", help="make API keys for LOSSD_API_KEYS_FILE")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    new = keys_sub.add_parser("new", help="make a random key, append its line to FILE, print the key once")
    new.add_argument("key_id", help="the key's id: who holds it (letters, digits, '.', '_', '-')")
    new.add_argument("--file", required=True, type=Path, help="the keys file to append to")
    hashed = keys_sub.add_parser("hash", help="print the keys file's line for a key read from standard input")
    hashed.add_argument("key_id", help="the key's id")
    args = parser.parse_args(argv)
    if args.command == "db":
        return upgrade_database(defaults)
    if args.command == "keys":
        return _keys(args)
    if defaults.api_keys_file:
        try:
            auth.Keys.load(defaults.api_keys_file)
        except auth.KeyFileError as e:
            print(f"lossd: LOSSD_API_KEYS_FILE: {e}", file=sys.stderr)
            return 2
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
            timeout_graceful_shutdown=defaults.shutdown_grace_s,  # on SIGTERM, in-flight requests get this long
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


def _keys(args: argparse.Namespace) -> int:
    """`lossd keys new|hash`: the file gets the key's hash; the key is printed, never stored."""
    try:
        if args.keys_command == "new":
            if args.file.exists() and args.file.read_text(encoding="utf-8").strip():
                taken = auth.Keys.load(str(args.file)).hashes.values()
                if args.key_id in taken:
                    raise auth.KeyFileError(f"{args.file} already has a key {args.key_id!r}: choose another id")
            key = auth.new_key()
            line = auth.key_line(args.key_id, key)
            with args.file.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
            print(key)
        else:
            print(auth.key_line(args.key_id, sys.stdin.readline().strip()))
    except (auth.KeyFileError, OSError) as e:
        print(f"lossd: {e}", file=sys.stderr)
        return 2
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
