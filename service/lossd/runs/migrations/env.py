"""Alembic's environment: always the connection `lossd.runs.migrations.upgrade` hands over."""

from alembic import context

from lossd.runs.migrations import VERSION_TABLE
from lossd.runs.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
