"""Alembic environment: every table of Lotse (conversations and knowledge base) in one history."""

from alembic import context

import bot.storage.models  # noqa: F401  (registers the conversation tables)
import knowledge_base.models  # noqa: F401  (registers the content tables)
import translations.cache  # noqa: F401  (registers the machine translation cache)
from bot.storage.base import Base
from bot.storage.database import sync_engine

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = sync_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
