"""Masking of residents' personal information (PIPL art. 25): done on the server, always."""

from __future__ import annotations


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
    """吴秀英 -> 吴**: the family name and one star per hidden character."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


# What a viewer sees of a person: the one rule, used by the API schemas and the pages alike.

def shown_beneficiaries(wish, privileged: bool) -> list[dict]:
    """The people a wish serves: in full for those allowed (services.access), otherwise the
    family name and a masked phone, no address and no account."""
    if privileged:
        return [{"id": b.id, "name": b.name, "phone": b.phone, "address": b.address,
                 "user_id": b.user_id} for b in wish.beneficiaries]
    return [{"id": b.id, "name": mask_name(b.name), "phone": mask_phone(b.phone),
             "address": None, "user_id": None} for b in wish.beneficiaries]


def shown_person(user, privileged: bool) -> dict:
    """Someone acting on a wish. Volunteers and staff act publicly (公开承诺); residents are
    masked for those not allowed to see the people served; None is the system."""
    from wishboard.models import Role

    if user is None:
        return {"id": None, "name": "系统"}
    if user.role is Role.RESIDENT and not privileged:
        return {"id": None, "name": mask_name(user.name)}
    return {"id": user.id, "name": user.name}


def shown_rater(rating, privileged: bool) -> dict:
    """Who gave a rating: a resident with an account, or a person served whose rating the
    secretary recorded (代录)."""
    if rating.rater is None and rating.beneficiary is not None:
        name = rating.beneficiary.name
        return {"id": None, "name": name if privileged else mask_name(name)}
    return shown_person(rating.rater, privileged)
