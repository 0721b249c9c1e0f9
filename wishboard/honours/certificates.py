"""The results and the certificates: publishing a selection gives everyone still on the
list a certificate with a verification code; a code is read as typed or read out
(``normalise_code``) and verified by anyone; an honour may be withdrawn with a reason."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import ensure_can_manage_community
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, NotFoundError
from wishboard.extensions import db
from wishboard.honours.models import (
    Certificate, HonourDivision, Nominee, NomineeStatus, Selection, SelectionState,
)
from wishboard.notifications.services import notify, notify_each, secretary_ids
from wishboard.places.models import Organization
from wishboard.points.services import ANONYMOUS
from wishboard.honours.nominees import _holder_ids, _settled
from wishboard.honours.selection import _refuse, _take, get_selection

# The verification code: 12 characters of an alphabet without look-alikes (no 0/O, 1/I/L),
# about 59 bits from ``secrets``: not guessable, and easy to read out or type.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def publish_selection(actor: User, selection_id: int, *, now: datetime | None = None
                      ) -> Selection:
    """The results: never while the 公示 runs or an objection waits. Everyone still on
    the list is honoured and gets a certificate with a verification code; they (for an
    organisation, its contact) are told."""
    now = now or utcnow()
    selection = get_selection(selection_id)
    ensure_can_manage_community(actor, selection.community_id)
    _take(selection, (SelectionState.PUBLICITY,), now)
    _settled(selection, now)
    honoured = list(db.session.scalars(
        sa.select(Nominee).where(Nominee.selection_id == selection.id,
                                 Nominee.status == NomineeStatus.NOMINATED)
        .order_by(Nominee.id)))
    community = selection.community
    certificates = []
    for nominee in honoured:
        nominee.status = NomineeStatus.HONOURED
        certificates.append(Certificate(
            code=new_code(), selection_id=selection.id, nominee_id=nominee.id,
            community_id=selection.community_id, year=selection.year,
            division=nominee.division, name=nominee.name, user_id=nominee.user_id,
            organization_id=nominee.organization_id, issued_at=now))
    db.session.add_all(certificates)
    selection.state, selection.published_at = SelectionState.PUBLISHED, now
    flush_or_conflict(ConflictError("请再试一次", message_en="Please try again",
                                    code="try_again"))
    contacts = {o.id: o.contact_user_id for o in db.session.scalars(
        sa.select(Organization).where(Organization.id.in_(
            [c.organization_id for c in certificates if c.organization_id])))}
    notify_each([(c.user_id if c.user_id is not None else contacts.get(c.organization_id),
                  f"恭喜！{'您' if c.user_id is not None else c.name}被评为{community.name}"
                  f"{c.year}年度{c.division.label}。荣誉证书在“我的”里，可以打印或下载。", None)
                 for c in certificates
                 if c.user_id is not None or contacts.get(c.organization_id)],
                "honour_awarded", now=now)
    audit.record("selection_published", actor=actor, object_type="selection",
                 object_id=selection.id, community_id=selection.community_id,
                 after={"honoured": {d.value: sum(c.division is d for c in certificates)
                                     for d in HonourDivision}}, now=now)
    for c in certificates:
        audit.record("certificate_issued", actor=actor, object_type="certificate",
                     object_id=c.id, community_id=selection.community_id,
                     after={"selection_id": selection.id, "name": c.name,
                            "division": c.division.value, "year": c.year,
                            "user_id": c.user_id, "organization_id": c.organization_id},
                     now=now)
    db.session.commit()
    return selection


# Certificates ---------------------------------------------------------------------------

def normalise_code(text: str) -> str | None:
    """A code as typed or read out, or None when it cannot be one: NFKC first (a Chinese
    keyboard's full-width ＴＪ５Ｄ－Ｒ５Ｎ６ becomes TJ5D-R5N6), then only its letters and
    digits (whatever separates the groups: dashes, em dashes, dots, spaces, zero-width
    spaces), in upper case."""
    folded = unicodedata.normalize("NFKC", text[:200])
    code = "".join(c for c in folded if c.isascii() and c.isalnum()).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def get_certificate(code: str) -> Certificate:
    """A certificate by its verification code; a code no certificate has is 404, whatever
    its shape (a made-up code learns nothing)."""
    normal = normalise_code(code)
    certificate = normal and db.session.scalar(
        sa.select(Certificate).where(Certificate.code == normal)
        .options(joinedload(Certificate.community)))
    if not certificate:
        raise NotFoundError("没有这个验证码的证书，请核对证书上的验证码",
                            message_en="No certificate has this code")
    return certificate


def certificates_of(*, user_id: int | None = None, organization_id: int | None = None,
                    standing_only: bool = False) -> list[Certificate]:
    """A volunteer's or an organisation's certificates, newest year first."""
    query = sa.select(Certificate).options(joinedload(Certificate.community))
    query = query.where(Certificate.user_id == user_id) if user_id is not None \
        else query.where(Certificate.organization_id == organization_id)
    if standing_only:
        query = query.where(Certificate.withdrawn_at.is_(None))
    return list(db.session.scalars(query.order_by(Certificate.year.desc(),
                                                  Certificate.id.desc())))


def my_certificates(user: User) -> list[Certificate]:
    """Mine, and those of the organisations I am the contact of."""
    mine = certificates_of(user_id=user.id)
    organization_ids = list(db.session.scalars(sa.select(Organization.id).where(
        Organization.contact_user_id == user.id)))
    for organization_id in organization_ids:
        mine += certificates_of(organization_id=organization_id)
    return mine


def tell_of_hidden_name(user: User, *, now: datetime | None = None) -> None:
    """A volunteer on a list (being drawn up, in its 公示, or honoured) has just chosen to
    keep their name off the boards: from now on the public reads them as anonymous
    (``access.sees_nominee_name``, ``sees_certificate_name``), and their community's
    secretaries are told, to talk with them. The caller commits."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Selection.community_id, Selection.year).join(
            Nominee, Nominee.selection_id == Selection.id)
        .where(Nominee.user_id == user.id,
               Nominee.status.in_((NomineeStatus.NOMINATED, NomineeStatus.HONOURED)))
        .order_by(Selection.year)).all()
    for community_id, year in rows:
        notify(secretary_ids(community_id), "nominee_name_hidden",
               f"{user.name}选择了不在光荣榜上显示姓名。{year}年度评选的名单上，这位志愿者"
               f"从现在起向公众显示为“{ANONYMOUS}”，证书核验只显示姓氏。请与本人沟通。",
               now=now)



def withdraw_certificate(actor: User, code: str, *, reason: str,
                         now: datetime | None = None) -> Certificate:
    """The community's secretary (or an admin) withdraws an honour, with a reason: it then
    verifies as withdrawn, with the date; the holder is told why."""
    now = now or utcnow()
    certificate = get_certificate(code)
    ensure_can_manage_community(actor, certificate.community_id)
    moved = db.session.execute(
        sa.update(Certificate).where(Certificate.id == certificate.id,
                                     Certificate.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_reason=reason, withdrawn_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        _refuse(ConflictError("这份荣誉已经撤销了", message_en="Already withdrawn",
                              code="certificate_withdrawn"))
    db.session.refresh(certificate)
    notify(_holder_ids(certificate.user_id, certificate.organization_id), "honour_withdrawn",
           f"{certificate.name}的{certificate.year}年度{certificate.division.label}荣誉已撤销。"
           f"原因：{reason}", now=now)
    audit.record("certificate_withdrawn", actor=actor, object_type="certificate",
                 object_id=certificate.id, community_id=certificate.community_id,
                 before={"stands": True},
                 after={"stands": False, "reason": reason, "name": certificate.name}, now=now)
    db.session.commit()
    return certificate
