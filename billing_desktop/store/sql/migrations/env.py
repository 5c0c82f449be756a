"""Alembic environment. Migrations run in-process when a store is opened
(``billing_desktop.store.sql.engine.migrate``), on the connection handed over in
``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from billing_desktop.store.sql.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the in-process runner is supported
    raise RuntimeError("run migrations through billing_desktop.store.sql.engine.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables instead
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
