"""The matching rules, without HTTP: when a skill fits a wish, and how near is near."""

from types import SimpleNamespace

from wishboard.matching.services import NEAR_POINTS, NEAR_STEP, _nearness, _steps_up, skill_fits
from wishboard.places.models import PlaceLevel


def test_a_skill_fits_by_its_name_its_everyday_words_or_the_category():
    assert skill_fits("代购", "帮忙代购年货")
    assert skill_fits("代购", "帮忙买药 腿脚不便")  # an everyday word of a default skill
    assert skill_fits("陪伴就医", "联系康复护理 居民保健")
    assert not skill_fits("理发", "帮忙买药")
    # A community's own skill fits by name, or when it names the category.
    assert skill_fits("修自行车", "楼下的自行车坏了，想找人修自行车")
    assert skill_fits("居民保健讲座", "测血压", category_name="居民保健")
    assert not skill_fits("修自行车", "帮忙买药", category_name="居民保健")


def _tree():
    """一片区 › 芳草院 › 1栋, 2栋; 一片区 › 玉林北巷院; 二片区."""
    def place(id_, level, parent):
        return SimpleNamespace(id=id_, level=PlaceLevel(level), parent_id=parent,
                               name=str(id_))
    places = [place(1, "area", 100), place(2, "courtyard", 1), place(3, "building", 2),
              place(4, "building", 2), place(5, "courtyard", 1), place(6, "area", 100)]
    return {p.id: p for p in places}


def test_nearness_counts_the_steps_to_the_nearest_shared_place():
    places = _tree()
    wish_in_building_3 = _steps_up(3, places)
    assert wish_in_building_3 == [3, 2, 1]
    assert _nearness(3, wish_in_building_3, places) == (NEAR_POINTS, "住在同一楼栋")
    assert _nearness(4, wish_in_building_3, places) == (NEAR_POINTS - 2 * NEAR_STEP,
                                                        "住在同一院落")
    assert _nearness(2, wish_in_building_3, places) == (NEAR_POINTS - NEAR_STEP, "住在同一院落")
    assert _nearness(5, wish_in_building_3, places) == (0, "住在同一片区")  # 3 steps
    assert _nearness(6, wish_in_building_3, places) == (0, None)  # only the community
    assert _nearness(None, wish_in_building_3, places) == (0, None)
    assert _nearness(3, [], places) == (0, None)
