"""What the year-end selection's pages show beyond what ``honours.selection_view`` reads: the
secretary's walk through the steps, the words of a 公示's period, and names as the viewer
reads them. The 公示 page, its poster and the secretary's page share it; the API answer
does not need it."""

from __future__ import annotations

from datetime import datetime, timedelta

from wishboard.access import sees_nominee_name
from wishboard.accounts.models import User
from wishboard.core.clock import datetime_words, day_words, local, period_words
from wishboard.honours import services as honours
from wishboard.honours.models import Nominee, SelectionState
from wishboard.points.services import ANONYMOUS

# The secretary's page walks these, in order.
STAGES = ("开启评选", "冻结积分，按规则提名", "调整候选名单", "公示", "答复异议", "公布结果")


class SelectionPage:
    """A selection's pages: its ``honours.SelectionView`` (every attribute of it reads
    through: ``page.nominees``, ``page.rights``, ``page.listed(division)``, ...) and the
    pages' own words."""

    def __init__(self, view: honours.SelectionView):
        self.view = view

    def __getattr__(self, name):
        return getattr(self.view, name)

    def name_of(self, nominee: Nominee) -> str:
        """The name as this viewer reads it (``access.sees_nominee_name``)."""
        if sees_nominee_name(self.view.viewer, nominee, self.view.selection.community_id):
            return nominee.name
        return ANONYMOUS

    def hidden_names(self) -> list[Nominee]:
        """Volunteers on the list (or honoured) who have since kept their name off the
        boards: the public reads them as anonymous; the staff's page says so."""
        return [n for n in self.view.nominees if n.is_listed and n.user is not None
                and not n.user.show_on_boards]

    @property
    def running(self) -> bool:
        return self.view.selection.publicity_running(self.view.now)

    def publicity_words(self) -> str:
        """公示时间: 1月4日（周一）上午10点至1月11日（周一）上午10点 (whole days of 24
        hours from its start); 1月4日（周一）至1月10日（周日） when it ends at a local
        midnight, the last day being the one before; the moment itself when an admin ended
        it early."""
        s, now = self.view.selection, self.view.now
        if s.publicity_starts_at is None:
            return ""
        if s.ended_early_at is not None:
            return (f"{day_words(s.publicity_starts_at, now=now)}至"
                    f"{datetime_words(s.ended_early_at, now=now)}（提前结束）")
        end = local(s.publicity_ends_at)
        if (end.hour, end.minute, end.second) != (0, 0, 0):
            return period_words(s.publicity_starts_at, s.publicity_ends_at, now=now)
        last = s.publicity_ends_at - timedelta(seconds=1)
        return f"{day_words(s.publicity_starts_at, now=now)}至{day_words(last, now=now)}"

    def current_step(self) -> int:
        """Where the selection stands among ``STAGES`` (1-based; past the last: done)."""
        s = self.view.selection
        if s.state is SelectionState.OPEN:
            return 2
        if s.state is SelectionState.NOMINATING:
            return 3
        if s.state is SelectionState.PUBLICITY:
            return 4 if self.running else (5 if self.view.open_objections else 6)
        return len(STAGES) + 1


def selection_page(viewer: User | None, selection_id: int, *,
                   now: datetime | None = None) -> SelectionPage:
    """A selection as ``viewer`` reads it on its pages (404 when they may not)."""
    return SelectionPage(honours.selection_view(viewer, selection_id, now=now))
