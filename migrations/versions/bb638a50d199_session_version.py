"""users.session_version: sessions and 记住我 cookies that end

Revision ID: bb638a50d199
Revises: 25cddc205060
Create Date: 2026-11-22 20:37:57.708311

Log-out, a password change and 退出所有设备 raise a user's number; a session or a remembered
log-in made under an older number no longer counts. Everyone starts at 0.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bb638a50d199'
down_revision = '25cddc205060'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite adds the column in place (ALTER TABLE ... ADD COLUMN); no copy of the table.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    # recreate='never': SQLite (3.35 and later) drops a plain column in place. Copying the
    # table instead would drop and rename "users", which the foreign keys of every populated
    # database refuse.
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('session_version')
