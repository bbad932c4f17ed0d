"""canned replies: ready-made replies per district and language, written in the console or
imported from a district bundle

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_canned_replies_district_id_districts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['consultants.id'], name=op.f('fk_canned_replies_created_by_consultants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['consultants.id'], name=op.f('fk_canned_replies_updated_by_consultants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_replies')),
    sa.UniqueConstraint('district_id', 'key', 'language', name=op.f('uq_canned_replies_district_id'))
    )
    with op.batch_alter_table('canned_replies', schema=None) as batch_op:
        batch_op.create_index('ix_canned_replies_district_language', ['district_id', 'language'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('canned_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_canned_replies_district_language')
    op.drop_table('canned_replies')
