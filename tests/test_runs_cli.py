"""`lossd db upgrade`: the runs database migrated from the command line, as start-up does it."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect

from lossd.runs.migrations import VERSION_TABLE

from conftest import lossd_env


def upgrade(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lossd", "db", "upgrade"], capture_output=True, text=True, timeout=120, env=env
    )


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_db_upgrade_makes_the_schema_in_lossd_database_url_and_says_where(database_url: str) -> None:
    first, again = (
        upgrade(lossd_env(LOSSD_DATABASE_URL=database_url)),
        upgrade(lossd_env(LOSSD_DATABASE_URL=database_url)),
    )
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert "up to date" in first.stdout
    assert {"runs", "points", "chunks", VERSION_TABLE} <= tables(database_url)


def test_db_upgrade_defaults_to_runs_db_in_the_data_folder(tmp_path: Path) -> None:
    done = upgrade(lossd_env(LOSSD_DATA_DIR=str(tmp_path / "data")))
    assert done.returncode == 0, done.stderr
    assert "runs" in tables(f"sqlite:///{tmp_path / 'data' / 'runs.db'}")
