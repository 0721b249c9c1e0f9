"""Beneficiaries' phones and addresses never reach the public; boards cost a fixed number of
queries whatever the page size."""


import pytest
import sqlalchemy as sa
from helpers import count_queries

from wishboard.extensions import db
from wishboard.wishes import services as wishes

PHONE, ADDRESS = "13812341234", "玉林北路2号3栋1单元"


@pytest.fixture
def setting(community, make_user, token_for):
    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community, name="李建国")
    category_id = db.session.scalar(sa.text("SELECT id FROM categories ORDER BY id LIMIT 1"))
    wish = wishes.create_wish(secretary, title="帮吴婆婆买药", description="每周一次",
                              category_id=category_id, beneficiary_name="吴秀英",
                              beneficiary_phone=PHONE, beneficiary_address=ADDRESS,
                              public_alias="吴婆婆")
    return {"wish": wish, "secretary": secretary, "volunteer": volunteer,
            "category_id": category_id}


def _bodies(client, wish_id, headers=None):
    return [client.get(path, headers=headers).get_data(as_text=True) for path in (
        "/api/v1/wishes", f"/api/v1/wishes/{wish_id}")]


def test_anonymous_and_other_users_never_see_phone_or_address(client, setting, community,
                                                              make_user, token_for):
    wish = setting["wish"]
    for headers in (None, token_for(make_user("resident", community)),
                    token_for(make_user("volunteer", community))):
        for body in _bodies(client, wish.id, headers):
            assert PHONE not in body and ADDRESS not in body and "吴秀英" not in body
            assert "138****1234" in body and "吴**" in body
    pages = [client.get(p).get_data(as_text=True)
             for p in (f"/communities/{community.id}", f"/wishes/{wish.id}")]
    for page in pages:
        assert PHONE not in page and ADDRESS not in page and "吴秀英" not in page


def test_claimant_and_secretary_see_the_real_details(client, setting, token_for):
    wish = setting["wish"]
    volunteer = token_for(setting["volunteer"])
    before = client.get(f"/api/v1/wishes/{wish.id}", headers=volunteer).get_data(as_text=True)
    assert PHONE not in before
    client.post(f"/api/v1/wishes/{wish.id}/claim", headers=volunteer, json={"accept_letter": True})
    for headers in (volunteer, token_for(setting["secretary"])):
        detail = client.get(f"/api/v1/wishes/{wish.id}", headers=headers).get_json()
        assert detail["beneficiaries"][0] == {"id": detail["beneficiaries"][0]["id"],
                                              "name": "吴秀英", "phone": PHONE,
                                              "address": ADDRESS, "user_id": None,
                                              "in_full": True}
    # Once released, the former claimant is a stranger again.
    client.post(f"/api/v1/wishes/{wish.id}/release", headers=volunteer, json={"reason": "出差"})
    after = client.get(f"/api/v1/wishes/{wish.id}", headers=volunteer)
    assert PHONE not in after.get_data(as_text=True) and ADDRESS not in after.get_data(as_text=True)
    assert after.get_json()["beneficiaries"][0]["in_full"] is False


def test_the_claimant_sees_them_on_the_web_page_too(client, setting, login_as):
    wish = setting["wish"]
    wishes.claim_wish(setting["volunteer"], wish.id, accept_letter=True)
    login_as(setting["volunteer"])
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert PHONE in page and ADDRESS in page




def _fill(setting, community, make_place, n):
    area = make_place(f"片区{n}", "area", parent=community)
    for i in range(n):
        wish = wishes.create_wish(setting["secretary"], title=f"心愿{i}", description="d",
                                  category_id=setting["category_id"], grid_id=area.id,
                                  beneficiary_name="吴秀英", beneficiary_phone=PHONE)
        if i % 3 == 0:
            wishes.claim_wish(setting["volunteer"], wish.id, accept_letter=True)


def test_listing_20_or_100_wishes_costs_the_same_few_queries(client, setting, community,
                                                             make_place):
    _fill(setting, community, make_place, 120)
    community_id = community.id
    db.session.remove()
    counts = {}
    for per_page in (20, 100):
        for path in (f"/api/v1/wishes?per_page={per_page}&community_id={community_id}",
                     f"/communities/{community_id}?per_page={per_page}&status="):
            with count_queries() as statements:
                response = client.get(path)
            assert response.status_code == 200
            counts[(path.split("?")[0], per_page)] = len(statements)
    api, web = "/api/v1/wishes", f"/communities/{community_id}"
    assert counts[(api, 20)] == counts[(api, 100)] <= 4, counts
    assert counts[(web, 20)] == counts[(web, 100)] <= 8, counts
    page = client.get(f"/api/v1/wishes?per_page=100&community_id={community_id}").get_json()
    assert len(page["items"]) == 100 and page["total"] == 121
