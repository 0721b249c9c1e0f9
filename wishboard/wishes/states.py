"""The wish state machine, in one place: the states and their words, every allowed move,
why a move is refused, and the groups of states the rest of the code asks about. Services
change a wish's state only through ``check_transition`` or a conditional UPDATE built from
``TRANSITIONS`` (``wishboard.wishes.services.transition_many``).
"""

from __future__ import annotations

from wishboard.core.db import LabelledEnum
from wishboard.errors import IllegalTransitionError


class WishState(LabelledEnum):
    """Where a wish is in its life; the moves between states are ``TRANSITIONS`` below."""

    PENDING_REVIEW = "pending_review", "待审核"
    OPEN = "open", "待认领"
    CLAIMED = "claimed", "已认领"
    COMPLETED = "completed", "待评价"
    CLOSED = "closed", "已完成"
    REJECTED = "rejected", "未通过"
    CANCELLED = "cancelled", "已取消"
    EXPIRED = "expired", "已过期"


# Every allowed move, and nothing else.
TRANSITIONS: dict[WishState, set[WishState]] = {
    WishState.PENDING_REVIEW: {WishState.OPEN, WishState.REJECTED},
    WishState.OPEN: {WishState.CLAIMED, WishState.CANCELLED, WishState.EXPIRED},
    WishState.CLAIMED: {WishState.OPEN, WishState.COMPLETED, WishState.CANCELLED},
    WishState.COMPLETED: {WishState.CLOSED},
}

# The groups of states asked about elsewhere.
# Still being worked on: needs merge into these, the secretary may cancel them, and nobody
# can rate them yet.
LIVE_STATES = (WishState.OPEN, WishState.CLAIMED)
# The service was given: ratings and hours confirmations belong here.
SERVED_STATES = (WishState.COMPLETED, WishState.CLOSED)
# What the community's board offers to filter by.
BOARD_STATES = (*LIVE_STATES, *SERVED_STATES)
# What anyone may see; pending and rejected wishes are the secretary's business.
PUBLIC_STATES = (*BOARD_STATES, WishState.CANCELLED, WishState.EXPIRED)

# Why a move is refused, by the state the wish is in: a stable code and a plain sentence.
REFUSALS: dict[WishState, tuple[str, str, str]] = {
    WishState.PENDING_REVIEW: ("wish_not_published", "这个心愿还没有发布",
                               "This wish is not published yet"),
    WishState.OPEN: ("wish_not_claimed", "这个心愿还没有人认领", "This wish has not been claimed"),
    WishState.CLAIMED: ("wish_already_claimed", "该心愿已被认领", "This wish is already claimed"),
    WishState.COMPLETED: ("wish_already_completed", "这个心愿已经完成服务，等待评价",
                          "This wish is already completed"),
    WishState.CLOSED: ("wish_closed", "这个心愿已经结束", "This wish is closed"),
    WishState.REJECTED: ("wish_rejected", "这个心愿未通过审核", "This wish was rejected"),
    WishState.CANCELLED: ("wish_cancelled", "这个心愿已取消", "This wish was cancelled"),
    WishState.EXPIRED: ("wish_expired", "这个心愿已过期", "This wish has expired"),
}

# How each line of a wish's timeline reads.
ACTION_LABELS = {
    "need_submitted": "提出需求", "published": "发布心愿", "need_merged": "合并需求",
    "claimed": "认领", "released": "释放认领", "completed": "完成服务", "rated": "评价",
    "closed": "结项", "cancelled": "取消", "expired": "过期", "rating_removed": "撤销评价",
    "not_served": "社区核实：未实际服务",
}


def state_refusal(state: WishState) -> IllegalTransitionError:
    """The 409 for a move the wish's current ``state`` does not allow."""
    code, zh, en = REFUSALS[state]
    return IllegalTransitionError(zh, message_en=en, code=code)


def check_transition(current: WishState, new: WishState) -> None:
    """Raise the refusal unless the state machine allows ``current -> new``."""
    if new not in TRANSITIONS.get(current, set()):
        raise state_refusal(current)
