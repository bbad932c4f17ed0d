"""Mandarin compared as toneless pinyin, as the tests hear it: a recogniser's homophones (订/定,
区/驱) and its digits for spoken numbers aside, what was said comes back as the same syllables."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin


def toneless(text: str) -> str:
    return " ".join(lazy_pinyin(re.sub(r"[^\u4e00-\u9fff]", "", text)))
