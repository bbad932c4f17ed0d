"""What the console's service says when it refuses an action, in Mandarin and English."""

from __future__ import annotations

from typing import Any

from knowledge.wording import say_from

T: dict[str, dict[str, str]] = {
    "not_found": {"zh": "没有这个对话，或者它不属于您的区县。", "en": "There is no such conversation, or it is not in your district."},
    "taken": {"zh": "{name}已经接手了这个对话。", "en": "{name} has already taken this conversation."},
    "nothing_to_claim": {"zh": "这个对话没有在等工作人员。", "en": "This conversation is not waiting for a member of staff."},
    "not_yours": {"zh": "请先接手这个对话，才能回复、交回或结束它。", "en": "Take this conversation first to reply to it, hand it back or resolve it."},
    "empty_text": {"zh": "请输入要发送的内容。", "en": "Please type something to send."},
    "text_too_long": {"zh": "内容太长了（最多 {limit} 个字）。", "en": "That is too long (at most {limit} characters)."},
    "bad_outcome": {"zh": "请选择一个结果：{outcomes}。", "en": "Please choose an outcome: {outcomes}."},
    "unknown_consultant": {"zh": "没有这位工作人员，或者他不在这个对话的区县。", "en": "There is no such consultant in this conversation's district."},
}


def t(key: str, lang: str, **values: Any) -> str:
    return say_from(T, key, lang, **values)
