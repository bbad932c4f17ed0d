"""satisfaction: the question asked after a consultant resolves a conversation, and the rating

Revision ID: 0010
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('satisfaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('handoff_id', sa.Integer(), nullable=True),
    sa.Column('consultant_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answer_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_satisfaction_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['handoff_id'], ['handoffs.id'], name=op.f('fk_satisfaction_handoff_id_handoffs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultant_id'], ['consultants.id'], name=op.f('fk_satisfaction_consultant_id_consultants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_satisfaction_district_id_districts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction')),
    sa.UniqueConstraint('handoff_id', name=op.f('uq_satisfaction_handoff_id'))
    )
    with op.batch_alter_table('satisfaction', schema=None) as batch_op:
        batch_op.create_index('ix_satisfaction_open', ['conversation_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_consultant_id'), ['consultant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_answered_at'), ['answered_at'], unique=False)


def downgrade() -> None:
    op.drop_table('satisfaction')
