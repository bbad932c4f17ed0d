"""link attempts: refused link codes, counted in the database for the per-account and overall limits

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('link_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['channel_accounts.id'], name=op.f('fk_link_attempts_account_id_channel_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_attempts'))
    )
    with op.batch_alter_table('link_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_link_attempts_account', ['account_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_attempts_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('link_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_attempts_at'))
        batch_op.drop_index('ix_link_attempts_account')
    op.drop_table('link_attempts')
