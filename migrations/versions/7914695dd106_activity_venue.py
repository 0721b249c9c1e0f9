"""activity venue

Revision ID: 7914695dd106
Revises: a4d5d81c6f55
Create Date: 2026-11-23 00:05:00.000000

Where an activity meets, in the organiser's words; old activities have none.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7914695dd106'
down_revision = 'a4d5d81c6f55'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite adds the column in place (ALTER TABLE ... ADD COLUMN); no copy of the table.
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venue', sa.String(length=100), server_default='',
                                      nullable=False))


def downgrade():
    # recreate='never': SQLite drops a plain column in place; copying "activities" would
    # meet the foreign keys of every populated database.
    with op.batch_alter_table('activities', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('venue')
