"""organisations report themselves; follow digests

Revision ID: 7b8c9d0e1f2a
Revises: 6a7b8c9d0e1f
Create Date: 2026-12-06 06:21:11.733275

Organisations report themselves: what kind of body an organisation is, its unit and what
it offers, and its 报到 status (every existing organisation was entered by a secretary or
an admin, so it starts approved); people's requests to join one (membership_requests).
Followers may take new wishes as one daily message: the choice (volunteer_profiles.
follow_digest) and the wishes waiting for it (digest_items).

The new columns are added in place on SQLite (recreate='never'): copying "organizations"
would drop and rename a table that users, claims and the ledger point at. SQLite cannot add
a CHECK in place, so there the two new enumerations are checked
by the models alone; PostgreSQL gets both checks.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b8c9d0e1f2a'
down_revision = '6a7b8c9d0e1f'
branch_labels = None
depends_on = None


def _checked(*values, name):
    """A VARCHAR limited to ``values``: with its CHECK, except on SQLite (see above)."""
    if op.get_bind().dialect.name == "sqlite":
        return sa.String(length=20)
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.create_table('membership_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', 'withdrawn', name='membership_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_membership_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_membership_requests_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_membership_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_requests'))
    )
    with op.batch_alter_table('membership_requests', schema=None) as batch_op:
        batch_op.create_index('ix_membership_requests_org_status', ['organization_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_membership_requests_user', ['user_id', 'id'], unique=False)
        batch_op.create_index('uq_membership_requests_pending_user', ['user_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('digest_items',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_items_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wish_id'], ['wishes.id'], name=op.f('fk_digest_items_wish_id_wishes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'wish_id', name=op.f('pk_digest_items'))
    )
    with op.batch_alter_table('organizations', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('kind', _checked('government', 'enterprise', 'social', 'service_team', 'youth_committee', 'other', name='organization_kind'), server_default='other', nullable=False))
        batch_op.add_column(sa.Column('unit', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('description', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('report_status', _checked('pending', 'approved', 'rejected', name='organization_status'), server_default='approved', nullable=False))
        batch_op.add_column(sa.Column('report_reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('report_reject_reason', sa.String(length=200), nullable=True))

    with op.batch_alter_table('volunteer_profiles', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('follow_digest', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('volunteer_profiles', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('follow_digest')

    with op.batch_alter_table('organizations', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('report_reject_reason')
        batch_op.drop_column('report_reviewed_at')
        batch_op.drop_column('report_status')
        batch_op.drop_column('description')
        batch_op.drop_column('unit')
        batch_op.drop_column('kind')

    op.drop_table('digest_items')
    with op.batch_alter_table('membership_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_membership_requests_pending_user', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_membership_requests_user')
        batch_op.drop_index('ix_membership_requests_org_status')

    op.drop_table('membership_requests')
