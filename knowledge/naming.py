"""Find the policy, activity, home service, meal service or service point a person names.

One mechanism for every action that resolves a name. The names come from the database (titles,
names and the ``aliases`` of a bundle), never from the dialogue model, so a district imported
yesterday is understood today. A message is matched whole, in either language or both mixed:

- a name or alias said as it is, or inside a longer sentence (长护险怎么申请, "how much is the
  foot massage");
- said with another character of the same sound (长乎险: speech recognition and pinyin input);
- misspelt ("long-term cair insurance": a fuzzy window over the message's words);
- in part, when the part belongs to that one thing only and is not an ordinary word (合唱 of
  夕阳红合唱团, "smartphone" of "Smartphone class for seniors");
- spelt in pinyin in an English sentence ("taiji tomorrow morning").

The words the model tagged (entities) are only hints: each is matched like a message of its own,
and the best reading wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Activity, District, HomeService, MealService, Policy, ServicePoint
from knowledge.point_kinds import names_only_a_kind
from knowledge.text import fold, has_cjk

MIN_SCORE = 80.0

MODELS: dict[str, type[Any]] = {
    "policy": Policy, "activity": Activity, "home_service": HomeService,
    "meal_service": MealService, "service_point": ServicePoint,
}
ALL_KINDS: tuple[str, ...] = tuple(MODELS)

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")

def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words too common to name one thing on their own: said alone they name a kind of thing ("the
# allowance", 补贴), not which one.
_GRAMMAR_EN = _word_set("""
a an the of for to and or in on at by with from my our your his her their me we us you it its
is are be can could would will do does did how what which who where when why much many more tell
about please want need like get got apply book join sign up i him them this that some any one ones
thing s
""")
_ORDINARY_EN = _GRAMMAR_EN | _word_set("""
care elderly elder elders senior seniors old older age aged people person persons service services
help home house day days daily centre center centres community communities class classes course
courses club clubs group groups programme program scheme schemes policy policies subsidy subsidies
allowance allowances benefit benefits insurance fund support meal meals lunch lunches dinner
breakfast station stations point points room rooms hall health talk talks visit visits free local
district city family long term monthly month year new public social basic special activity
activities morning afternoon evening week weekly stuff residents resident living life plan money
cost price fee fees card street road town village estate area aid mutual doctor doctors hospital
nurse number phone time today tomorrow
""")
_ORDINARY_ZH = _word_set("""
老人 老年 老年人 长者 服务 补贴 补助 津贴 中心 社区 养老 居家 上门 活动 课程 课 班 保险 政策 申请 助餐
食堂 站 点 家庭 健康 医疗 照料 日间 每月 街道 项目 计划 午餐 晚餐 早餐 服务站 服务点 服务中心 老年食堂
长者食堂 助餐点 一次 每次 我们 你们 他们 什么 怎么 可以 能不能 多少 多少钱 一个 这个 那个 报名 预约 知道
了解 办理 领取 费用 价格 免费 本地 老年人们 居民 生活 钱 卡 村 镇 路 小区 大学 学校 协会 基金 补贴金
午饭 晚饭 早饭 吃饭 饭 中饭 送餐 上门服务 长期 短期 特别 兴趣 培训 都市 能手 老化 一般 综合 基本 每天
每周 今天 明天 时间 地方 东西 问题 情况 事情 需要 帮助 帮忙 一起 参加
""")


@dataclass(frozen=True)
class NameMatch:
    """A thing of ``kind`` whose name, alias or part matched, 0-100."""

    kind: str
    row: Any
    score: float
    name: str

    @property
    def key(self) -> str:
        return str(self.row.key)


def names_of(row: Any) -> list[str]:
    """A thing's names and aliases in both languages."""
    title = getattr(row, "title", None) or row.name
    aliases = getattr(row, "aliases", None) or {}
    return [n for n in (title.get("zh", ""), title.get("en", ""), *aliases.get("zh", []),
                        *aliases.get("en", [])) if n and n.strip()]


def _category_name(row: Any) -> str | None:
    category = getattr(row, "category", None) if isinstance(row, Activity) else None
    return category.replace("_", " ") if category else None


@lru_cache(maxsize=16384)
def _syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin, one syllable per Chinese character of ``text`` (other characters dropped)."""
    return tuple(lazy_pinyin("".join(_CJK_RUN.findall(text))))


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _LATIN_WORD.findall(unicodedata.normalize("NFKC", text).lower()))


def _content(words: Sequence[str]) -> tuple[str, ...]:
    """The words of a name without the grammar ("the singing one" → singing)."""
    content = tuple(w for w in words if w not in _GRAMMAR_EN)
    return content or tuple(words)


def _distinct(words: Sequence[str]) -> bool:
    """Words that can name one thing on their own: a phrase, or one word that is not an ordinary
    word of the trade."""
    if len(words) == 1:
        return len(words[0]) >= 4 and words[0] not in _ORDINARY_EN
    return sum(len(w) for w in words) >= 6


_ZH_SUFFIXES = ("补贴", "津贴", "补助", "扶助金", "服务", "保险", "课", "班", "培训班", "兴趣班", "活动",
                "午餐", "晚餐")


def _zh_core(name: str) -> str:
    """A Chinese name without the word of its kind at the end: 适老化改造补贴 → 适老化改造."""
    for suffix in sorted(_ZH_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) - len(suffix) >= 3:
            return name[: -len(suffix)]
    return name


def _contains(seq: Sequence[str], part: Sequence[str]) -> bool:
    n = len(part)
    return n > 0 and any(tuple(seq[i:i + n]) == tuple(part) for i in range(len(seq) - n + 1))


@dataclass(frozen=True)
class _Said:
    """A message, prepared once: folded, its Chinese characters, their syllables, its words."""

    folded: str
    cjk: str
    syllables: tuple[str, ...]
    words: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> _Said:
        folded = fold(text)
        cjk = "".join(_CJK_RUN.findall(folded))
        return cls(folded, cjk, _syllables(cjk), _words(text))

    @property
    def runs(self) -> set[str]:
        """Joined runs of one to three words: "tai chi" and "taichi" both give "taichi"."""
        return {"".join(self.words[i:i + k]) for k in (1, 2, 3) for i in range(len(self.words) - k + 1)}


def _score_zh(said: _Said, name: str) -> float:
    n = fold(name)
    if not n or not said.cjk:
        return 0.0
    if n == said.folded:
        return 100.0
    cover = len(n) / max(len(said.cjk), 1)
    if len(n) >= 2 and n in said.folded:
        return 92.0 + 6.0 * cover
    core = _zh_core(n)
    if core != n and core in said.folded:
        return 88.0 + 6.0 * len(core) / max(len(said.cjk), 1)
    syllables = _syllables(n)
    homophone_ok = len(syllables) >= 3 or (len(syllables) == 2 and len(said.syllables) <= 3)
    if homophone_ok and _contains(said.syllables, syllables):  # 长乎险 for 长护险
        return 87.0 + 6.0 * cover
    if len(syllables) >= 4 and len(said.syllables) >= len(syllables) - 1:  # a character dropped or misheard
        joined, target = " ".join(said.syllables), " ".join(syllables)
        ratio = fuzz.partial_ratio(target, joined)
        if ratio >= 85:
            return 82.0 + (ratio - 85.0) * 0.5
    return 0.0


def _score_en(said: _Said, name: str) -> float:
    words = _words(name)
    if not words or not said.words:
        return 0.0
    if words == said.words:
        return 100.0
    content = _content(words)
    cover = len(words) / max(len(said.words), 1)
    if _contains(said.words, words) or (_distinct(content) and _contains(said.words, content)):
        return 92.0 + 6.0 * min(cover, 1.0)
    joined = "".join(content)
    if len(joined) >= 5 and _distinct(content) and joined in said.runs:  # "taichi" for "tai chi"
        return 92.0
    target = " ".join(content)
    if len(target) >= 7:  # misspelt: the closest window of about as many words
        best = 0.0
        k = len(content)
        for size in {max(1, k - 1), k, k + 1}:
            for i in range(len(said.words) - size + 1):
                best = max(best, fuzz.ratio(" ".join(said.words[i:i + size]), target))
        if best >= 86:
            return best * 0.95
    return 0.0


def _score_pinyin(said: _Said, name: str) -> float:
    """A Chinese name spelt in pinyin in a Latin-letter message ("taiji", "chang hu xian")."""
    syllables = _syllables(name)
    if len(syllables) < 2 or not said.words:
        return 0.0
    spelt = "".join(syllables)
    return 86.0 if len(spelt) >= 5 and spelt in said.runs else 0.0


def score_name(said: str | _Said, name: str) -> float:
    """How well a message names ``name`` (a name or alias, either language), 0-100."""
    said = said if isinstance(said, _Said) else _Said.of(said)
    if has_cjk(name):
        return max(_score_zh(said, name), _score_pinyin(said, name))
    return _score_en(said, name)


_NUMBERISH = re.compile(r"[零一二两三四五六七八九十百千万0-9岁周年月日号个]+")


def _parts(name: str) -> set[str]:
    """The pieces of a name that may name it alone: Chinese words of two characters or more,
    English runs of content words (one word of five letters or more)."""
    import jieba

    out: set[str] = set()
    if has_cjk(name):
        for word in jieba.lcut_for_search(fold(name)):  # 太极拳 → 太极, 合唱团 → 合唱
            if len(word) >= 2 and has_cjk(word) and word not in _ORDINARY_ZH and word != fold(name) \
                    and not _NUMBERISH.fullmatch(word):
                out.add(word)
        return out
    words = _content(_words(name))
    for size in range(1, len(words)):
        for i in range(len(words) - size + 1):
            run = words[i:i + size]
            if _distinct(run) and (size > 1 or len(run[0]) >= 5):
                out.add(" ".join(run))
    return out


def _score_part(said: _Said, part: str, whole: str) -> float:
    if has_cjk(part):
        if part in said.folded:
            return 80.0 + 8.0 * len(part) / max(len(fold(whole)), 1)
        syllables = _syllables(part)
        if len(syllables) >= 2 and _contains(said.syllables, syllables):
            return 80.0 + 4.0 * len(part) / max(len(fold(whole)), 1)
        return 0.0
    words = tuple(part.split())
    share = len(words) / max(len(_content(_words(whole))), 1)
    if _contains(said.words, words):
        return 80.0 + 8.0 * share
    if len(words) >= 2 and len(part) >= 10:  # misspelt: "long-term cair insurance"
        best = max((fuzz.ratio(" ".join(said.words[i:i + len(words)]), part)
                    for i in range(len(said.words) - len(words) + 1)), default=0.0)
        if best >= 88:
            return 80.0 + 4.0 * share
    return 0.0


_ARTICLES = frozenset({"the", "a", "an"})


def _alone(said: _Said, name: str) -> bool:
    """The message is ``name`` and nothing else: 食堂 (or 十堂, the same sounds), "the canteen"."""
    if has_cjk(name):
        return said.folded == fold(name) or (said.cjk == said.folded and said.syllables == _syllables(fold(name)))
    return [w for w in said.words if w not in _ARTICLES] == [w for w in _words(name) if w not in _ARTICLES]


def candidates(session: Session, district_id: int | None, kinds: Iterable[str] = ALL_KINDS) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for kind in kinds:
        model = MODELS[kind]
        statement = select(model).where(model.active.is_(True)).order_by(model.id)
        if district_id is not None:
            statement = statement.where(model.district_id == district_id)
        out += [(kind, row) for row in session.scalars(statement)]
    return out


def match_rows(rows: Sequence[tuple[str, Any]], text: str, hints: Iterable[str] = (),
               min_score: float = MIN_SCORE, others: Iterable[str] = ()) -> list[NameMatch]:
    """Rank ``rows`` (kind, row) by how well the message or one of the hints names them.

    A part of a name names its thing only when no other row has it and it is none of ``others``
    (the names of the district's other things, its places and itself). A point's alias that only
    names its kind (食堂, "the canteen") names it only when the message is that alias alone, and a
    part of its name that only names its kind ("canteen" of "Maple Seniors' Canteen") never.
    """
    message = _Said.of(text) if text and fold(text) else None
    readings = [said for said in [message, *(_Said.of(h) for h in hints if h and fold(h))] if said is not None]
    if not readings or not rows:
        return []
    names = {id(row): names_of(row) for _, row in rows}
    kind_only = {id(row): {name for name in names[id(row)] if names_only_a_kind(name)}
                 for kind, row in rows if kind == "service_point"}
    part_owner: Counter[str] = Counter()
    parts: dict[int, list[tuple[str, str]]] = {}
    for kind, row in rows:
        own = {(part, name) for name in names[id(row)] if name not in kind_only.get(id(row), ())
               for part in _parts(name) if kind != "service_point" or not names_only_a_kind(part)}
        parts[id(row)] = sorted(own)
        part_owner.update({part for part, _ in own})
    for other in others:
        part_owner.update({fold(other), *_parts(other)} - {""})
        part_owner[fold(other)] += 1
    found: list[NameMatch] = []
    for kind, row in rows:
        best, best_name = 0.0, ""
        for said in readings:
            for name in names[id(row)]:
                if name in kind_only.get(id(row), ()) and not (said is message and _alone(said, name)):
                    continue
                score = score_name(said, name)
                if score > best:
                    best, best_name = score, name
            category = _category_name(row)
            if category and best < 82.0 and _contains(said.words, _words(category)):
                best, best_name = 82.0, category
            if best < 88.0:
                for part, name in parts[id(row)]:
                    if part_owner[part] == 1:
                        score = _score_part(said, part, name)
                        if score > best:
                            best, best_name = score, part
        if best >= min_score:
            found.append(NameMatch(kind, row, round(best, 2), best_name))
    found.sort(key=lambda m: (-m.score, ALL_KINDS.index(m.kind), m.key))
    return found


def find_named(session: Session, text: str, district_id: int | None = None, *,
               kinds: Iterable[str] = ALL_KINDS, hints: Iterable[str | None] = (),
               min_score: float = MIN_SCORE, limit: int = 5) -> list[NameMatch]:
    """The things of ``kinds`` a message names, best first (``district_id`` None: every district).

    ``hints`` are the words the model tagged; they are matched as well as the whole message.
    """
    wanted = tuple(kinds)
    everything = candidates(session, district_id, ALL_KINDS)
    rows = [(kind, row) for kind, row in everything if kind in wanted]
    others = [name for kind, row in everything if kind not in wanted for name in names_of(row)]
    others += _place_names(session, district_id)
    return match_rows(rows, text, [h for h in hints if h], min_score, others)[:limit]


def _place_names(session: Session, district_id: int | None) -> list[str]:
    """The names of a district's places and of the district itself: parts of other names that
    name a place (玉林 of 玉林夕阳红合唱团) do not name the thing."""
    from knowledge.models import Place

    statement = select(Place).where(Place.active.is_(True))
    districts = select(District)
    if district_id is not None:
        statement = statement.where(Place.district_id == district_id)
        districts = districts.where(District.id == district_id)
    names = [name for place in session.scalars(statement) for name in names_of(place)]
    names += [name for d in session.scalars(districts) for name in _district_names(d)]
    return names + [text for d in session.scalars(districts) for text in (d.city.get("zh", ""), d.city.get("en", ""))
                    if text]


def best_named(session: Session, text: str, district_id: int | None = None, **options: Any) -> NameMatch | None:
    found = find_named(session, text, district_id, limit=1, **options)
    return found[0] if found else None


_DISTRICT_WORDS = re.compile(r"\b(sub-?district|county|district|township|town)\b", re.IGNORECASE)


def _district_names(district: District) -> list[str]:
    """A district's names, and the same without 街道/县/Sub-district (玉林街道 → 玉林)."""
    from knowledge.places import core_name

    zh, en = district.name.get("zh", ""), district.name.get("en", "")
    names = {zh, en, core_name(zh)}
    for part in re.findall(r".+?(?:街道|[县区镇乡]|$)", zh):
        names |= {part, re.sub(r"(街道|[县区镇乡])$", "", part)}
    for part in en.split(","):
        names |= {part.strip(), _DISTRICT_WORDS.sub(" ", part).strip()}
    return [n for n in names if n]


def district_named(session: Session, texts: Iterable[str]) -> District | None:
    """The one district that the places in ``texts`` (newest first) belong to: its own name, or a
    place or service point known in that district only. None when nothing says, or when what is
    said is known in several districts."""
    from knowledge.places import find_places

    districts = list(session.scalars(select(District).order_by(District.key)))
    for text in texts:
        if not text or not fold(text):
            continue
        said = _Said.of(text)
        by_name = {d.id for d in districts for name in _district_names(d)
                   if len(fold(name)) >= 2 and score_name(said, name) >= 90}
        places = find_places(session, text, None, limit=10, min_score=86)
        found = by_name | {m.district_id for m in places}
        if len(found) == 1:
            return next(d for d in districts if d.id in found)
        if found:
            return None
    return None
