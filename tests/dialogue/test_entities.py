"""Entities the real model finds in Mandarin, where Jieba's words and the entities disagree: a number
glued to its measure word (三份, 两个), and a date run into a time (后天下午, where Jieba once cut
后|天下|午)."""

from __future__ import annotations

import httpx
import pytest

from tests.dialogue.conftest import Servers

CASES = [
    ("帮我订三份明天的午饭", {("number", "三"), ("date", "明天"), ("meal", "lunch")}),
    ("我们两个人都想去", {("number", "两")}),
    ("后天下午有空来一趟吗", {("date", "后天"), ("time", "下午")}),
    ("明天上午有什么活动", {("date", "明天"), ("time", "上午")}),
    ("给我爸订一份晚饭", {("number", "一"), ("relation", "father"), ("meal", "dinner")}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_mandarin_entities_inside_jieba_words_are_found(servers: Servers, text: str,
                                                       expected: set[tuple[str, str]]) -> None:
    parsed = httpx.post(f"{servers.rasa_url}/model/parse", json={"text": text}, params=servers.api_params,
                        timeout=30).json()
    found = {(e["entity"], str(e["value"])) for e in parsed["entities"]}
    assert expected <= found, parsed["entities"]
