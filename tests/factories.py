"""Factories: people, and wishes driven through the real services.

The plain functions (``make_wish``, ``claimed_wish``, ``completed_wish``,
``first_category_id``) work in any test that has an app context (the ``app`` fixture). The
fixtures at the bottom offer them, and the people factories built on ``make_user``, to any
test; ``tests/conftest.py`` registers them.

Every wish helper takes ``now=`` and passes it on, so a test can run the story on a clock
of its own (``T0`` is a convenient fixed moment); left out, the services use the real time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from wishboard.extensions import db
from wishboard.needs import services as needs
from wishboard.places.models import Category
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Wish

# Tuesday 1 December 2026, 10:00 in Shanghai: well inside one local day.
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def first_category_id() -> int:
    """One of the seven default categories (the ``app`` fixture creates them)."""
    return db.session.scalar(sa.select(sa.func.min(Category.id)).where(Category.is_active))


def make_wish(secretary, *, served=None, need_title=None, now: datetime | None = None,
              **overrides) -> Wish:
    """An open wish published by ``secretary`` through ``wishes.create_wish``.

    With ``served`` (a resident), the resident first submits a need and the secretary
    publishes it (``wishes.publish_need``), so the wish's beneficiary is that resident's
    account: they can confirm hours and rate as the person served. ``overrides`` go to the
    service (title, description, category_id, kind, expires_at, beneficiary_name, ...)."""
    values = dict(title="帮忙买药", description="腿脚不便，请帮忙去药店买降压药",
                  category_id=first_category_id())
    values.update(overrides)
    if served is not None:
        need = needs.submit_need(served, title=need_title or f"需要{values['title']}",
                                 description="我腿脚不便", category_id=values["category_id"],
                                 address="玉林北路3号", now=now)
        values.pop("beneficiary_name", None)
        return wishes.publish_need(secretary, need.id, now=now, **values)
    values.setdefault("beneficiary_name", "吴秀英")
    return wishes.create_wish(secretary, now=now, **values)


def claimed_wish(secretary, volunteer, *, now: datetime | None = None,
                 due_at: datetime | None = None, organization_id: int | None = None,
                 **wish_overrides) -> Wish:
    """A wish published and claimed by ``volunteer`` at ``now``."""
    wish = make_wish(secretary, now=now, **wish_overrides)
    return wishes.claim_wish(volunteer, wish.id, accept_letter=True, due_at=due_at,
                             organization_id=organization_id, now=now)


def completed_wish(secretary, volunteer, *, hours: float | Decimal = 2,
                   now: datetime | None = None, completed_at: datetime | None = None,
                   note: str = "买好了", **wish_overrides) -> Wish:
    """A wish published and claimed at ``now``, reported done by its claimant at
    ``completed_at`` (an hour later by default) with ``hours`` stated (pending)."""
    wish = claimed_wish(secretary, volunteer, now=now, **wish_overrides)
    if completed_at is None and now is not None:
        completed_at = now + timedelta(hours=1)
    return wishes.complete_wish(volunteer, wish.id, hours=hours, note=note, now=completed_at)


# Fixtures ----------------------------------------------------------------------------------

@pytest.fixture
def make_volunteer(make_user):
    """An approved volunteer (party member by default) of ``community``."""
    def _make(community, **kw):
        return make_user("volunteer", community, **kw)
    return _make


@pytest.fixture
def make_resident(make_user):
    """A resident of ``community``; verified unless ``verified=False``."""
    def _make(community, **kw):
        return make_user("resident", community, **kw)
    return _make


@pytest.fixture
def make_secretary(make_user):
    def _make(community, **kw):
        return make_user("secretary", community, **kw)
    return _make


@pytest.fixture
def neighbourhood(community, make_place, make_org, make_user):
    """A community on the ``T0`` clock (everyone joined the day before): its secretary, two
    approved volunteers (``volunteer`` belongs to ``org``), the resident a wish will serve
    (``served``) and a neighbour; and another community with its own secretary, volunteer
    and resident. All residents are verified."""
    joined = T0 - timedelta(days=1)
    org = make_org(community)
    elsewhere = make_place("肖家河社区")
    return SimpleNamespace(
        community=community, org=org, elsewhere=elsewhere, category_id=first_category_id(),
        secretary=make_user("secretary", community, name="张丽华", created_at=joined),
        volunteer=make_user("volunteer", community, name="李建国", organization=org,
                            created_at=joined),
        other_volunteer=make_user("volunteer", community, name="王晓梅", created_at=joined),
        served=make_user("resident", community, name="吴秀英", phone="13812345678",
                         created_at=joined),
        neighbour=make_user("resident", community, name="赵大妈", created_at=joined),
        far_secretary=make_user("secretary", elsewhere, name="周书记", created_at=joined),
        far_volunteer=make_user("volunteer", elsewhere, name="钱建军", created_at=joined),
        far_resident=make_user("resident", elsewhere, name="钱阿姨", created_at=joined),
    )


@pytest.fixture(name="make_wish")
def make_wish_fixture(app):
    return make_wish


@pytest.fixture(name="claimed_wish")
def claimed_wish_fixture(app):
    return claimed_wish


@pytest.fixture(name="completed_wish")
def completed_wish_fixture(app):
    return completed_wish
