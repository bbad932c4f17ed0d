"""identity checks: an elder's year of birth keyed in on the phone before their link code is read
out, kept to refuse after repeated wrong answers

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('identity_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('elder_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['elder_id'], ['elders.id'], name=op.f('fk_identity_checks_elder_id_elders'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_checks'))
    )
    with op.batch_alter_table('identity_checks', schema=None) as batch_op:
        batch_op.create_index('ix_identity_checks_elder', ['elder_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('identity_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_identity_checks_elder')
    op.drop_table('identity_checks')
