"""Grid contacts: the community's staff give its residents and volunteers a duty on a grid
place (楼栋长, 院落长, 网格员) or take it back; everyone reads a place's contact card; the
needs of a place reach its contacts and the contacts of the places it lies in
(``needs.services.submit_need`` asks ``contact_ids_for``); a contact lists the needs of
their places; a resident says where they live.

Who sees a full phone number is ``access.contact_phone_reason``; what they see is
``privacy.shown_contact`` and ``privacy.shown_grid_need``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from wishboard.access import (
    can_manage_community, contact_phone_reason, ensure_can_manage_community,
    grid_contact_places, grid_duty_refusal,
)
from wishboard.accounts.models import Role, User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import commit_keeping_what_was_read, flush_or_conflict, page_of, upsert
from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.grid.models import ContactRole, GridContact, ResidentHome
from wishboard.matching.models import VolunteerProfile
from wishboard.needs.models import Need, NeedStatus
from wishboard.notifications.services import notify
from wishboard.places.models import Community
from wishboard.places.services import community_grid, grid_options
from wishboard.privacy import mask_phone, shown_contact, shown_grid_need


def _no_place() -> NotFoundError:
    return NotFoundError("没有这个网格", message_en="No such place")


def _place(place_id: int) -> Community:
    place = db.session.get(Community, place_id)
    if place is None:
        raise _no_place()
    return place


@dataclass
class Grid:
    """A community's grid places, loaded once, with each place's path (二片区 › 3号院落 ›
    1栋) and the tree walked in memory: a community has hundreds of places, not millions."""

    community_id: int | None
    by_id: dict[int, Community] = field(default_factory=dict)
    paths: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, community_id: int | None) -> Grid:
        if community_id is None:
            return cls(None)
        community = db.session.get(Community, community_id)
        places = community_grid(community) if community is not None else []
        return cls(community_id, {p.id: p for p in places}, dict(grid_options(places)))

    def line(self, place_id: int | None) -> list[int]:
        """The place and every grid place above it, nearest first."""
        ids, seen = [], set()
        while place_id in self.by_id and place_id not in seen:
            seen.add(place_id)
            ids.append(place_id)
            place_id = self.by_id[place_id].parent_id
        return ids

    def below(self, place_ids) -> set[int]:
        """The places given (those of this grid) and every place inside them."""
        children: dict[int | None, list[int]] = {}
        for place in self.by_id.values():
            children.setdefault(place.parent_id, []).append(place.id)
        found, todo = set(), [i for i in place_ids if i in self.by_id]
        while todo:
            place_id = todo.pop()
            if place_id not in found:
                found.add(place_id)
                todo.extend(children.get(place_id, []))
        return found

    def path(self, place_id: int | None) -> str:
        return self.paths.get(place_id, "")


def home_place_id_of(user: User | None) -> int | None:
    """Where a person lives in their community's grid: a resident's ``ResidentHome``, a
    volunteer's service profile."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role is Role.RESIDENT:
        return db.session.scalar(sa.select(ResidentHome.place_id).where(
            ResidentHome.user_id == user.id))
    if user.role is Role.VOLUNTEER:
        return db.session.scalar(sa.select(VolunteerProfile.home_place_id).where(
            VolunteerProfile.user_id == user.id))
    return None


# A home place opens the contacts' full numbers only once it has stood this long: it is
# what a person says of themselves, and saying a new one every day would walk the grid.
HOME_SETTLE = timedelta(days=7)


def settled_home_place_id(user: User | None, now: datetime) -> int | None:
    """``home_place_id_of``, when it was last set at least ``HOME_SETTLE`` ago (a
    volunteer's counts from the last change of their service profile)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role is Role.RESIDENT:
        row = db.session.execute(sa.select(ResidentHome.place_id, ResidentHome.updated_at)
                                 .where(ResidentHome.user_id == user.id)).first()
    elif user.role is Role.VOLUNTEER:
        row = db.session.execute(
            sa.select(VolunteerProfile.home_place_id, VolunteerProfile.updated_at)
            .where(VolunteerProfile.user_id == user.id)).first()
    else:
        return None
    if row is None or row[0] is None or row[1] > now - HOME_SETTLE:
        return None
    return row[0]


# The contact card ---------------------------------------------------------------------------

@dataclass
class ContactCard:
    """A place and the people who answer for it: those on the place itself, on the places
    it lies in, and on the places inside it, in path order (a community's card lists its
    whole grid). ``items`` are as the viewer may see them (``privacy.shown_contact``);
    ``home_place_id`` is where the viewer lives, if they said."""

    place: Community
    path: str
    items: list[dict]
    home_place_id: int | None = None

    @property
    def any_masked(self) -> bool:
        return any(not item["in_full"] for item in self.items)


def contact_card(viewer: User | None, place_id: int, *,
                 now: datetime | None = None) -> ContactCard:
    """A place's contact card for ``viewer`` (None: the public). Each number shown in full
    to someone other than its owner is written to the audit log, in this one read."""
    place = _place(place_id)
    if viewer is not None and not getattr(viewer, "is_authenticated", False):
        viewer = None
    community_id = place.owning_community_id
    grid = Grid.of(community_id)
    if place.is_community:
        ids = set(grid.by_id)
    elif place.id in grid.by_id:
        ids = set(grid.line(place.id)) | grid.below([place.id])
    else:  # above community level: no grid of its own
        ids = set()
    home_id = home_place_id_of(viewer)
    member = viewer is not None and viewer.community_id == community_id
    settled = settled_home_place_id(viewer, now or utcnow()) if member else None
    home_line = grid.line(settled) if settled else []
    contacts = _contacts_at(ids)
    contacts.sort(key=lambda c: (grid.path(c.place_id), list(ContactRole).index(c.role), c.id))
    items, sights = [], []
    for contact in contacts:
        reason = contact_phone_reason(viewer, contact, home_line)
        items.append(shown_contact(contact, reason, grid.path(contact.place_id),
                                   neighbour=member or can_manage_community(viewer,
                                                                            community_id)))
        if reason in ("staff", "neighbour"):
            sights.append(contact.id)
    if sights:
        audit.record("grid_contacts_viewed", actor=viewer, object_type="place",
                     object_id=place.id, community_id=community_id,
                     after={"contact_ids": sights}, now=now)
        commit_keeping_what_was_read()
    return ContactCard(place, grid.path(place.id), items, home_id)


def _contacts_at(place_ids) -> list[GridContact]:
    if not place_ids:
        return []
    return list(db.session.scalars(
        sa.select(GridContact).join(User, User.id == GridContact.user_id)
        .where(GridContact.place_id.in_(sorted(place_ids)), User.is_active.is_(True))
        .options(joinedload(GridContact.user), joinedload(GridContact.place))))


def community_contacts(actor: User, community_id: int) -> dict[int, list[dict]]:
    """The management page: every contact of the community's grid, by place, with masked
    phones (the page manages duties; a number to call is on the contact card)."""
    ensure_can_manage_community(actor, community_id)
    rows = db.session.scalars(
        sa.select(GridContact).where(GridContact.community_id == community_id)
        .options(joinedload(GridContact.user), joinedload(GridContact.place))
        .order_by(GridContact.place_id, GridContact.id))
    by_place: dict[int, list[dict]] = {}
    for contact in rows:
        by_place.setdefault(contact.place_id, []).append(shown_contact(contact, None))
    return by_place


# Giving and taking back a duty --------------------------------------------------------------

def assign_contact(actor: User, place_id: int, *, role: str, user_id: int | None = None,
                   phone: str | None = None, now: datetime | None = None) -> dict:
    """Make a resident or volunteer of the community the 楼栋长 (of a 楼栋), 院落长 (of a
    院落) or 网格员 (of any grid place) of ``place_id``; the person is named by their
    account (``user_id``) or by their mobile number. Staff of the community only. Tells the
    person, and writes it to the audit log."""
    now = now or utcnow()
    place = _place(place_id)
    ensure_can_manage_community(actor, place.owning_community_id)
    if place.is_community or place.community_id is None:
        raise ValidationFailedError("联系人只能指派到片区、院落或楼栋",
                                    message_en="Contacts belong to grid places",
                                    code="not_a_grid_place",
                                    fields={"place_id": ["请选择片区、院落或楼栋"]})
    role_ = ContactRole(role)
    if not role_.fits(place.level):
        raise ValidationFailedError(
            f"{role_.label}不能指派到{place.level.label}",
            message_en=f"A {role_.value} does not fit a {place.level.value}",
            code="role_does_not_fit_place",
            fields={"role": [f"{place.level.label}可以指派："
                             f"{'、'.join(r.label for r in ContactRole if r.fits(place.level))}"]})
    person = _person(place.community_id, user_id, phone)
    refusal = grid_duty_refusal(person, place)
    if refusal is not None:
        raise refusal
    conflict = ConflictError(f"{person.name}已是这里的{role_.label}",
                             message_en="This person already holds this duty here",
                             code="grid_contact_exists", fields={"user_id": ["已指派"]})
    if db.session.scalar(sa.select(GridContact.id).where(
            GridContact.place_id == place.id, GridContact.user_id == person.id,
            GridContact.role == role_)) is not None:
        raise conflict
    contact = GridContact(community_id=place.community_id, place_id=place.id,
                          user_id=person.id, role=role_, created_by_id=actor.id,
                          created_at=now)
    db.session.add(contact)
    flush_or_conflict(conflict)
    audit.record("grid_contact_assigned", actor=actor, object_type="grid_contact",
                 object_id=contact.id, community_id=place.community_id,
                 after={"place_id": place.id, "user_id": person.id, "role": role_.value},
                 now=now)
    path = Grid.of(place.community_id).path(place.id) or place.name
    notify([person.id], "grid_contact_assigned",
           f"社区请您担任{path}的{role_.label}，辖区内的新需求会通知您。", now=now)
    flush_or_conflict(conflict, commit=True)
    return shown_contact(contact, "staff", path)


def _person(community_id: int, user_id: int | None, phone: str | None) -> User | None:
    if user_id is not None:
        return db.session.get(User, user_id)
    if not phone:
        raise ValidationFailedError(fields={"user_id": ["请选择要指派的人，或填写他的手机号"]})
    found = list(db.session.scalars(
        sa.select(User).where(User.phone == phone, User.community_id == community_id,
                              User.role.in_((Role.RESIDENT, Role.VOLUNTEER)),
                              User.is_active.is_(True)).order_by(User.id).limit(2)))
    if not found:
        raise ValidationFailedError("本社区没有用这个手机号的居民或志愿者",
                                    message_en="No resident or volunteer has this number",
                                    code="not_a_neighbour",
                                    fields={"phone": [
                                        f"本社区没有{mask_phone(phone)}这个号码的居民或志愿者"]})
    if len(found) > 1:
        raise ValidationFailedError("这个手机号在本社区有几个账号，请在居民或志愿者名单里核对",
                                    message_en="Several accounts have this number",
                                    code="phone_not_unique",
                                    fields={"phone": ["这个手机号有几个账号"]})
    return found[0]


def remove_contact(actor: User, place_id: int, contact_id: int, *,
                   now: datetime | None = None) -> None:
    """Take a duty back (staff of the community); written to the audit log."""
    contact = db.session.get(GridContact, contact_id)
    if contact is None or contact.place_id != place_id:
        raise NotFoundError("这里没有这位联系人", message_en="No such contact here")
    ensure_can_manage_community(actor, contact.community_id)
    audit.record("grid_contact_removed", actor=actor, object_type="grid_contact",
                 object_id=contact.id, community_id=contact.community_id,
                 before={"place_id": contact.place_id, "user_id": contact.user_id,
                         "role": contact.role.value}, now=now)
    db.session.delete(contact)
    db.session.commit()


# Routing needs, and the needs a contact looks after ---------------------------------------

def contact_ids_for(place_id: int, community_id: int) -> list[int]:
    """The active contacts of a grid place and of every place it lies in (one recursive
    query), for the caller to tell in its own transaction."""
    start = (sa.select(Community.id, Community.parent_id)
             .where(Community.id == place_id, Community.community_id == community_id)
             .cte("contact_places", recursive=True))
    parent = aliased(Community)
    line = start.union_all(sa.select(parent.id, parent.parent_id)
                           .join(start, parent.id == start.c.parent_id)
                           .where(parent.community_id == community_id))
    return list(db.session.scalars(
        sa.select(GridContact.user_id).distinct()
        .join(User, User.id == GridContact.user_id)
        .where(GridContact.place_id.in_(sa.select(line.c.id)),
               GridContact.community_id == community_id, User.is_active.is_(True))))


@dataclass
class Duty:
    """A place I answer for, as what."""

    place: Community
    path: str
    role_labels: list[str]


def my_duties(user: User) -> list[Duty]:
    """The grid places ``user`` answers for, in path order, each with their duties there."""
    if not grid_contact_places(user):
        return []
    grid = Grid.of(user.community_id)
    duties: dict[int, Duty] = {}
    for contact in db.session.scalars(
            sa.select(GridContact).where(GridContact.user_id == user.id,
                                         GridContact.community_id == user.community_id)
            .order_by(GridContact.id)):
        if contact.place_id not in grid.by_id:
            continue
        duty = duties.setdefault(contact.place_id, Duty(
            grid.by_id[contact.place_id], grid.path(contact.place_id), []))
        duty.role_labels.append(contact.role.label)
    return sorted(duties.values(), key=lambda d: d.path)


def list_grid_needs(user: User, *, status: str | None = None, page: int = 1,
                    per_page: int = 20) -> tuple[list[dict], int]:
    """The needs of the places ``user`` answers for and the places inside them, newest
    first, as a contact may see them (``privacy.shown_grid_need``). Nobody's list is an
    error: a person with no duty has an empty one."""
    mine = grid_contact_places(user)
    if not mine:
        return [], 0
    grid = Grid.of(user.community_id)
    places = grid.below(mine)
    query = sa.select(Need).where(Need.community_id == user.community_id,
                                  Need.grid_id.in_(sorted(places)))
    if status:
        query = query.where(Need.status == NeedStatus(status))
    items, total = page_of(query, page, per_page, Need.created_at.desc(), Need.id.desc(),
                           options=(joinedload(Need.grid),))
    return [shown_grid_need(need, grid.path(need.grid_id)) for need in items], total


# Where I live ------------------------------------------------------------------------------

@dataclass
class HomePlace:
    place: Community | None
    path: str


def get_home_place(user: User) -> HomePlace:
    place_id = home_place_id_of(user)
    place = db.session.get(Community, place_id) if place_id is not None else None
    return HomePlace(place, Grid.of(user.community_id).path(place_id) if place else "")


def set_home_place(user: User, place_id: int | None, *,
                   now: datetime | None = None) -> HomePlace:
    """A resident or volunteer says which grid place of their community they live in (None:
    not saying). A volunteer's is kept in their service profile, a resident's in
    ``ResidentHome``."""
    now = now or utcnow()
    if user.role not in (Role.RESIDENT, Role.VOLUNTEER):
        raise ForbiddenError("居民和志愿者可以填写住在哪个网格",
                             message_en="Residents and volunteers say where they live",
                             code="residents_only")
    if place_id is not None:
        place = db.session.get(Community, place_id)
        if place is None or place.community_id is None \
                or place.community_id != user.community_id:
            raise ValidationFailedError(fields={"place_id": ["本社区没有这个网格"]})
    if user.role is Role.VOLUNTEER:
        from wishboard.matching.services import update_profile

        update_profile(user, home_place_id=place_id, now=now)  # commits
        return get_home_place(user)
    if place_id is None:
        db.session.execute(sa.delete(ResidentHome).where(ResidentHome.user_id == user.id))
    else:
        db.session.execute(upsert(ResidentHome).values(
            user_id=user.id, place_id=place_id, updated_at=now).on_conflict_do_update(
            index_elements=["user_id"], set_={"place_id": place_id, "updated_at": now}))
    db.session.commit()
    return get_home_place(user)
