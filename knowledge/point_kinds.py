"""How people name the kinds of service point, in both languages: which kinds a message asks for
("the nearest canteen", 日间照料中心, "where can I get a haircut", 服务点 for any kind), and
whether a name is only the name of a kind (an alias 食堂 names no one point inside a sentence).

Language data only; the kinds are those of the bundle format (knowledge/bundle/schema.py).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from knowledge.text import fold, has_cjk

KINDS: tuple[str, ...] = (
    "mutual_aid_point", "day_care_centre", "service_centre", "township_centre", "canteen",
    "meal_station", "health_station", "activity_room", "nursing_home", "hotline_centre",
)
ANY = "any"  # a word for a service point of any kind
HAIRCUT = "haircut"
MEALS = "meals"

# What a person can ask for, and the kinds of point that serve it (the first is the kind asked).
SERVED_BY: dict[str, tuple[str, ...]] = {
    **{kind: (kind,) for kind in KINDS},
    "canteen": ("canteen", "meal_station"),
    "meal_station": ("meal_station", "canteen"),
    "service_centre": ("service_centre", "township_centre"),
    "township_centre": ("township_centre", "service_centre"),
    ANY: KINDS,
    HAIRCUT: ("day_care_centre", "mutual_aid_point"),
    MEALS: ("canteen", "meal_station"),
}
# What a point offers (its ``services`` in the bundle) that also answers a need, whatever its kind:
# personal care, a haircut or a bath, is given where bathing is (a service centre, not the
# district's affairs office).
OFFERED_AS: dict[str, tuple[str, ...]] = {
    HAIRCUT: ("haircut", "bathing"),
}

# Nouns for a kind of point (ANY: any kind). A longer phrase wins over one inside it: 助餐服务点 is
# a meal station, not any 服务点; "neighbourhood help point" a mutual-aid point, not any help point.
NOUNS: dict[str, dict[str, tuple[str, ...]]] = {
    ANY: {
        "zh": ("服务点", "服务站", "驿站", "站点", "养老服务中心", "养老服务站", "养老服务点", "养老驿站",
               "为老服务点", "服务网点", "网点"),
        "en": ("service point", "service station", "help point", "service place", "service outlet",
               "care station"),
    },
    "canteen": {
        "zh": ("食堂", "饭堂", "老年餐桌", "长者餐桌", "老年餐厅", "长者饭堂", "幸福食堂", "爱心食堂"),
        "en": ("canteen", "dining hall", "dining room", "lunch club", "luncheon club", "kitchen",
               "cafeteria"),
    },
    "meal_station": {
        "zh": ("助餐点", "助餐站", "助餐服务点", "助餐中心", "送餐点", "配餐点"),
        "en": ("meal point", "meal station", "meal service point", "meal pickup point", "meal site"),
    },
    "day_care_centre": {
        "zh": ("日间照料中心", "日间照料站", "日间照护中心", "日间照料", "日照中心", "日照站", "托老所", "日托",
               "日托所"),
        "en": ("day care centre", "day care", "daycare", "daycare centre", "day centre", "adult day care"),
    },
    "mutual_aid_point": {
        "zh": ("互助点", "互助养老点", "互助站", "互助院落", "幸福院", "互助幸福院", "老年之家"),
        "en": ("mutual aid point", "mutual aid station", "mutual aid centre", "mutual aid care point",
               "mutual aid", "care point", "neighbourhood help point", "neighborhood help point"),
    },
    "service_centre": {
        "zh": ("服务中心", "为老服务中心", "为老中心", "为老服务站", "综合为老服务中心", "社区养老服务中心",
               "居家养老服务中心", "养老中心"),
        "en": ("service centre", "senior centre", "elderly centre", "care centre", "old people centre"),
    },
    "township_centre": {
        "zh": ("镇养老服务中心", "乡镇养老服务中心", "街道养老服务中心", "镇养老中心", "区域养老服务中心"),
        "en": ("township centre", "township care centre"),
    },
    "health_station": {
        "zh": ("卫生站", "卫生室", "卫生所", "卫生院", "卫生服务中心", "卫生服务站", "卫生中心", "医务室",
               "诊所", "社区医院", "镇医院", "乡医院", "村医"),
        "en": ("health station", "health centre", "health post", "clinic", "doctor", "gp"),
    },
    "activity_room": {
        "zh": ("活动室", "活动中心", "活动站", "文化室", "文化站", "文化中心", "棋牌室", "睦邻点", "睦邻中心"),
        "en": ("activity room", "activity centre", "activities room", "recreation room", "games room",
               "senior club", "senior room", "neighbours room", "culture room", "cultural station"),
    },
    "nursing_home": {
        "zh": ("养老院", "敬老院", "福利院", "老人院", "护理院", "养老公寓", "颐养院", "照护之家", "养老机构"),
        "en": ("nursing home", "care home", "old people home", "old folk home", "retirement home",
               "elderly home", "rest home"),
    },
    "hotline_centre": {
        "zh": ("热线", "服务热线", "为老热线", "养老热线"),
        "en": ("hotline", "helpline"),
    },
}

# Words for what a person wants done there, when no kind of point is named.
NEEDS: dict[str, dict[str, tuple[str, ...]]] = {
    HAIRCUT: {
        "zh": ("理发", "剪头发", "剪头", "剪发", "剃头", "推头"),
        "en": ("haircut", "hair cut", "barber", "hairdresser", "trim"),
    },
    MEALS: {
        "zh": ("吃饭", "吃午饭", "吃晚饭", "吃中饭", "就餐", "用餐"),
        "en": ("eat", "meal", "lunch", "dinner"),
    },
}

# Words that qualify a kind without naming one point: 老年食堂, 村卫生室, "the seniors' canteen".
_MODIFIERS_ZH = ("老年", "老人", "长者", "社区", "街道", "居家", "养老", "为老", "邻里", "小型", "综合", "附近",
                 "本", "镇", "乡", "村", "县", "区", "里", "上", "的", "这个", "那个", "我们")
_MODIFIERS_EN = frozenset((
    "the", "a", "an", "our", "your", "my", "this", "that", "local", "nearby", "senior", "elderly", "old",
    "older", "folk", "people", "community", "village", "town", "township", "neighbourhood", "neighborhood",
    "district", "area", "small", "main",
))
_MODIFIERS_ZH_RE = re.compile("(?:" + "|".join(sorted(_MODIFIERS_ZH, key=len, reverse=True)) + ")*")
_WORD = re.compile(r"[a-z0-9]+")
_SPELLING = {"center": "centre", "centers": "centre", "neighbor": "neighbour", "neighbors": "neighbour"}


def _stem(word: str) -> str:
    word = _SPELLING.get(word, word)
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words_of(text: str) -> tuple[str, ...]:
    """Latin-letter words, singular, British spelling; the "s" of "people's" dropped."""
    found = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
    return tuple(_stem(w) for w in found if w != "s")


@lru_cache(maxsize=1)
def _phrases() -> tuple[list[tuple[str, str, int]], list[tuple[tuple[str, ...], str, int]]]:
    """Every noun and need word: (Chinese word, what it asks for, tier) and (English words, …).
    Tier 0: a kind of point; 1: a need; 2: any kind."""
    zh: list[tuple[str, str, int]] = []
    en: list[tuple[tuple[str, ...], str, int]] = []
    for table, tier_of in ((NOUNS, lambda key: 2 if key == ANY else 0), (NEEDS, lambda key: 1)):
        for key, words in table.items():
            zh += [(fold(w), key, tier_of(key)) for w in words["zh"]]
            en += [(words_of(w), key, tier_of(key)) for w in words["en"]]
    zh.sort(key=lambda item: -len(item[0]))
    en.sort(key=lambda item: -len(" ".join(item[0])))
    return zh, en


class Said(NamedTuple):
    """A word for a kind of point or a need found in a message, where it was (a character of
    its Chinese or a word of its English), and what it asks for."""

    position: int
    word: str
    asks: str
    tier: int


def _found(text: str) -> tuple[list[Said], list[Said]]:
    """The words of kinds and needs in ``text``, Chinese and English, each in the order said; of
    two overlapping, the longer is kept."""
    zh, en = _phrases()

    def keep(found: list[tuple[int, int, str, str, int]], start: int, end: int, word: str, key: str,
             tier: int) -> None:
        if all(end <= s or start >= e for s, e, *_ in found):
            found.append((start, end, word, key, tier))

    chinese: list[tuple[int, int, str, str, int]] = []
    folded = "".join(ch for ch in fold(text) if has_cjk(ch))
    for word, key, tier in zh:
        for hit in re.finditer(re.escape(word), folded):
            keep(chinese, hit.start(), hit.end(), word, key, tier)
    english: list[tuple[int, int, str, str, int]] = []
    words = words_of(text)
    for phrase, key, tier in en:
        for i in range(len(words) - len(phrase) + 1):
            if words[i:i + len(phrase)] == phrase:
                keep(english, i, i + len(phrase), " ".join(phrase), key, tier)
    return ([Said(start, word, key, tier) for start, _, word, key, tier in sorted(chinese)],
            [Said(start, word, key, tier) for start, _, word, key, tier in sorted(english)])


def words_in(text: str) -> list[str]:
    """The words for kinds of point and needs that ``text`` says (日间照料中心, "haircut")."""
    chinese, english = _found(text)
    return [said.word for said in chinese + english]


def _mostly_chinese(text: str) -> bool:
    folded = fold(text)
    cjk = sum(1 for ch in folded if has_cjk(ch))
    return cjk > 0 and 2 * cjk >= len(folded)


def asked_in(text: str) -> str | None:
    """What kind of point a message asks for, from its own words: a kind of KINDS, ANY, or a need
    (HAIRCUT, MEALS); None when it names none. A kind of point beats a need, and a need beats a
    word for any point ("附近哪个服务点能理发" asks for a haircut). Of two kinds, the one asked for
    comes last in Mandarin ("离桂花卫生室最近的互助点") and first in English ("the nearest
    mutual-aid point to Guihua clinic")."""
    chinese, english = _found(text)
    if not chinese and not english:
        return None
    best = min(said.tier for said in chinese + english)
    zh = [said.asks for said in chinese if said.tier == best]
    en = [said.asks for said in english if said.tier == best]
    if zh and (not en or _mostly_chinese(text)):
        return zh[-1]
    return en[0]


@lru_cache(maxsize=4096)
def names_only_a_kind(name: str) -> bool:
    """A name that says only what kind of point it is: 食堂, 老年食堂, 村卫生室, "the seniors'
    canteen", "the health centre"; not 和平食堂, "Huaxi service centre" or 为老中心食堂 (two kinds:
    the canteen of that centre)."""
    zh, en = _phrases()
    folded = fold(name)
    if has_cjk(folded):
        for word, _, tier in zh:
            if tier != 1 and word in folded:
                rest = folded.replace(word, "", 1)
                return bool(_MODIFIERS_ZH_RE.fullmatch(rest))
        return False
    words = words_of(name)
    for phrase, _, tier in en:
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tier != 1 and words[i:i + n] == phrase:
                return all(w in _MODIFIERS_EN for w in words[:i] + words[i + n:])
    return False
