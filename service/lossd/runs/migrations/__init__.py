"""The runs schema's Alembic migrations, shipped in the package and applied programmatically.

`upgrade(connection)` brings the database on `connection` to the newest revision inside the caller's
transaction; `lossd db upgrade` and every app's start-up call it through `Store.upgrade()`.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

HERE = Path(__file__).parent
VERSION_TABLE = "lossd_runs_version"


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(connection: Connection, revision: str = "head") -> None:
    command.upgrade(config(connection), revision)
