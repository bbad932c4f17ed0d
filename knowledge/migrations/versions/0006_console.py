"""console: a hand-off's outcome, and the audit log of what consultants do

Revision ID: 0006_console
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_console'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=24), nullable=True))
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('consultant_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_consultant', ['consultant_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_conversation', ['conversation_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_conversation')
        batch_op.drop_index('ix_audit_log_consultant')
    op.drop_table('audit_log')
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_column('outcome')
