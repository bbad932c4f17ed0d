"""phone calls: the caller's number (E.164), so that a consultant can call back a caller who hung up
while waiting, known elder or not

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('phone_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caller', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('phone_calls', schema=None) as batch_op:
        batch_op.drop_column('caller')
