"""Masking of residents' personal information (PIPL art. 25): done on the server, always."""

from __future__ import annotations

from wishboard.accounts.models import Role


def mask_phone(phone: str | None) -> str:
    """13812341234 -> 138****1234; landlines keep their last four digits."""
    if not phone:
        return ""
    digits = phone.replace("-", "")
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_name(name: str | None) -> str:
    """吴秀英 -> 吴**: the family name and one star per hidden character (at most 29, so
    the alias fits its column however long the name)."""
    if not name:
        return ""
    return name[0] + "*" * min(max(len(name) - 1, 1), 29)


# What a viewer sees of a person: the one rule, used by the API schemas and the pages alike.
# A ``sight`` says who is looking and why they may see private details (wishboard.access
# ``WishRights``: ``viewer_id`` and ``private_reason``, one of claimant, secretary, self or
# None). The claimant and the community's staff see everyone a wish serves; a person served
# sees themselves (not the neighbours whose needs were merged into the same wish).

class _Nobody:
    viewer_id = None
    private_reason = None


MASKED = _Nobody()  # lists and the answers to actions: everyone masked


def _in_full(sight, user_id) -> bool:
    return sight.private_reason in ("claimant", "secretary") or (
        user_id is not None and user_id == sight.viewer_id)


# Why a viewer saw someone's private details, as the audit log and the wish page say it.
SIGHT_REASON_LABELS = {"claimant": "认领人", "secretary": "社区", "self": "本人"}


def shown_beneficiaries(wish, sight) -> list[dict]:
    """The people a wish serves: in full for those allowed (``in_full``), otherwise the
    family name and a masked phone, no address and no account."""
    return [{"id": b.id, "name": b.name, "phone": b.phone, "address": b.address,
             "user_id": b.user_id, "in_full": True} if _in_full(sight, b.user_id) else
            {"id": b.id, "name": mask_name(b.name), "phone": mask_phone(b.phone),
             "address": None, "user_id": None, "in_full": False}
            for b in wish.beneficiaries]


def shown_person(user, sight, *, as_neighbour: bool = False) -> dict:
    """Someone acting on a wish. Volunteers and staff act publicly (公开承诺); residents are
    masked for those not allowed to see them, and so is a volunteer acting as one of the
    people who live there (``as_neighbour``: asking for help, rating); None is the
    system."""
    if user is None:
        return {"id": None, "name": "系统"}
    as_resident = user.role is Role.RESIDENT or (as_neighbour and user.role is Role.VOLUNTEER)
    if as_resident and not _in_full(sight, user.id):
        return {"id": None, "name": mask_name(user.name)}
    return {"id": user.id, "name": user.name}


# Timeline lines whose actor speaks as someone who lives in the community, not as a volunteer
# at work: their own need (submitted), their stars.
NEIGHBOUR_ACTIONS = frozenset({"need_submitted", "rated"})


def shown_actor(event, sight) -> dict:
    """Who did a timeline line's deed (``shown_person``): a volunteer who asked for help or
    rated, as a neighbour, is masked like a resident."""
    return shown_person(event.actor, sight, as_neighbour=event.action in NEIGHBOUR_ACTIONS)


def shown_rater(rating, sight) -> dict:
    """Who gave a rating: a resident, or a volunteer who lives there, with an account
    (masked alike), or a person served whose rating the secretary recorded (代录)."""
    if rating.rater is None and rating.beneficiary is not None:
        name = rating.beneficiary.name
        return {"id": None, "name": name if _in_full(sight, None) else mask_name(name)}
    return shown_person(rating.rater, sight, as_neighbour=True)


def shown_note(event, sight) -> str:
    """A timeline line's note. A need's own words (``is_public`` False) are for the
    community's staff and the resident who wrote them."""
    if event.is_public or sight.private_reason == "secretary" or (
            event.actor_id is not None and event.actor_id == sight.viewer_id):
        return event.note
    return ""


# Grid contacts (wishboard.grid) -------------------------------------------------------------

# Why a viewer saw a grid contact's number in full (access.contact_phone_reason).
CONTACT_REASON_LABELS = {"self": "本人", "staff": "社区", "neighbour": "住在这里的居民"}


def shown_contact(contact, reason: str | None, path: str = "", *,
                  neighbour: bool = True) -> dict:
    """A 楼栋长, 院落长 or 网格员 on the contact card. Their duty is public: taking it on for
    the neighbours is a public commitment, like a claim (公开承诺). Their name is whole
    for the people of their own community (``neighbour``) and masked for everyone else
    (the public page names a building: a full name beside it would be an address). Their
    phone is masked unless ``reason`` (``access.contact_phone_reason``) says this viewer
    may call them; their account only for staff and themselves."""
    place, user = contact.place, contact.user
    return {
        "id": contact.id,
        "place": {"id": place.id, "name": place.name, "level": place.level.value,
                  "level_label": place.level.label, "path": path or place.name},
        "role": contact.role.value, "role_label": contact.role.label,
        "name": user.name if neighbour or reason else mask_name(user.name),
        "phone": user.phone if reason else mask_phone(user.phone),
        "in_full": reason is not None,
        "user_id": user.id if reason in ("self", "staff") else None,
        "created_at": contact.created_at,
    }


def shown_grid_need(need, path: str = "") -> dict:
    """A need as a grid contact sees it (``access.grid_contact_places``): what it asks,
    its state, when and where, and whose it is with the name masked. The resident's own
    words, phone and address are not in it."""
    grid = need.grid
    return {
        "id": need.id, "title": need.title,
        "status": need.status.value, "status_label": need.status.label,
        "created_at": need.created_at,
        "place": None if grid is None else {"id": grid.id, "name": grid.name,
                                            "path": path or grid.name},
        "resident_name": mask_name(need.contact_name),
        "wish_id": need.wish_id,
    }


# Organisations' members (wishboard.organizations) -------------------------------------------

def shown_member(user, *, in_full: bool, contact_id: int | None = None) -> dict:
    """A member of an organisation on its member list: their name (their membership is a
    public commitment, like a claim), where they report as a volunteer, and their phone,
    masked unless ``in_full`` (``access.member_phone_reason``: the community's staff)."""
    community = user.community
    return {
        "id": user.id, "name": user.name,
        "phone": user.phone if in_full else mask_phone(user.phone), "in_full": in_full,
        "volunteer_type": user.volunteer_type.value if user.volunteer_type else None,
        "volunteer_type_label": user.volunteer_type.label if user.volunteer_type else None,
        "community": None if community is None else {"id": community.id,
                                                     "name": community.name},
        "is_contact": contact_id is not None and user.id == contact_id,
    }
