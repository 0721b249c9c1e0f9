"""selection decisions and who the public saw

Revision ID: 1cad65638bac
Revises: 0a81b4ec294e
Create Date: 2026-12-07 16:51:12.137468

What the year-end selection's pages show of its steps becomes honours' own record instead
of keys read back from the audit log: the admins' exceptions to a selection's rules with
their reasons (selection_decisions: opened late, rules changed late, a short 公示, a 公示
ended early), and when the public first saw a nominee on a list
(selection_nominees.shown_at). The upgrade fills both from the audit log, so a selection
under way keeps its story: each decision from the step's audit line that named it (its
``exception`` and ``reason``), dated and signed as that line; each nominee named by a
``publicity_started`` line (``nominee_ids``) as shown at the earliest such line. The log
itself is left as it is.

A new table and a nullable column: on SQLite the column is added (and dropped) in place
(recreate='never'; copying "selection_nominees" would drop the table its objections and
certificates refer to).
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1cad65638bac'
down_revision = '0a81b4ec294e'
branch_labels = None
depends_on = None

DECISION_KINDS = ('opened_late', 'settings_changed_late', 'short_publicity', 'ended_early')
DECISION_ACTIONS = ('selection_opened', 'selection_settings_changed', 'publicity_started',
                    'publicity_ended_early')

# Untyped columns: the stored values move as they are (a moment keeps its stored form).
audit_entries = sa.table('audit_log', sa.column('id'), sa.column('created_at'),
                         sa.column('actor_id'), sa.column('action'),
                         sa.column('object_type'), sa.column('object_id'),
                         sa.column('after'))
selection_decisions = sa.table('selection_decisions', sa.column('selection_id'),
                               sa.column('kind'), sa.column('reason'),
                               sa.column('decided_by_id'), sa.column('decided_at'))
selection_nominees = sa.table('selection_nominees', sa.column('id'),
                              sa.column('selection_id'), sa.column('shown_at'))
selections = sa.table('selections', sa.column('id'))
users = sa.table('users', sa.column('id'))


def upgrade():
    op.create_table('selection_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selection_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('opened_late', 'settings_changed_late', 'short_publicity', 'ended_early')", name=op.f('ck_selection_decisions_decision_kind')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_selection_decisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['selection_id'], ['selections.id'], name=op.f('fk_selection_decisions_selection_id_selections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selection_decisions'))
    )
    with op.batch_alter_table('selection_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_selection_decisions_selection', ['selection_id', 'id'], unique=False)

    # SQLite adds the column in place (ALTER TABLE ... ADD COLUMN); no copy of the table.
    with op.batch_alter_table('selection_nominees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown_at', sa.DateTime(timezone=True), nullable=True))

    _backfill(op.get_bind())


def _after(value) -> dict:
    """An audit line's ``after``: a dict (PostgreSQL's JSON), or its text (SQLite)."""
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _backfill(bind) -> None:
    living = set(bind.execute(sa.select(selections.c.id)).scalars())
    people = set(bind.execute(sa.select(users.c.id)).scalars())
    nominees = {row.id: row.selection_id for row in bind.execute(
        sa.select(selection_nominees.c.id, selection_nominees.c.selection_id))}
    decisions, shown = [], {}
    entries = bind.execute(
        sa.select(audit_entries.c.created_at, audit_entries.c.actor_id,
                  audit_entries.c.action, audit_entries.c.object_id, audit_entries.c.after)
        .where(audit_entries.c.object_type == 'selection',
               audit_entries.c.action.in_(DECISION_ACTIONS))
        .order_by(audit_entries.c.id))
    for entry in entries:
        if entry.object_id not in living:
            continue
        after = _after(entry.after)
        if entry.action == 'publicity_started':
            for nominee_id in after.get('nominee_ids') or ():
                if nominees.get(nominee_id) == entry.object_id:
                    shown.setdefault(nominee_id, entry.created_at)  # the earliest line
        kind, reason = after.get('exception'), after.get('reason')
        if kind in DECISION_KINDS and reason:
            decisions.append({'selection_id': entry.object_id, 'kind': kind,
                              'reason': str(reason)[:200],
                              'decided_by_id': entry.actor_id
                              if entry.actor_id in people else None,
                              'decided_at': entry.created_at})
    if decisions:
        bind.execute(selection_decisions.insert(), decisions)
    for nominee_id, at in shown.items():
        bind.execute(selection_nominees.update()
                     .where(selection_nominees.c.id == nominee_id)
                     .values(shown_at=at))


def downgrade():
    # recreate='never': SQLite (3.35 and later) drops a plain column in place. Copying the
    # table instead would drop and rename "selection_nominees", which its objections and
    # certificates refer to. The audit log still holds what the dropped rows said.
    with op.batch_alter_table('selection_nominees', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('shown_at')

    with op.batch_alter_table('selection_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_selection_decisions_selection')

    op.drop_table('selection_decisions')
