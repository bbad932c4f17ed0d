"""Text normalisation shared by search and place matching: Chinese segmentation (jieba),
English word splitting, and toneless pinyin so that speech-recognition homophones still match."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

import jieba
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WORD = re.compile(r"[a-z0-9]+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
EN_STOPWORDS = frozenset((
    "a", "an", "the", "of", "for", "to", "in", "on", "at", "and", "or", "is", "are", "be", "can",
    "i", "my", "me", "we", "our", "you", "your", "it", "its", "do", "does", "what", "which", "who",
    "how", "please", "about", "tell", "there", "any", "get", "this", "that", "with", "from", "by",
    "as",
))
ZH_STOPWORDS = frozenset((
    "的", "了", "吗", "呢", "吧", "啊", "呀", "我", "你", "他", "她", "是", "有", "在", "和", "跟", "么", "什么",
    "怎么", "请问", "一下", "那个", "这个", "想", "问",
))


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def fold(text: str) -> str:
    """Lower case, full-width to half-width, punctuation and spaces removed."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def add_words(words: list[str]) -> None:
    """Teach the segmenter domain words (policy titles, keywords) so they stay whole."""
    for word in words:
        if has_cjk(word) and len(word) > 1:
            jieba.add_word(word)


def tokens(text: str) -> list[str]:
    """Search tokens of a text in either language (or both mixed)."""
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for word in _WORD.findall(text):
        if word not in EN_STOPWORDS:
            out.append(_stem(word))
    if has_cjk(text):
        chinese = "".join(ch if _CJK.match(ch) else " " for ch in text)
        for token in jieba.lcut_for_search(chinese):
            token = token.strip()
            if token and token not in ZH_STOPWORDS:
                out.append(token)
    return out


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> str:
    """Toneless pinyin of a text: 桂花村 and 贵花村 both give 'guihuacun'."""
    return "".join(lazy_pinyin(fold(text)))


def person_name(name: str, lang: str) -> str:
    """A person's name as said in ``lang``: 何树林 is "He Shulin" in English."""
    if lang == "zh" or not has_cjk(name):
        return name
    latin = re.sub(r"\s*[（(][^）)]*[）)]\s*", " ", name).strip()
    if latin and not has_cjk(latin):  # "Margaret Ho（何美玲）": the name she uses in English
        return latin
    syllables = lazy_pinyin(name, style=Style.NORMAL)
    return " ".join(part for part in (syllables[0].capitalize(), "".join(syllables[1:]).capitalize()) if part)
