"""Finding what a person names in a district the model never saw (knowledge/naming.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from knowledge import db
from knowledge.bundle import import_path
from knowledge.models import District
from knowledge.naming import district_named, find_named, score_name
from tests.conftest import BACKENDS, MAPLE, TODAY, YULIN, Databases


@pytest.fixture(scope="module", params=BACKENDS)
def yulin_engine(request: pytest.FixtureRequest, databases: Databases) -> Iterator[Engine]:
    engine = db.make_engine(databases.new_url(request.param))
    db.upgrade(engine)
    for bundle in (YULIN, MAPLE):
        result = import_path(db.session_factory(engine), bundle, TODAY)
        assert result.ok, [p.say("en") for p in result.problems]
    yield engine
    engine.dispose()


@pytest.fixture
def yulin(yulin_engine: Engine) -> Iterator[Session]:
    with Session(yulin_engine) as session:
        yield session


def _district(session: Session, key: str = "yulin-subdistrict") -> int:
    return session.scalar(select(District.id).where(District.key == key))


def best(session: Session, text: str, **options: object) -> tuple[str, str] | None:
    found = find_named(session, text, _district(session), **options)  # type: ignore[arg-type]
    return (found[0].kind, found[0].key) if found else None


@pytest.mark.parametrize(("said", "kind", "key"), [
    # the name, whole or inside a sentence
    ("成都市长期护理保险", "policy", "chengdu-ltci"),
    ("Silver-age accident insurance", "policy", "silver-accident-insurance"),
    ("家庭养老床位怎么申请", "policy", "family-care-bed"),
    ("how much is the smartphone course", "activity", "smartphone-course"),
    # a part of it
    ("长期护理怎么报销", "policy", "chengdu-ltci"),
    ("适老化改造怎么弄", "policy", "age-friendly-renovation"),
    ("what's the family care bed", "policy", "family-care-bed"),
    # an alias or a common short form
    ("长护险怎么申请", "policy", "chengdu-ltci"),
    ("tell me about LTCI", "policy", "chengdu-ltci"),
    ("can my mum get the panic button", "policy", "smart-sos"),
    ("一键通怎么领", "policy", "smart-sos"),
    ("book me into the singing one", "activity", "yulin-choir"),
    ("I'd like the computer class on Friday", "activity", "smartphone-course"),
    ("推拿多少钱", "home_service", "rehab-massage"),
    ("how much does a massage cost", "home_service", "rehab-massage"),
    ("Fangcao dinner", "meal_service", "fangcao-dinner"),
    ("玉林食堂电话多少", "service_point", "yulin-canteen"),
    ("what's the phone number of the care complex", "service_point", "yulin-complex"),
    # homophones: speech recognition and pinyin input
    ("长乎险是什么", "policy", "chengdu-ltci"),
    ("长期护里保险能报多少", "policy", "chengdu-ltci"),
    ("意外线怎么赔", "policy", "silver-accident-insurance"),
    # misspellings
    ("how do I apply for long-term cair insurance", "policy", "chengdu-ltci"),
    ("silver age acident insurance", "policy", "silver-accident-insurance"),
    # another language inside the sentence, and pinyin
    ("太极 tomorrow morning please", "activity", "taiji-health"),
    ("taiji tomorrow", "activity", "taiji-health"),
    ("我想参加tai chi", "activity", "taiji-health"),
])
def test_a_thing_is_found_however_it_is_named(yulin: Session, said: str, kind: str, key: str) -> None:
    assert best(yulin, said) == (kind, key)


@pytest.mark.parametrize("said", [
    "hello", "thank you very much", "how much is it", "what time is it", "tell me more", "yes please",
    "I want lunch tomorrow", "I want to see a doctor", "my mother is 83 and lives alone", "is there a subsidy",
    "insurance", "我想问一下", "好的", "详细说说", "怎么申请", "补贴", "保险", "服务", "我妈妈摔倒了", "有什么活动",
    "多少钱", "我要订午饭",
])
def test_ordinary_words_name_nothing(yulin: Session, said: str) -> None:
    assert find_named(yulin, said, _district(yulin)) == []


def test_a_model_hint_is_matched_as_well_as_the_message(yulin: Session) -> None:
    found = find_named(yulin, "那个呢", _district(yulin), kinds=("policy",), hints=["长护险"])
    assert [m.key for m in found] == ["chengdu-ltci"]


def test_a_part_shared_by_two_things_names_neither(yulin: Session) -> None:
    # 玉林 is in the names of a canteen, a complex, a choir, a health centre and a lunch: said alone, it
    # is a district, not one of them
    assert find_named(yulin, "玉林", _district(yulin), kinds=("activity", "policy", "home_service")) == []


def test_things_of_another_district_are_not_found(yulin: Session) -> None:
    assert find_named(yulin, "长护险怎么申请", _district(yulin, "maple-town")) == []


def test_scores_rank_the_whole_name_above_a_homophone_above_a_part() -> None:
    whole = score_name("长期护理险怎么申请", "长期护理险")
    homophone = score_name("长期护里险怎么申请", "长期护理险")
    assert whole > homophone >= 85
    assert score_name("long term care insurance", "Long-term care insurance") == 100


@pytest.mark.parametrize(("texts", "key"), [
    (["我住芳草街，附近有食堂吗"], "yulin-subdistrict"),
    (["is there a canteen near Nijiaqiao"], "yulin-subdistrict"),
    (["玉林"], "yulin-subdistrict"),
    (["桂花村有互助点吗"], "maple-town"),
    (["有什么补贴", "我在玉林北路"], "yulin-subdistrict"),  # newest first: the newest that names one
    (["有什么补贴"], None),
    (["hello"], None),
])
def test_the_district_comes_from_the_places_named(yulin: Session, texts: list[str], key: str | None) -> None:
    found = district_named(yulin, texts)
    assert (found.key if found else None) == key


def test_a_phrase_spelt_together_and_a_phrase_of_ordinary_words(yulin: Session) -> None:
    assert best(yulin, "taichi on friday") == ("activity", "taiji-health")
    # "family care bed" is ordinary words, but together they are this one policy's
    assert best(yulin, "is the family care bed free") == ("policy", "family-care-bed")


def test_part_of_a_chinese_title_said_with_a_verb(yulin: Session) -> None:
    maple = _district(yulin, "maple-town")
    assert [m.key for m in find_named(yulin, "我想报名打太极", maple, kinds=("activity",))] == ["taichi"]
    assert best(yulin, "合唱几点开始") == ("activity", "yulin-choir")
    assert find_named(yulin, "我长期一个人住", _district(yulin)) == []
    # a number is not a name: 八十 of 八十岁补贴 is not in 八十三岁
    assert best(yulin, "我妈妈八十三岁，一个人住，能不能领一键通") == ("policy", "smart-sos")
