"""privacy: national ID numbers are no longer kept

Nothing reads an elder's ID number (no eligibility rule, no action, no export), so the column
and every number in it go. Downgrading brings the column back empty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 21:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('elders', schema=None) as batch_op:
        batch_op.drop_column('id_number')


def downgrade() -> None:
    with op.batch_alter_table('elders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number', sa.String(length=32), nullable=True))
