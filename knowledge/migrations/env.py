"""Alembic environment: runs on the engine handed over by knowledge.db, or on a URL."""

from alembic import context
from sqlalchemy import Engine

from knowledge.db import make_engine
from knowledge.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        from careline.settings import get_settings

        engine = make_engine(config.get_main_option("sqlalchemy.url")
                             or get_settings().resolved_database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
