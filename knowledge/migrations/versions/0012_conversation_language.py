"""conversation language: whether the person chose it (in a conversation, or on a chat account), and
what the channel and the engine said or were told last

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language_chosen', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('channel_language', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('engine_language', sa.String(length=2), nullable=True))
    with op.batch_alter_table('channel_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language_chosen', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('channel_accounts', schema=None) as batch_op:
        batch_op.drop_column('language_chosen')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('engine_language')
        batch_op.drop_column('channel_language')
        batch_op.drop_column('language_chosen')
