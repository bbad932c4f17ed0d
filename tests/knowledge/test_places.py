import pytest
from sqlalchemy.orm import Session

from knowledge.places import find_places


@pytest.mark.parametrize(
    ("said", "key"),
    [
        ("桂花村", "guihua"),
        ("贵花村", "guihua"),  # a speech-recognition homophone
        ("桂花", "guihua"),
        ("Osmanthus Village", "guihua"),
        ("guihua village", "guihua"),
        ("stone bridge", "shiqiao"),
        ("Shiqiao", "shiqiao"),
        ("菜市场", "market"),
        ("the old market", "market"),
        ("枫林镇养老服务中心", "town-centre"),
    ],
)
def test_place_found_by_name_alias_or_sound(maple: Session, said: str, key: str) -> None:
    matches = find_places(maple, said)
    assert matches and matches[0].key == key, [(m.key, m.score) for m in matches]


@pytest.mark.parametrize("said", ["", "北京天安门", "Atlantis", "😀"])
def test_unknown_places_match_nothing(maple: Session, said: str) -> None:
    assert find_places(maple, said) == []
