"""The year-end selection (年度评选): a community's selection for one year, the snapshot of
its standings at the cut-off, the admins' exceptions to its rules (``selection``); the
nominees, the objections raised during the 公示, and the certificates of those honoured
(``nominees``).

A selection moves one way through its states (``SelectionState``), with one step back for
a correction round (``reopen``): open → nominating (the snapshot is taken) → publicity
(公示) → published. Only the use cases of ``wishboard.honours`` move it.
"""

from wishboard.honours.models.nominees import (
    Certificate, Nominee, NomineeSource, NomineeStatus, Objection, ObjectionStatus,
)
from wishboard.honours.models.selection import (
    DECISION_LABELS, DEFAULT_PUBLICITY_DAYS, DEFAULT_SETTINGS, DIVISION_OF_TYPE,
    MIN_PUBLICITY_DAYS, PUBLIC_SELECTION_STATES, QUOTA_OF_DIVISION, SETTING_LABELS,
    HonourDivision, Selection, SelectionDecision, SelectionStanding, SelectionState,
)

__all__ = [
    "DECISION_LABELS", "DEFAULT_PUBLICITY_DAYS", "DEFAULT_SETTINGS", "DIVISION_OF_TYPE",
    "MIN_PUBLICITY_DAYS", "PUBLIC_SELECTION_STATES", "QUOTA_OF_DIVISION", "SETTING_LABELS",
    "Certificate", "HonourDivision", "Nominee", "NomineeSource", "NomineeStatus", "Objection",
    "ObjectionStatus", "Selection", "SelectionDecision", "SelectionStanding", "SelectionState",
]
