"""city scale: list indexes and wish tallies

Revision ID: d87ca0ec0e7d
Revises: bb638a50d199
Create Date: 2026-11-22 22:09:08.757189

Every list reads its page off an index in its own order (ties broken by id), so a page costs
the same with ten rows or a district's hundred thousand. ``wish_tallies`` holds how many
wishes each community has in each state, for the board's total; it starts from a count of
what is there. A wish is published when it is made: the few old rows without
``published_at`` take their ``created_at``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd87ca0ec0e7d'
down_revision = 'bb638a50d199'
branch_labels = None
depends_on = None

# (table, index, new columns, old columns or None when the index is new)
INDEXES = [
    ('activities', 'ix_activities_board', ['community_id', 'status', 'starts_at', 'id'],
     ['community_id', 'status', 'starts_at']),
    ('activities', 'ix_activities_community_recent', ['community_id', 'starts_at', 'id'], None),
    ('needs', 'ix_needs_community_status', ['community_id', 'status', 'created_at', 'id'],
     ['community_id', 'status']),
    ('needs', 'ix_needs_community_recent', ['community_id', 'created_at', 'id'], None),
    ('notifications', 'ix_notifications_user', ['user_id', 'id'], None),
    ('points_entries', 'ix_points_entries_volunteer', ['volunteer_id', 'created_at', 'id'],
     ['volunteer_id', 'created_at']),
    ('wishes', 'ix_wishes_board', ['community_id', 'state', 'published_at', 'id'],
     ['community_id', 'state', 'published_at']),
    ('wishes', 'ix_wishes_board_category',
     ['community_id', 'category_id', 'state', 'published_at', 'id'], None),
    ('wishes', 'ix_wishes_board_kind', ['community_id', 'kind', 'state', 'published_at', 'id'],
     None),
    ('wishes', 'ix_wishes_community_recent', ['community_id', 'published_at', 'id'], None),
    ('wishes', 'ix_wishes_recent', ['published_at', 'id'], None),
]


def upgrade():
    op.create_table(
        'wish_tallies',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum('pending_review', 'open', 'claimed', 'completed', 'closed',
                                   'rejected', 'cancelled', 'expired', name='state',
                                   native_enum=False, create_constraint=True, length=20),
                  nullable=False),
        sa.Column('count', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_wish_tallies_community_id_communities'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('community_id', 'state', name=op.f('pk_wish_tallies')),
    )
    op.execute("UPDATE wishes SET published_at = created_at WHERE published_at IS NULL")
    op.execute("INSERT INTO wish_tallies (community_id, state, count) "
               "SELECT community_id, state, count(*) FROM wishes GROUP BY community_id, state")
    # Plain CREATE/DROP INDEX on both engines: no table is copied.
    for table, name, columns, old in INDEXES:
        if old is not None:
            op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, _columns, old in reversed(INDEXES):
        op.drop_index(name, table_name=table)
        if old is not None:
            op.create_index(name, table, old, unique=False)
    op.drop_table('wish_tallies')
