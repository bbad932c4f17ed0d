"""delivery: stored channel updates, leases, reminder keys, outbox progress of split messages

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('handled_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_updates')),
    sa.UniqueConstraint('channel', 'external_id', name=op.f('uq_channel_updates_channel'))
    )
    with op.batch_alter_table('channel_updates', schema=None) as batch_op:
        batch_op.create_index('ix_channel_updates_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_leases'))
    )
    with op.batch_alter_table('elder_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=96), nullable=True))
    # reminders recorded before keys existed keep theirs (the first, if a race made two)
    op.execute("UPDATE elder_events SET dedupe_key = 'reminder:' || CAST(booking_id AS VARCHAR(20)) "
               "WHERE id IN (SELECT MIN(id) FROM elder_events WHERE kind = 'reminder' AND booking_id IS NOT NULL "
               "GROUP BY booking_id)")
    with op.batch_alter_table('elder_events', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_elder_events_dedupe_key'), ['dedupe_key'])

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts_sent', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=96), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_messages_external_id'), ['external_id'])


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_messages_external_id'), type_='unique')
        batch_op.drop_column('external_id')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('parts_sent')

    with op.batch_alter_table('elder_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_elder_events_dedupe_key'), type_='unique')
        batch_op.drop_column('dedupe_key')

    op.drop_table('leases')
    with op.batch_alter_table('channel_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_updates_due')

    op.drop_table('channel_updates')
