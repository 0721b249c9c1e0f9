"""A believable demo community: 玉林北路社区, its grid, secretary, organisations, volunteers
and residents. Idempotent: what exists already is left exactly as it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from wishboard.accounts.models import ReportStatus, Role, User, VolunteerType
from wishboard.accounts.services import hash_password
from wishboard.core.clock import utcnow
from wishboard.extensions import db
from wishboard.places.models import (
    Category, Community, Organization, OrganizationKind, PlaceLevel,
)
from wishboard.places.services import add_missing_default_categories
from wishboard.wishes.models import Wish

DEMO_PASSWORD = "yubei-demo-2026"

GRID = {
    "一片区": {"芳草院": ["1栋", "2栋", "3栋"], "玉林北巷院": ["1栋", "2栋"]},
    "二片区": {"北路西院": ["1栋", "2栋"], "电信宿舍院": ["1栋"]},
    "三片区": {"玉林中学宿舍院": ["1栋", "2栋"]},
}

# name, kind, unit (所在单位), what it offers (服务承诺): units stationed in the community.
ORGANIZATIONS = [
    ("四川省种子站党支部", OrganizationKind.GOVERNMENT, "四川省种子站",
     "每季度一次农业和转基因知识科普讲座，为社区绿化提供种苗和技术指导。"),
    ("玉林北路小学党支部", OrganizationKind.GOVERNMENT, "玉林北路小学",
     "周末为社区孩子辅导功课，寒暑假开设公益托管班。"),
    ("武侯区人民医院第三党支部", OrganizationKind.GOVERNMENT, "武侯区人民医院",
     "每月一次健康义诊，为独居老人上门量血压、讲用药。"),
]

# username, name, role, volunteer type, organisation index, report status, phone
PEOPLE = [
    ("admin", "系统管理员", Role.ADMIN, None, None, None, ""),
    ("shuji_zhang", "张丽华", Role.SECRETARY, None, None, None, "13880010001"),
    ("dangyuan_li", "李建国", Role.VOLUNTEER, VolunteerType.PARTY_MEMBER, 0,
     ReportStatus.APPROVED, "13980020001"),
    ("dangyuan_chen", "陈志强", Role.VOLUNTEER, VolunteerType.PARTY_MEMBER, 0,
     ReportStatus.APPROVED, "13980020002"),
    ("dangyuan_wang", "王晓梅", Role.VOLUNTEER, VolunteerType.PARTY_MEMBER, 1,
     ReportStatus.APPROVED, "13980020003"),
    ("dangyuan_zhao", "赵敏", Role.VOLUNTEER, VolunteerType.PARTY_MEMBER, 2,
     ReportStatus.APPROVED, "13980020004"),
    ("dangyuan_liu", "刘洋", Role.VOLUNTEER, VolunteerType.PARTY_MEMBER, None,
     ReportStatus.APPROVED, "13980020005"),
    ("dangyuan_sun", "孙婷", Role.VOLUNTEER, VolunteerType.PARTY_MEMBER, 1,
     ReportStatus.PENDING, "13980020006"),
    ("wulao_zhou", "周德华", Role.VOLUNTEER, VolunteerType.ELDER, None,
     ReportStatus.APPROVED, "13880030001"),
    ("wulao_wu", "吴守义", Role.VOLUNTEER, VolunteerType.ELDER, None,
     ReportStatus.APPROVED, "13880030002"),
    ("wulao_zheng", "郑桂兰", Role.VOLUNTEER, VolunteerType.ELDER, None,
     ReportStatus.APPROVED, "13880030003"),
    ("wulao_feng", "冯国庆", Role.VOLUNTEER, VolunteerType.ELDER, None,
     ReportStatus.PENDING, "13880030004"),
    ("zhiyuan_he", "何佳", Role.VOLUNTEER, VolunteerType.OTHER, None,
     ReportStatus.APPROVED, "13680040001"),
    ("zhiyuan_luo", "罗文", Role.VOLUNTEER, VolunteerType.OTHER, None,
     ReportStatus.PENDING, "13680040002"),
    ("jumin_wu", "吴秀英", Role.RESIDENT, None, None, None, "13550050001"),
    ("jumin_huang", "黄大爷", Role.RESIDENT, None, None, None, "13550050002"),
    ("jumin_xu", "徐晓红", Role.RESIDENT, None, None, None, "13550050003"),
    ("jumin_ma", "马丽", Role.RESIDENT, None, None, None, "13550050004"),
]


@dataclass
class DemoLogin:
    username: str
    name: str
    role: str


def _get_or_add_place(name: str, level: PlaceLevel, parent: Community | None,
                      community: Community | None = None) -> Community:
    place = db.session.scalar(sa.select(Community).where(
        Community.name == name,
        Community.parent_id.is_(None) if parent is None else Community.parent_id == parent.id,
    ))
    if place is None:
        place = Community(name=name, level=level, parent=parent,
                          community_id=community.id if community else None)
        db.session.add(place)
        db.session.flush()
    return place


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0 and \
        db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 0


def seed_demo() -> list[DemoLogin]:
    """Create whatever of the demo community is missing, in one transaction."""
    add_missing_default_categories()
    district = _get_or_add_place("武侯区", PlaceLevel.DISTRICT, None)
    street = _get_or_add_place("玉林街道", PlaceLevel.STREET, district)
    community = _get_or_add_place("玉林北路社区", PlaceLevel.COMMUNITY, street)
    for area_name, courtyards in GRID.items():
        area = _get_or_add_place(area_name, PlaceLevel.AREA, community, community)
        for courtyard_name, buildings in courtyards.items():
            courtyard = _get_or_add_place(courtyard_name, PlaceLevel.COURTYARD, area, community)
            for building in buildings:
                _get_or_add_place(building, PlaceLevel.BUILDING, courtyard, community)

    orgs = []
    for name, kind, unit, offer in ORGANIZATIONS:
        org = db.session.scalar(sa.select(Organization).where(
            Organization.community_id == community.id, Organization.name == name))
        if org is None:
            org = Organization(name=name, community_id=community.id, kind=kind, unit=unit,
                               description=offer)
            db.session.add(org)
            db.session.flush()
        orgs.append(org)

    password_hash = None
    logins = []
    now = utcnow()
    reviewer_id = None  # the secretary, who approved the volunteers' 报到 (no automatic approval)
    for username, name, role, vtype, org_index, status, phone in PEOPLE:
        logins.append(DemoLogin(username, name, vtype.label if vtype else role.label))
        found = db.session.scalar(sa.select(User.id).where(User.username == username))
        if role is Role.SECRETARY:
            reviewer_id = reviewer_id or found
        if found is not None:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        user = User(
            username=username, password_hash=password_hash, name=name, phone=phone, role=role,
            community_id=None if role is Role.ADMIN else community.id,
            volunteer_type=vtype, report_status=status,
            organization_id=orgs[org_index].id if org_index is not None else None,
            # Members for a season already: the demo's project logs date back days.
            organization_since=now - timedelta(days=90) if org_index is not None else None,
            report_reviewed_at=now if status is ReportStatus.APPROVED else None,
            report_reviewed_by_id=reviewer_id if status is ReportStatus.APPROVED else None,
            # The secretary knows these neighbours; 徐晓红 is new and waits in 居民核实.
            verified_at=now if role is Role.RESIDENT and username != "jumin_xu" else None,
        )
        db.session.add(user)
        db.session.flush()
        if role is Role.SECRETARY:
            reviewer_id = reviewer_id or user.id
        if org_index is not None and orgs[org_index].contact_user_id is None:
            orgs[org_index].contact_user_id = user.id
    _seed_grid_contacts(community)
    db.session.commit()
    _seed_stories(community)
    return logins


# 网格联系人: username, duty, the place's path in GRID. And where 吴秀英 lives.
GRID_CONTACTS = [
    ("jumin_huang", "building_head", ("一片区", "芳草院", "1栋")),
    ("wulao_zhou", "courtyard_head", ("一片区", "芳草院")),
    ("dangyuan_chen", "grid_worker", ("一片区",)),
]
HOMES = [("jumin_wu", ("一片区", "芳草院", "1栋"))]


def _seed_grid_contacts(community: Community) -> None:
    """The 楼栋长, 院落长 and 网格员 of 芳草院, for a community that has none yet."""
    from wishboard.grid.models import ContactRole, GridContact, ResidentHome

    if db.session.scalar(sa.select(GridContact.id).where(
            GridContact.community_id == community.id).limit(1)) is not None:
        return

    def place(path: tuple[str, ...]) -> Community:
        found = community
        for name in path:
            found = db.session.scalar(sa.select(Community).where(
                Community.parent_id == found.id, Community.name == name))
        return found

    for username, role, path in GRID_CONTACTS:
        db.session.add(GridContact(community_id=community.id, place_id=place(path).id,
                                   user_id=_user(username).id, role=ContactRole(role)))
    for username, path in HOMES:
        user = _user(username)
        if db.session.get(ResidentHome, user.id) is None:
            db.session.add(ResidentHome(user_id=user.id, place_id=place(path).id))
    db.session.flush()


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _category(name: str) -> int:
    return db.session.scalar(sa.select(Category.id).where(Category.name == name))


def _seed_stories(community: Community) -> None:
    """A board with some history, made through the real use cases (timeline included).
    Only for a community without wishes, so running the seed again adds nothing."""
    from wishboard.activities import services as activities
    from wishboard.needs import services as needs
    from wishboard.projects import services as projects
    from wishboard.ratings import services as ratings
    from wishboard.wishes import services as wishes

    if db.session.scalar(sa.select(Wish.id).where(Wish.community_id == community.id)):
        return
    now = utcnow()
    ago = lambda **kw: now - timedelta(**kw)  # noqa: E731
    secretary, wu, huang = _user("shuji_zhang"), _user("jumin_wu"), _user("jumin_huang")
    li, zhou, wang = _user("dangyuan_li"), _user("wulao_zhou"), _user("dangyuan_wang")
    area = db.session.scalar(sa.select(Community).where(Community.community_id == community.id,
                                                        Community.name == "一片区"))

    # Grandma Wu's wish: asked, published, claimed by a party member for his branch, done, rated.
    need = needs.submit_need(wu, title="想在家附近做康复护理",
                             description="92岁，独居，腿脚不便，希望有人帮忙联系上门康复护理。",
                             category_id=_category("居民保健"), grid_id=area.id,
                             address="芳草院2栋1单元101", now=ago(days=20))
    wish = wishes.publish_need(secretary, need.id, title="帮独居老人联系上门康复护理",
                               description="一位92岁的独居老人腿脚不便，想在家附近做康复护理，"
                                           "需要有人帮忙联系社区卫生服务中心上门。",
                               public_alias="吴婆婆", now=ago(days=19))
    wishes.claim_wish(li, wish.id, accept_letter=True, organization_id=li.organization_id,
                      now=ago(days=18))
    wishes.complete_wish(li, wish.id, hours=3, note="联系了社区卫生服务中心，每周上门两次",
                         now=ago(days=12))
    ratings.rate_wish(wu, wish.id, stars=5, comment="小李很耐心，谢谢党员志愿者", now=ago(days=11))
    wishes.close_wish(secretary, wish.id, now=ago(days=10))

    # A completed wish waiting for ratings and closing.
    lamp = wishes.create_wish(secretary, title="修好芳草院3栋楼道灯",
                              description="3栋二楼到四楼楼道灯不亮，老人晚上上下楼不安全。",
                              category_id=_category("美好家园"), grid_id=area.id,
                              beneficiary_name="黄大爷", beneficiary_phone="13550050002",
                              public_alias="黄大爷", now=ago(days=6))
    wishes.claim_wish(zhou, lamp.id, accept_letter=True, now=ago(days=5))
    wishes.complete_wish(zhou, lamp.id, hours=1.5, note="换了三个声控灯泡", now=ago(days=1))

    # Claimed and in progress.
    homework = wishes.create_wish(secretary, title="周末辅导三年级数学",
                                  description="双职工家庭，孩子周末需要有人辅导数学作业。",
                                  category_id=_category("七彩阳光"),
                                  beneficiary_name="马丽", beneficiary_phone="13550050004",
                                  public_alias="马女士家", now=ago(days=3))
    wishes.claim_wish(wang, homework.id, accept_letter=True, now=ago(days=2))

    # Open for claiming.
    for title, description, category, alias, days in [
        ("帮独居老人每周买一次药", "徐奶奶行动不便，需要每周去社区医院取一次降压药。", "邻里守望", "徐奶奶", 2),
        ("陪老人去医院复查", "下周三上午需要有人陪同去省医院复查，约半天。", "与爱同行", "罗爷爷", 1),
        ("小区垃圾分类宣传", "在二片区设点讲解垃圾分类，需要两三位志愿者。", "绿色环保", "二片区居民", 0),
    ]:
        wishes.create_wish(secretary, title=title, description=description,
                           category_id=_category(category), beneficiary_name=alias,
                           public_alias=alias, now=ago(days=days, hours=1))

    # A service project claimed by the seed station's party branch, two members serving.
    chen = _user("dangyuan_chen")
    talk = wishes.create_wish(secretary, title="转基因知识科普讲座", kind="project",
                              description="面向全社区居民讲解转基因知识，解答大家的疑问。",
                              category_id=_category("居民保健"), beneficiary_name="全体居民",
                              public_alias="全体居民", expires_at=now + timedelta(days=20),
                              now=ago(days=8))
    wishes.claim_wish(li, talk.id, accept_letter=True, organization_id=li.organization_id,
                      now=ago(days=7))
    for member, hours in ((li, 2), (chen, 3)):
        projects.join_project(member, talk.id, now=ago(days=6))
        log = projects.log_service(member, talk.id, served_on=ago(days=4).date(),
                                   hours=hours, note="讲座和答疑", now=ago(days=4))
        projects.confirm_log(secretary, log.id, now=ago(days=3))

    # An activity open for sign-up.
    start = (now + timedelta(days=5)).replace(hour=1, minute=0, second=0, microsecond=0)
    clinic = activities.create_activity(
        secretary, title="健康义诊进社区", description="区人民医院医生上门义诊，量血压、测血糖。",
        category_id=_category("居民保健"), venue="玉林北路社区党群服务中心一楼",
        starts_at=start, ends_at=start + timedelta(hours=3),
        signup_deadline=start - timedelta(hours=12), capacity=20, audience="all",
        now=ago(days=1))
    for person in (wu, huang, zhou):
        activities.sign_up(person, clinic.id, now=ago(hours=20))

    # 组织报到: a volunteer reports her neighbourhood service team; it waits for the secretary.
    # And a volunteer asks to join the primary school's branch; its contact decides.
    from wishboard.organizations import services as organizations

    organizations.report_organization(
        _user("zhiyuan_he"), name="芳草院邻里志愿服务队", unit="芳草院居民自发组织",
        kind=OrganizationKind.SERVICE_TEAM.value, community_id=community.id,
        description="每周六上午清理院落公共区域，帮独居老人代购、取快递。", now=ago(days=2))
    school = db.session.scalar(sa.select(Organization.id).where(
        Organization.community_id == community.id, Organization.name == "玉林北路小学党支部"))
    organizations.request_membership(_user("dangyuan_liu"), school,
                                     note="孩子在玉林北路小学读书，想参加支部的辅导活动",
                                     now=ago(days=1))

    # A new need waiting in the secretary's queue.
    needs.submit_need(huang, title="家里水龙头漏水", description="厨房水龙头一直滴水，想请人看看。",
                      category_id=_category("美好家园"), address="芳草院3栋2单元301",
                      now=ago(hours=5))
