"""What the Telegram channel says on its own, in Mandarin and English."""

from __future__ import annotations

from typing import Any

from actions.texts import say_from

T: dict[str, dict[str, str]] = {
    "welcome": {"zh": "您好！我是CareLine养老服务助手，可以帮您家里的老人查政策补贴、看活动、订餐、约上门服务、找附近的服务点。\n先请老人打热线电话或者请工作人员给您一个6位数的绑定码，然后发送 /link 绑定码。", "en": "Hello! I'm CareLine, the elderly-care assistant. I can help your elder with policies and subsidies, activities, meals, home services and nearby service points.\nFirst get a 6-digit link code (the elder can hear it on the hotline, or a consultant gives it to you), then send /link followed by the code."},
    "welcome_back": {"zh": "您好！现在是替{elder}办理。直接说您想问什么就行，比如“明天有什么活动”。发送 /help 看全部功能。", "en": "Hello! You're acting for {elder}. Just ask, for example \"what activities are on tomorrow\". Send /help to see everything."},
    "help": {"zh": "直接打字问我就行，比如：\n· 高龄津贴是什么\n· 我妈能领居家养老补贴吗\n· 明天中午订个饭\n· 附近有没有老年食堂\n命令：\n/link 绑定码 — 绑定一位老人\n/elders — 选择替哪位老人办理\n/bookings — 查看预约\n/human — 转人工\n/language — 切换语言", "en": "Just type your question, for example:\n· what is the old-age allowance\n· can my mum get the home-care subsidy\n· book lunch for tomorrow\n· is there a canteen nearby\nCommands:\n/link CODE — link an elder\n/elders — choose which elder you act for\n/bookings — see bookings\n/human — talk to a consultant\n/language — change language"},
    "ask_code": {"zh": "请发送老人的6位数绑定码。", "en": "Please send the elder's 6-digit link code."},
    "linked": {"zh": "绑定成功！现在可以替{elder}办理了。有什么需要直接说。", "en": "Linked! You can now act for {elder}. Just tell me what you need."},
    "linked_already": {"zh": "您已经绑定过{elder}了，现在替{elder}办理。", "en": "You were already linked to {elder}; you're now acting for {elder}."},
    "link_malformed": {"zh": "绑定码是6位数字，请再发一次，比如 /link 123456。", "en": "A link code has 6 digits. Please send it again, for example /link 123456."},
    "link_unknown": {"zh": "这个绑定码不对。请核对后再试，或者请老人在热线里重新获取一个。", "en": "That link code isn't right. Please check it, or ask for a new one on the hotline."},
    "link_expired": {"zh": "这个绑定码已经过期了。请老人在热线里重新获取一个，或者联系工作人员。", "en": "That link code has expired. Please get a new one on the hotline or from a consultant."},
    "link_used": {"zh": "这个绑定码已经用过了。每个码只能用一次，请重新获取一个。", "en": "That link code has already been used. Each code works once; please get a new one."},
    "link_too_many": {"zh": "尝试次数太多了，请一小时后再试，或者联系工作人员。", "en": "Too many tries. Please try again in an hour, or contact a consultant."},
    "need_link": {"zh": "您还没有绑定老人。请先发送 /link 和老人的6位数绑定码。", "en": "You haven't linked an elder yet. Please send /link and the elder's 6-digit code first."},
    "for_whom": {"zh": "您要替哪位老人办理？", "en": "Who is this for?"},
    "elders": {"zh": "您绑定的老人（✓ 是当前替办的）：", "en": "Elders linked to you (✓ is the one you act for now):"},
    "elder_selected": {"zh": "好的，现在替{elder}办理。", "en": "OK, you're now acting for {elder}."},
    "not_your_elder": {"zh": "您没有绑定这位老人，不能替他/她办理。请先用绑定码绑定。", "en": "You aren't linked to that elder, so you can't act for them. Please link with their code first."},
    "choose_language": {"zh": "请选择语言：", "en": "Please choose a language:"},
    "language_set": {"zh": "好的，以后用中文和您交流。", "en": "OK, I'll use English from now on."},
    "only_text": {"zh": "我只能看懂文字和语音消息。请直接打字告诉我您需要什么。", "en": "I can only read text and voice messages. Please type what you need."},
    "voice_unclear": {"zh": "这条语音我没听清，请再说一次，或者打字告诉我。", "en": "I couldn't make out that voice message. Please try again, or type it."},
    "voice_busy": {"zh": "现在有很多语音在等着转文字，请过一会儿再发，或者直接打字告诉我。", "en": "Many voice messages are waiting to be transcribed just now. Please send yours again in a little while, or type it."},
    "button_old": {"zh": "这个按钮已经用过了。", "en": "That button has already been used."},
}


def t(key: str, lang: str, **values: Any) -> str:
    return say_from(T, key, lang, **values)


def language_of(code: str | None, default: str) -> str:
    """A Telegram user's interface language as zh or en."""
    if not code:
        return default
    return "zh" if code.lower().startswith("zh") else "en"
