"""Who may act on which community: the one place that decides it."""

from __future__ import annotations

from wishboard.errors import ForbiddenError
from wishboard.models import Community, Role, User, Wish


def can_manage_community(actor: User, community_id: int | None) -> bool:
    """Admins manage every community; a secretary only their own, grid included."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.SECRETARY and community_id is not None and (
        actor.community_id == community_id
    )


def ensure_can_manage_community(actor: User, community: Community | int | None) -> None:
    community_id = community.owning_community_id if isinstance(community, Community) else community
    if not can_manage_community(actor, community_id):
        raise ForbiddenError("只有本社区的书记或管理员可以这样做",
                             message_en="Only this community's secretary or an admin may do this",
                             code="not_your_community")


def ensure_admin(actor: User) -> None:
    if actor.role is not Role.ADMIN:
        raise ForbiddenError("只有管理员可以这样做", message_en="Admins only", code="admin_only")


def can_see_private_details(viewer: User | None, wish: Wish) -> bool:
    """A beneficiary's real name, phone and address: only for the claimant (while claiming
    and after), the community's secretaries and admins, and the beneficiaries themselves."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.id == wish.claimant_id or can_manage_community(viewer, wish.community_id):
        return True
    return any(b.user_id == viewer.id for b in wish.beneficiaries)
