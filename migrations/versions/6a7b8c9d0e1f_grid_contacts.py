"""grid contacts and residents' home places

Revision ID: 6a7b8c9d0e1f
Revises: 5f1e2d3c4b5a

Reaching the right hands: the 楼栋长, 院落长 and 网格员 of a community's grid places
(grid_contacts), and the grid place a resident says they live in (resident_homes; a
volunteer's is in volunteer_profiles already). Both are new tables: nothing existing
changes, so the upgrade and the downgrade are plain on both engines.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a7b8c9d0e1f'
down_revision = '5f1e2d3c4b5a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grid_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('building_head', 'courtyard_head', 'grid_worker', name='contact_role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_grid_contacts_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_grid_contacts_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['place_id'], ['communities.id'], name=op.f('fk_grid_contacts_place_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_grid_contacts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_contacts')),
    sa.UniqueConstraint('place_id', 'user_id', 'role', name='uq_grid_contacts_place_user_role')
    )
    with op.batch_alter_table('grid_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_grid_contacts_community', ['community_id', 'id'], unique=False)
        batch_op.create_index('ix_grid_contacts_place', ['place_id', 'id'], unique=False)
        batch_op.create_index('ix_grid_contacts_user', ['user_id', 'id'], unique=False)

    op.create_table('resident_homes',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['communities.id'], name=op.f('fk_resident_homes_place_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_resident_homes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_resident_homes'))
    )


def downgrade():
    op.drop_table('resident_homes')
    with op.batch_alter_table('grid_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_grid_contacts_user')
        batch_op.drop_index('ix_grid_contacts_place')
        batch_op.drop_index('ix_grid_contacts_community')

    op.drop_table('grid_contacts')
