"""translation cache

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 22:30:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "translation_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=True),
        sa.Column("source_language", sa.String(length=8), nullable=False),
        sa.Column("target_language", sa.String(length=8), nullable=False),
        sa.Column("model_version", sa.String(length=200), nullable=False),
        sa.Column("translated", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_translation_cache")),
    )
    with op.batch_alter_table("translation_cache", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_translation_cache_ref"), ["ref"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_translation_cache_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("translation_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_translation_cache_created_at"))
        batch_op.drop_index(batch_op.f("ix_translation_cache_ref"))

    op.drop_table("translation_cache")
