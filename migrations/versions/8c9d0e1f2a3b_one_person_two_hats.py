"""one person, two hats

Revision ID: 8c9d0e1f2a3b
Revises: 7b8c9d0e1f2a
Create Date: 2026-12-06 06:24:24.578968

A community secretary who also reports as a volunteer where they live: their volunteer
hat is an account of its own in that community, linked to the one they log in with
(account_links). A new table; nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c9d0e1f2a3b'
down_revision = '7b8c9d0e1f2a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_links',
    sa.Column('persona_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_account_links_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['persona_id'], ['users.id'], name=op.f('fk_account_links_persona_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('persona_id', name=op.f('pk_account_links')),
    sa.UniqueConstraint('owner_id', name=op.f('uq_account_links_owner_id'))
    )


def downgrade():
    op.drop_table('account_links')
