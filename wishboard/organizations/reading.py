"""Reading organisations (报到党组织): one organisation for a viewer, the lists the pages
and the API show (approved ones for anyone; those waiting for review or turned back for
the staff of their community: ``access.staff_scope``), a community's organisations, and
the sign-up form's choices (``registration_choices``). Re-exported by
``organizations.services``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import can_see_organization, ensure_can_manage_community, staff_scope
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.db import commit_keeping_what_was_read, contains, page_of
from wishboard.errors import NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.places.models import Community, Organization, OrganizationStatus

# The registration form lists at most this many organisations of the neighbouring
# communities, and this many search results.
NEARBY_LIMIT = 200
SEARCH_LIMIT = 30


# Reading ------------------------------------------------------------------------------------

def get_organization(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise _no_such_organization()
    return organization


def _no_such_organization() -> NotFoundError:
    return NotFoundError("没有这个报到党组织", message_en="No such organisation")


def read_organization(viewer: User | None, organization_id: int) -> Organization:
    """One organisation, for ``viewer``: 404 unless it is approved, or the viewer is its
    contact or the staff of its community (``access.can_see_organization``)."""
    organization = get_organization(organization_id)
    if not can_see_organization(viewer, organization):
        raise _no_such_organization()
    return organization


def list_organizations(viewer: User | None = None, *, community_id: int | None = None,
                       status: str = OrganizationStatus.APPROVED.value, q: str | None = None,
                       page: int = 1, per_page: int = 20, shown: bool = False
                       ) -> tuple[list[Organization], int]:
    """Organisations by name: the approved ones for anyone (of one community, or of every
    community, found by name or unit with ``q``); those waiting for review or turned back
    for the staff of their community only (a secretary's own community by default:
    ``access.staff_scope``).
    ``shown``: the list goes to the staff's screen with each contact's full phone (the
    management page), for the staff of the community only, and the sight is recorded in
    the audit log (``organization_contacts_viewed``, whose numbers)."""
    status_ = OrganizationStatus(status)
    if shown:
        ensure_can_manage_community(viewer, community_id)
    if status_ is not OrganizationStatus.APPROVED:
        community_id = staff_scope(viewer, community_id)
        if community_id is None:
            raise ValidationFailedError(fields={"community_id": ["请指定社区"]})
        ensure_can_manage_community(viewer, community_id)
    query = sa.select(Organization).where(Organization.report_status == status_)
    if community_id is not None:
        query = query.where(Organization.community_id == community_id)
    if q:
        query = query.where(sa.or_(contains(Organization.name, q),
                                   contains(Organization.unit, q)))
    found, total = page_of(query, page, per_page, Organization.name, Organization.id,
                           options=(joinedload(Organization.community),
                                    joinedload(Organization.contact)))
    seen = [o for o in found if o.contact is not None and o.contact.phone]
    if shown and seen:
        audit.record("organization_contacts_viewed", actor=viewer, object_type="user",
                     object_id=None, community_id=community_id,
                     after={"user_ids": sorted({o.contact_user_id for o in seen}),
                            "organization_ids": [o.id for o in seen]})
        commit_keeping_what_was_read()
    return found, total


def community_organizations(community_id: int, *,
                            status: OrganizationStatus = OrganizationStatus.APPROVED
                            ) -> list[Organization]:
    """A community's organisations in one status (approved: the ones that may act), by
    name, with their contacts: for pickers and the board."""
    return list(db.session.scalars(
        sa.select(Organization).where(Organization.community_id == community_id,
                                      Organization.report_status == status)
        .options(joinedload(Organization.contact))
        .order_by(Organization.name, Organization.id)))


def registration_choices(community: Community, q: str | None = None
                         ) -> list[tuple[str, list[tuple[int, str]]]]:
    """What the sign-up form offers to join, grouped by community: what ``q`` finds first
    (approved organisations of any community, by name or unit), then those of the
    person's own community, then those of the communities beside it (the same street or
    town), since members often live near the unit they belong to (双报到)."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    shown: set[int] = set()

    def add(label: str, organizations: list[Organization]) -> None:
        choices = [(o.id, o.name) for o in organizations if o.id not in shown]
        shown.update(o.id for o in organizations)
        if choices:
            groups.append((label, choices))

    approved = Organization.report_status == OrganizationStatus.APPROVED
    if q:
        found = list(db.session.scalars(
            sa.select(Organization).where(approved, sa.or_(contains(Organization.name, q),
                                                           contains(Organization.unit, q)))
            .options(joinedload(Organization.community))
            .order_by(Organization.name, Organization.id).limit(SEARCH_LIMIT)))
        add(f"搜索“{q}”的结果", found)
        if not found:
            groups.append((f"没有找到“{q}”", []))
    add(f"{community.name}（本社区）", community_organizations(community.id))
    if community.parent_id is not None:
        nearby = db.session.scalars(
            sa.select(Organization).join(Community, Community.id == Organization.community_id)
            .where(approved, Community.parent_id == community.parent_id,
                   Community.id != community.id)
            .options(joinedload(Organization.community))
            .order_by(Community.name, Community.id, Organization.name, Organization.id)
            .limit(NEARBY_LIMIT))
        by_community: dict[str, list[Organization]] = {}
        for organization in nearby:
            by_community.setdefault(organization.community.name, []).append(organization)
        for name, organizations in by_community.items():
            add(name, organizations)
    return groups


def member_count(organization: Organization) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.organization_id == organization.id))

