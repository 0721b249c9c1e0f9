"""year-end selection and certificates

Revision ID: a1b2c3d4e5f6
Revises: 9d0e1f2a3b4c
Create Date: 2026-12-06 06:37:08.139866

The year-end selection (年度评选, wishboard.honours): a community's selection of a year with
its rules and cut-off (selections), the standings frozen from the points ledger at the
cut-off, so that corrections booked later do not change the list the public judges
(selection_standings), the list with the written reason of each change by hand
(selection_nominees), the objections raised during the 公示 and their answers, one waiting
objection per person and nominee (selection_objections, a partial unique index), and the
certificates with their verification codes, unique (certificates). New tables only: no
existing table changes, so a populated SQLite database upgrades in place.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f6'
down_revision = '9d0e1f2a3b4c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('selections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('open', 'nominating', 'publicity', 'published', name='selection_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('cutoff_on', sa.Date(), nullable=False),
    sa.Column('cutoff_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('quota_party_members', sa.Integer(), nullable=False),
    sa.Column('quota_elders', sa.Integer(), nullable=False),
    sa.Column('quota_organizations', sa.Integer(), nullable=False),
    sa.Column('min_completions', sa.Integer(), nullable=False),
    sa.Column('min_average_stars', sa.Numeric(precision=2, scale=1), nullable=False),
    sa.Column('org_ranking', sa.String(length=10), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('publicity_round', sa.Integer(), nullable=False),
    sa.Column('publicity_starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('publicity_ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_early_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_early_reason', sa.String(length=200), nullable=True),
    sa.Column('ended_early_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('min_average_stars BETWEEN 0 AND 5', name=op.f('ck_selections_min_stars_range')),
    sa.CheckConstraint('min_completions BETWEEN 0 AND 1000', name=op.f('ck_selections_min_completions_range')),
    sa.CheckConstraint('quota_elders BETWEEN 0 AND 100', name=op.f('ck_selections_quota_elders_range')),
    sa.CheckConstraint('quota_organizations BETWEEN 0 AND 100', name=op.f('ck_selections_quota_orgs_range')),
    sa.CheckConstraint('quota_party_members BETWEEN 0 AND 100', name=op.f('ck_selections_quota_party_range')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2099', name=op.f('ck_selections_year_range')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_selections_community_id_communities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['ended_early_by_id'], ['users.id'], name=op.f('fk_selections_ended_early_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_selections_opened_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selections')),
    sa.UniqueConstraint('community_id', 'year', name='uq_selections_community_year')
    )
    op.create_table('selection_standings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selection_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('division', sa.Enum('party_member', 'elder', 'organization', name='honour_division', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('organization_name', sa.String(length=100), nullable=True),
    sa.Column('shows_name', sa.Boolean(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('body_points', sa.Integer(), nullable=True),
    sa.Column('member_points', sa.Integer(), nullable=True),
    sa.Column('claims', sa.Integer(), nullable=False),
    sa.Column('completions', sa.Integer(), nullable=False),
    sa.Column('activities', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=10, scale=1), nullable=False),
    sa.Column('ratings', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) <> (organization_id IS NULL)', name=op.f('ck_selection_standings_one_owner')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_selection_standings_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['selection_id'], ['selections.id'], name=op.f('fk_selection_standings_selection_id_selections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_selection_standings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selection_standings')),
    sa.UniqueConstraint('selection_id', 'organization_id', name='uq_selection_standings_organization'),
    sa.UniqueConstraint('selection_id', 'user_id', name='uq_selection_standings_user')
    )
    with op.batch_alter_table('selection_standings', schema=None) as batch_op:
        batch_op.create_index('ix_selection_standings_division', ['selection_id', 'division', 'rank'], unique=False)

    op.create_table('selection_nominees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selection_id', sa.Integer(), nullable=False),
    sa.Column('division', sa.Enum('party_member', 'elder', 'organization', name='honour_division', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('standing_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('source', sa.Enum('rules', 'secretary', name='nominee_source', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('nominated', 'removed', 'withdrawn', 'honoured', name='nominee_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('added_reason', sa.String(length=200), nullable=True),
    sa.Column('removed_reason', sa.String(length=500), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source = 'rules' OR added_reason IS NOT NULL", name=op.f('ck_selection_nominees_added_with_reason')),
    sa.CheckConstraint('(user_id IS NULL) <> (organization_id IS NULL)', name=op.f('ck_selection_nominees_one_owner')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_selection_nominees_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_selection_nominees_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['selection_id'], ['selections.id'], name=op.f('fk_selection_nominees_selection_id_selections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standing_id'], ['selection_standings.id'], name=op.f('fk_selection_nominees_standing_id_selection_standings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_selection_nominees_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selection_nominees')),
    sa.UniqueConstraint('selection_id', 'organization_id', name='uq_selection_nominees_organization'),
    sa.UniqueConstraint('selection_id', 'user_id', name='uq_selection_nominees_user')
    )
    with op.batch_alter_table('selection_nominees', schema=None) as batch_op:
        batch_op.create_index('ix_selection_nominees_selection', ['selection_id', 'division', 'status'], unique=False)

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('selection_id', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('division', sa.Enum('party_member', 'elder', 'organization', name='honour_division', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=200), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) <> (organization_id IS NULL)', name=op.f('ck_certificates_one_owner')),
    sa.CheckConstraint('withdrawn_at IS NULL OR withdrawn_reason IS NOT NULL', name=op.f('ck_certificates_withdrawn_with_reason')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_certificates_community_id_communities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['nominee_id'], ['selection_nominees.id'], name=op.f('fk_certificates_nominee_id_selection_nominees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_certificates_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['selection_id'], ['selections.id'], name=op.f('fk_certificates_selection_id_selections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_certificates_withdrawn_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('nominee_id', name=op.f('uq_certificates_nominee_id'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_organization', ['organization_id', 'id'], unique=False)
        batch_op.create_index('ix_certificates_selection', ['selection_id', 'id'], unique=False)
        batch_op.create_index('ix_certificates_user', ['user_id', 'id'], unique=False)

    op.create_table('selection_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selection_id', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('open', 'upheld', 'dismissed', name='objection_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('answer', sa.String(length=500), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status = 'open' OR answer IS NOT NULL", name=op.f('ck_selection_objections_answered_in_words')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_selection_objections_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['nominee_id'], ['selection_nominees.id'], name=op.f('fk_selection_objections_nominee_id_selection_nominees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['selection_id'], ['selections.id'], name=op.f('fk_selection_objections_selection_id_selections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_selection_objections_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selection_objections'))
    )
    with op.batch_alter_table('selection_objections', schema=None) as batch_op:
        batch_op.create_index('ix_selection_objections_selection', ['selection_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_selection_objections_user', ['user_id', 'selection_id'], unique=False)
        batch_op.create_index('uq_selection_objections_open', ['nominee_id', 'user_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))



def downgrade():
    with op.batch_alter_table('selection_objections', schema=None) as batch_op:
        batch_op.drop_index('uq_selection_objections_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index('ix_selection_objections_user')
        batch_op.drop_index('ix_selection_objections_selection')

    op.drop_table('selection_objections')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_user')
        batch_op.drop_index('ix_certificates_selection')
        batch_op.drop_index('ix_certificates_organization')

    op.drop_table('certificates')
    with op.batch_alter_table('selection_nominees', schema=None) as batch_op:
        batch_op.drop_index('ix_selection_nominees_selection')

    op.drop_table('selection_nominees')
    with op.batch_alter_table('selection_standings', schema=None) as batch_op:
        batch_op.drop_index('ix_selection_standings_division')

    op.drop_table('selection_standings')
    op.drop_table('selections')
