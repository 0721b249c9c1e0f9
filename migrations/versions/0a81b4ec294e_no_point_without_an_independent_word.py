"""no point without an independent word

Revision ID: 0a81b4ec294e
Revises: a1b2c3d4e5f6
Create Date: 2026-12-07 16:01:53.301867

- ``points_held``: what an automatically approved volunteer earns, until a person checks
  their 报到;
- ``communities.log_backdate_days`` (7) and ``users.organization_since``: how far back a
  service log may be dated, and never before the member joined;
- ``communities.rating_trust_days`` becomes an opt-in, off (NULL) everywhere;
- ``claims.hours_status`` may be ``not_served``;
- a wish's public average counts only the ratings that count (``counted_at``): the ratings
  of raters nobody checked leave it. Points already paid stay.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a81b4ec294e'
down_revision = 'a1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('points_held',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('source_type', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('d_claims', sa.Integer(), server_default='0', nullable=False),
    sa.Column('d_completions', sa.Integer(), server_default='0', nullable=False),
    sa.Column('d_activities', sa.Integer(), server_default='0', nullable=False),
    sa.Column('d_hours', sa.Numeric(precision=8, scale=1), server_default='0', nullable=False),
    sa.Column('d_ratings', sa.Integer(), server_default='0', nullable=False),
    sa.Column('d_stars', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dropped_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_points_held_community_id_communities')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_points_held_organization_id_organizations')),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_points_held_person_id_users')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['users.id'], name=op.f('fk_points_held_volunteer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_held')),
    sa.UniqueConstraint('key', name=op.f('uq_points_held_key'))
    )
    with op.batch_alter_table('points_held', schema=None) as batch_op:
        batch_op.create_index('ix_points_held_person', ['person_id', 'released_at', 'dropped_at'], unique=False)

    # In place on SQLite (recreate='never'): copying "communities", which most tables
    # point at, would trip their foreign keys. The waiting period becomes an opt-in, off
    # everywhere: a new nullable column of the same name in place of the old one.
    with op.batch_alter_table('communities', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('log_backdate_days', sa.Integer(), server_default='7', nullable=False))
        batch_op.drop_column('rating_trust_days')
    with op.batch_alter_table('communities', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('rating_trust_days', sa.Integer(), nullable=True))

    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('organization_since', sa.DateTime(timezone=True), nullable=True))

    # No table points at "claims": copying it (SQLite's way to change a CHECK) is safe.
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.alter_column('hours_status', existing_type=_hours_status(OLD_HOURS),
                              type_=_hours_status(NEW_HOURS), existing_nullable=True)

    op.execute("UPDATE wishes SET "
               "rating_count = (SELECT COUNT(*) FROM ratings WHERE ratings.wish_id = wishes.id "
               "AND ratings.removed_at IS NULL AND ratings.counted_at IS NOT NULL), "
               "rating_sum = COALESCE((SELECT SUM(stars) FROM ratings "
               "WHERE ratings.wish_id = wishes.id AND ratings.removed_at IS NULL "
               "AND ratings.counted_at IS NOT NULL), 0)")


OLD_HOURS = ('pending', 'confirmed', 'lapsed')
NEW_HOURS = (*OLD_HOURS, 'not_served')


def _hours_status(values):
    return sa.Enum(*values, name='hours_status', native_enum=False, create_constraint=True,
                   length=20)


def downgrade():
    op.execute("UPDATE claims SET hours_status = 'lapsed' WHERE hours_status = 'not_served'")
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.alter_column('hours_status', existing_type=_hours_status(NEW_HOURS),
                              type_=_hours_status(OLD_HOURS), existing_nullable=True)

    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('organization_since')

    with op.batch_alter_table('communities', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('rating_trust_days')
        batch_op.drop_column('log_backdate_days')
    with op.batch_alter_table('communities', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('rating_trust_days', sa.Integer(), server_default='30',
                                      nullable=False))

    with op.batch_alter_table('points_held', schema=None) as batch_op:
        batch_op.drop_index('ix_points_held_person')

    op.drop_table('points_held')
