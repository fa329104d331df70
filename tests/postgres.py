"""A throwaway PostgreSQL server for the storage tests: Debian's binaries, a cluster in a temporary folder.

PostgreSQL refuses to run as root, so as root the cluster belongs to an unprivileged user (`postgres`,
made by Debian's package, else `nobody`) and its commands run as that user through `runuser`. It listens on
a free loopback port and a socket in its own folder, trusts local connections, and is stopped (and its folder
removed) by `stop()`. `make test` installs Debian's `postgresql` where it is missing. The benchmarks in
bench/ use it too, so it imports nothing of the test suite.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path("/usr/lib/postgresql")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted((p for p in ROOT.glob("*/bin") if (p / "initdb").exists()), key=lambda p: int(p.parent.name))
    return found[-1] if found else None


class Cluster:
    """A running PostgreSQL cluster; `url(db)` is the SQLAlchemy URL of one of its databases."""

    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError(f"no PostgreSQL under {ROOT} (Debian's postgresql package)")
        self.bin = bin_dir
        self.user = self._user()
        self.dir = Path(tempfile.mkdtemp(prefix="lossd-pg-"))
        self.port = free_port()
        self.created = 0
        if self.user is not None:
            ids = pwd.getpwnam(self.user)
            os.chown(self.dir, ids.pw_uid, ids.pw_gid)
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "lossd", "-E", "UTF8", "--no-sync")
        # fsync off: the tests kill lossd, never PostgreSQL, and a throwaway cluster need not survive a crash
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
        try:
            self._run("pg_ctl", "-D", str(data), "-l", str(self.dir / "log"), "-o", options, "-w", "start")
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    @staticmethod
    def _user() -> str | None:
        if os.geteuid() != 0:
            return None  # an ordinary user runs PostgreSQL as itself
        for name in ("postgres", "nobody"):
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
        raise RuntimeError("running as root with neither a postgres nor a nobody user to run PostgreSQL as")

    def _run(self, command: str, *args: str) -> None:
        argv: Sequence[str] = [str(self.bin / command), *args]
        if self.user is not None:
            argv = ["runuser", "-u", self.user, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=self.dir)
        if done.returncode != 0:
            log = self.dir / "log"
            raise RuntimeError(
                f"{command} failed: {done.stderr or done.stdout}{log.read_text() if log.exists() else ''}"
            )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://lossd@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        import psycopg  # only the PostgreSQL tests need the driver here

        self.created += 1
        name = f"t{self.created}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=lossd dbname=postgres", autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
