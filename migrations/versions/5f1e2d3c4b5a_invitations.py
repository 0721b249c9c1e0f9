"""invitations

Revision ID: 5f1e2d3c4b5a
Revises: 93e2fd3054ae
Create Date: 2026-12-06 05:02:19.831500

Invitations (社区请您帮忙): the secretary asks a volunteer or a reporting organisation to
claim an open wish. At most one live (pending) invitation per wish and invitee, by two
partial unique indexes; exactly one of user_id and organization_id. A community setting,
invitation_hours (48 by default), says how long an invitation waits for its answer.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f1e2d3c4b5a'
down_revision = '93e2fd3054ae'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'expired', 'lapsed', name='invitation_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('(user_id IS NOT NULL AND organization_id IS NULL) OR (user_id IS NULL AND organization_id IS NOT NULL)', name=op.f('ck_invitations_one_invitee')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_invitations_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_invitations_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invitations_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wish_id'], ['wishes.id'], name=op.f('fk_invitations_wish_id_wishes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_organization_status', ['organization_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_invitations_status_expires', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_invitations_user_status', ['user_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_invitations_wish', ['wish_id', 'id'], unique=False)
        batch_op.create_index('uq_invitations_live_organization', ['wish_id', 'organization_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.create_index('uq_invitations_live_user', ['wish_id', 'user_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    # SQLite adds the column in place (ALTER TABLE ... ADD COLUMN); no copy of the table.
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_hours', sa.Integer(), server_default='48', nullable=False))


def downgrade():
    # recreate='never': SQLite (3.35 and later) drops a plain column in place; copying
    # "communities" would meet the foreign keys of every populated database.
    with op.batch_alter_table('communities', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('invitation_hours')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('uq_invitations_live_user', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('uq_invitations_live_organization', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_invitations_wish')
        batch_op.drop_index('ix_invitations_user_status')
        batch_op.drop_index('ix_invitations_status_expires')
        batch_op.drop_index('ix_invitations_organization_status')

    op.drop_table('invitations')
