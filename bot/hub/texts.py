"""What the hub itself says, in Mandarin and English."""

from __future__ import annotations

from typing import Any

from actions.texts import say_from

T: dict[str, dict[str, str]] = {
    "holding": {"zh": "请稍等，我这边有点慢，马上回复您。", "en": "One moment please, I'm a little slow right now. I'll answer you shortly."},
    "expired": {"zh": "不好意思，刚才没能及时回复您。请再说一次您的问题，或者说“转人工”。", "en": "Sorry, I couldn't answer in time. Please ask again, or say \"talk to a person\"."},
    "with_consultant": {"zh": "您的消息已经转给工作人员了，请稍等，他们会在这里回复您。", "en": "Your message is with a member of staff. Please wait, they will reply here."},
    "slow_down": {"zh": "消息有点多，我一条一条来。请稍等一下再发。", "en": "That's a lot of messages at once. Please wait a moment before sending more."},
    "emergency_now": {"zh": "这可能是紧急情况。请马上拨打{number}。{advice}我已经通知工作人员，会尽快联系您。", "en": "This may be an emergency. Call {number} now. {advice}I have alerted our staff, who will contact you as soon as possible."},
    "alert_emergency": {"zh": "⚠️ 紧急提醒：{elder}刚才通过{channel}求助：“{text}”。工作人员已经收到。请尽快联系{elder}；情况危急请拨打{number}。", "en": "⚠️ Emergency alert: {elder} just asked for help on {channel}: \"{text}\". Our staff have been alerted. Please contact {elder} as soon as you can; if in danger call {number}."},
    "alert_booked": {"zh": "通知：{elder}的预约已登记——{what}。", "en": "Notice: a booking was made for {elder}: {what}."},
    "alert_cancelled": {"zh": "通知：{elder}的预约已取消——{what}。", "en": "Notice: a booking for {elder} was cancelled: {what}."},
    "alert_reminder": {"zh": "提醒：{elder}明天有预约——{what}。", "en": "Reminder: {elder} has a booking tomorrow: {what}."},
    "channel_phone": {"zh": "电话", "en": "the phone line"},
    "channel_telegram": {"zh": "Telegram", "en": "Telegram"},
    "channel_console": {"zh": "工作人员", "en": "a consultant"},
    "channel_other": {"zh": "CareLine", "en": "CareLine"},
}


def t(key: str, lang: str, **values: Any) -> str:
    return say_from(T, key, lang, **values)


def channel_name(channel: str | None, lang: str) -> str:
    key = f"channel_{channel}"
    return t(key if key in T else "channel_other", lang)
