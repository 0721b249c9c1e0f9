"""服务标识 in a real browser on a phone: a volunteer opens their card from 我的, and the
resident at the door opens its code and sees who this is and what they came for. Both
pages are shot in both modes, their tap targets measured and checked with axe-core."""

from factories import claimed_wish
from wishboard.places.models import PlaceLevel


def test_a_resident_checks_the_volunteer_at_the_door(live_url, phone, shot, community,
                                                     make_place, make_user):
    courtyard = make_place("芳草院", PlaceLevel.COURTYARD, parent=community)
    secretary = make_user("secretary", community, name="张丽华")
    zhou = make_user("volunteer", community, name="周德华", username="zhou")
    grandma = make_user("resident", community, name="罗秀兰", username="luo")
    claimed_wish(secretary, zhou, title="帮罗奶奶修水龙头", grid_id=courtyard.id)

    volunteer = phone(zhou)
    volunteer.click("text=我的服务标识")
    assert volunteer.locator(".service-card-name").inner_text() == "周德华"
    qr = volunteer.locator("img.service-card-qr")
    assert qr.is_visible() and qr.evaluate("img => img.naturalWidth") > 0
    assert "帮罗奶奶修水龙头" in volunteer.content()
    shot(volunteer, "01-volunteer-card")
    # What the QR code holds, as the resident's scanner reads it (the same code, from the API).
    card = volunteer.request.get(f"{live_url}/api/v1/me/service-card").json()

    door = phone(grandma)
    door.goto(card["url"].replace(card["url"].split("/id/")[0], live_url))
    assert door.locator("#check-heading").inner_text() == "✓ 已报到志愿者"
    assert "周德华" in door.content() and "帮罗奶奶修水龙头" in door.content()
    shot(door, "02-resident-checks-the-code")
