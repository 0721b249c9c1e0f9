"""The year-end selection (年度评选), step by step, and its certificates.

1. **Open** (``open_selection``): the community's secretary (or an admin) opens the
   selection of a year, with a cut-off day (31 December by default) and the rules
   (places per division, the least completed services and average stars), before the
   cut-off day ends: the rules are not chosen once the year's results are known (an
   admin may open it later, or change the rules later, with a reason the 公示 page
   shows).
2. **Freeze** (``freeze_selection``), once the cut-off day is over: the standings are
   taken from the points ledger into ``SelectionStanding`` rows, and the rules propose the
   nominees.

   Why a snapshot is the truth here: the ledger is append-only, but it keeps moving after
   the cut-off. A rating removed in January, a claim reversed after the sweep, hours
   confirmed late: each is a new entry, dated when it is booked, and the running totals
   (``PointsTotal``) take it at once. A public list that judged people by totals read on
   the day it is shown would change under the residents' eyes during its 公示, and a
   certificate would no longer match the figures it was given for. So freezing counts the
   entries of the year made *before the cut-off* (corrections made later, in the same
   year or after, are left out, as the year's board then stood) and writes them down once;
   the nominees, the 公示 and the certificates all stand on those rows. A correction
   that matters for an honour is answered the way a committee would: by an objection, or
   by withdrawing the honour with a reason. One thing is judged at the freeze rather than
   at the cut-off: a claim's points (booked the moment it is made) count only for claims
   completed, or still live at the freeze (``_claims_that_count``), so that many wishes
   claimed just before the cut-off and given back after it earn nothing.
3. **Adjust** (``add_nominee``, ``remove_nominee``): the secretary adds or removes, with a
   written reason for each change (kept on the nominee's row and in the audit log), while
   the list is drawn up; never during a 公示.
4. **公示** (``start_publicity``): the list is public for a set period (whole days of 24
   hours from its start: 7 by default, at least 5, fewer only by an admin with a reason);
   anyone logged in may object (``raise_objection``); the secretary answers in writing
   (``answer_objection``, or ``answer_objections``: one answer to all about one nominee;
   upheld withdraws the nominee). Only objections of people whose word counts in the
   community hold the results back. An admin may end the period early with a reason
   (``end_publicity_early``, public); once it is over the secretary may go back to the
   list for a correction round (``reopen_selection``, a new 公示 follows; whoever the
   public saw and is then removed shows as 社区移出名单) or
5. **publish** (``publish_selection``): never while the period runs or an objection that
   counts waits. The honoured get a certificate each, with a verification code.
6. A certificate may be **withdrawn** later (``withdraw_certificate``), with a reason that
   only the holder and the staff read; the public verification says it was withdrawn, and
   when.

Every step takes the selection's row first (``_take``: a conditional UPDATE on its state),
so two steps on one selection never interleave, on SQLite or PostgreSQL; every step is
written to the audit log in its own transaction. What the pages show of a step's record
is honours' own: who the public saw on a list (``Nominee.shown_at``) and the admins'
exceptions with their reasons (``SelectionDecision``), never read back from the log.

The use cases live by concern: opening, the rules, the snapshot and reading a selection in
``selection``; the list, its 公示 and the objections in ``nominees``; publishing and the
certificates in ``certificates``. This module names them all, so callers write
``from wishboard.honours import services as honours``; the pages and the API run the steps
from one table (``wishboard.blueprints.honour_steps``).
"""

from wishboard.honours.certificates import (
    CODE_ALPHABET, CODE_LENGTH, certificates_of, get_certificate, my_certificates, new_code,
    normalise_code, publish_selection, tell_of_hidden_name, withdraw_certificate,
)
from wishboard.honours.nominees import (
    OBJECTIONS_PER_PERSON, UNVERIFIED_OBJECTIONS_PER_PERSON, add_nominee, answer_objection,
    answer_objections, end_publicity_early, my_objections, publicity_end, raise_objection,
    remove_nominee, reopen_selection, start_publicity,
)
from wishboard.honours.selection import (
    SelectionView, freeze_selection, get_selection, list_selections, list_standings,
    open_selection, public_selections, read_selection, selection_view, update_settings,
)

__all__ = [
    "CODE_ALPHABET", "CODE_LENGTH", "OBJECTIONS_PER_PERSON", "UNVERIFIED_OBJECTIONS_PER_PERSON",
    "SelectionView", "add_nominee", "answer_objection", "answer_objections",
    "certificates_of", "end_publicity_early", "freeze_selection", "get_certificate",
    "get_selection", "list_selections", "list_standings", "my_certificates", "my_objections",
    "new_code", "normalise_code", "open_selection", "public_selections", "publicity_end",
    "publish_selection", "raise_objection", "read_selection", "remove_nominee",
    "reopen_selection", "selection_view", "start_publicity", "tell_of_hidden_name",
    "update_settings", "withdraw_certificate",
]
