"""What the hub itself says, in Mandarin and English."""

from __future__ import annotations

from typing import Any

from knowledge.wording import say_from

#: what the hub's HTTP API answers to a request it refuses, by error code (always both languages:
#: the caller is a program, and whoever reads its log may read either)
API_ERRORS: dict[str, dict[str, str]] = {
    "unauthenticated": {"zh": "需要频道令牌：请在 Authorization 头里写 Bearer 和本频道的令牌。", "en": "A channel token is needed: send \"Authorization: Bearer <the channel's token>\"."},
    "channel_mismatch": {"zh": "这个令牌不属于消息里写的频道；Telegram 的消息只经由 Telegram 网关进来。", "en": "This token does not belong to the channel named in the message; Telegram messages come in only through the Telegram gateway."},
    "conversation_bound": {"zh": "这个会话已经属于另一位老人或一个聊天账号，请用另一个会话名。", "en": "This conversation already belongs to another elder or to a chat account; use another conversation name."},
    "elder_unknown": {"zh": "没有这位老人（elder_id 不存在或已停用）。", "en": "There is no such elder (the elder_id does not exist or is no longer active)."},
    "district_unknown": {"zh": "没有这个区县（district_key）。", "en": "There is no district with this district_key."},
    "bad_characters": {"zh": "消息里有不允许的字符（空字符 NUL 或不成对的 UTF-16 代理项）：{fields}", "en": "The message contains characters that are not allowed (NUL or an unpaired UTF-16 surrogate): {fields}"},
    "invalid_json": {"zh": "请求正文不是有效的 UTF-8 JSON。", "en": "The request body is not valid UTF-8 JSON."},
    "invalid_body": {"zh": "请求内容的字段或类型不对：{fields}", "en": "The request does not have the expected fields and types: {fields}"},
    "too_large": {"zh": "请求正文太大（最多 {limit} 字节）。", "en": "The request body is too large (at most {limit} bytes)."},
    "forbidden": {"zh": "没有权限。", "en": "Not allowed."},
    "not_found": {"zh": "没有这个地址。", "en": "There is nothing at this address."},
    "method_not_allowed": {"zh": "这个地址不接受这种请求方法。", "en": "This address does not accept this request method."},
    "http_error": {"zh": "请求没有被接受（HTTP {status}）。", "en": "The request was not accepted (HTTP {status})."},
    "not_stored": {"zh": "暂时存不下这条更新，请稍后重发。", "en": "This update could not be stored just now; send it again later."},
    "internal_error": {"zh": "会话中心出了意外错误，已记入日志。请稍后再试。", "en": "The hub had an unexpected error; it was logged. Please try again later."},
}

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
    "handed_back": {"zh": "工作人员已经把对话交回给我（智能助手）了。您可以接着问我，想再找工作人员就说“转人工”。", "en": "The member of staff has handed you back to me, the assistant. You can carry on; say \"talk to a person\" to reach staff again."},
    "satisfaction_buttons": {"zh": "这次工作人员帮得怎么样？请点一个分数：1 很不满意，5 非常满意。", "en": "How well did our staff help you? Please tap a score: 1 very dissatisfied, 5 very satisfied."},
    "satisfaction_digits": {"zh": "这次工作人员帮得怎么样？请回复一个 1 到 5 的数字：1 很不满意，5 非常满意。", "en": "How well did our staff help you? Please answer with a digit from 1 to 5: 1 very dissatisfied, 5 very satisfied."},
    "satisfaction_phone": {"zh": "这次工作人员帮得怎么样？请按一个 1 到 5 的数字键，或者直接说出来：1 很不满意，5 非常满意。", "en": "How well did our staff help you? Please press or say a digit from 1 to 5: 1 very dissatisfied, 5 very satisfied."},
    "satisfaction_thanks": {"zh": "谢谢您的评分！以后有需要随时找我们。", "en": "Thank you for your rating! Come back any time you need us."},
    "satisfaction_already": {"zh": "您的评分已经记下了，谢谢！", "en": "Your rating is already recorded. Thank you!"},
    "satisfaction_closed": {"zh": "这个评分已经结束了，谢谢您。有什么需要直接告诉我。", "en": "That rating question has closed, thank you. Just tell me if you need anything."},
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


def api_error(code: str, **values: Any) -> dict[str, str]:
    """An API error's message in both languages."""
    return {lang: API_ERRORS[code][lang].format(**values) for lang in ("zh", "en")}
