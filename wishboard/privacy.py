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
