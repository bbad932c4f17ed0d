"""What the consultants' console says (pages, and the conversation service's refusals), in Mandarin
and English."""

from __future__ import annotations

from typing import Any

from knowledge.wording import say_from

T: dict[str, dict[str, str]] = {
    "title": {"zh": "CareLine 咨询员控制台", "en": "CareLine consultants' console"},
    "sign_in_heading": {"zh": "咨询员登录", "en": "Consultant sign-in"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "language": {"zh": "语言", "en": "Language"},
    "wrong": {"zh": "用户名或密码不对，请再试一次。", "en": "The username or password is wrong. Please try again."},
    "locked": {"zh": "登录失败的次数太多，这个用户名已锁定 {minutes} 分钟，请稍后再试。忘记密码请联系管理员。",
               "en": "Too many failed sign-ins: this username is locked for {minutes} minutes. Please try again "
                     "later. If you forgot your password, ask an administrator."},
    "form_expired": {"zh": "这个登录页面已经过期，请再登录一次。", "en": "This sign-in page had expired. Please sign in again."},
    "signed_out": {"zh": "您已退出登录。", "en": "You are signed out."},
    "signed_in_as": {"zh": "已登录：{name}（{username}）", "en": "Signed in as {name} ({username})"},
    "districts": {"zh": "负责的区县：{districts}", "en": "Your districts: {districts}"},
    "districts_all": {"zh": "管理员：可以看到所有区县。", "en": "Administrator: you see every district."},
    "need_sign_in": {"zh": "请先登录。", "en": "Please sign in first."},
    "go_sign_in": {"zh": "去登录", "en": "Go to sign-in"},
    "csrf_refused": {"zh": "这个请求没有有效的安全令牌，没有执行。请刷新页面再试。",
                     "en": "This request had no valid security token and was not carried out. Reload the page "
                           "and try again."},
    # the queue
    "queue_heading": {"zh": "等候中的对话", "en": "Waiting conversations"},
    "queue_empty": {"zh": "现在没有等候的对话。", "en": "No conversation is waiting now."},
    "queue_live": {"zh": "这个列表会自动更新，不用刷新页面。", "en": "This list updates by itself; no need to reload."},
    "live_lost": {"zh": "实时更新已断开，正在重新连接……", "en": "Live updates were interrupted; reconnecting…"},
    "emergency_alert": {"zh": "紧急情况：有新的紧急对话在等候！", "en": "Emergency: a new emergency conversation is waiting!"},
    "col_channel": {"zh": "渠道", "en": "Channel"},
    "col_language": {"zh": "语言", "en": "Language"},
    "col_reason": {"zh": "原因", "en": "Reason"},
    "col_summary": {"zh": "摘要", "en": "Summary"},
    "col_waiting": {"zh": "已等候", "en": "Waiting"},
    "col_elder": {"zh": "老人 / 区县", "en": "Elder / district"},
    "col_action": {"zh": "操作", "en": "Action"},
    "channel_phone": {"zh": "电话", "en": "Phone"},
    "channel_telegram": {"zh": "Telegram", "en": "Telegram"},
    "channel_terminal": {"zh": "终端", "en": "Terminal"},
    "channel_cli": {"zh": "终端", "en": "Terminal"},
    "language_zh": {"zh": "中文", "en": "Mandarin"},
    "language_en": {"zh": "英语", "en": "English"},
    "reason_emergency": {"zh": "紧急情况", "en": "Emergency"},
    "reason_requested": {"zh": "要求找工作人员", "en": "Asked for a person"},
    "reason_misunderstood": {"zh": "机器人没听懂", "en": "The bot did not understand"},
    "waiting_minutes": {"zh": "{minutes} 分钟", "en": "{minutes} min"},
    "waiting_hours": {"zh": "{hours} 小时 {minutes} 分钟", "en": "{hours} h {minutes} min"},
    "unknown_elder": {"zh": "未知老人", "en": "Unknown elder"},
    "in_progress": {"zh": "正在处理的对话", "en": "Conversations in progress"},
    "col_holder": {"zh": "处理人", "en": "Handled by"},
    "claim": {"zh": "接手", "en": "Take"},
    "claim_label": {"zh": "接手对话 {id}", "en": "Take conversation {id}"},
    "open": {"zh": "打开", "en": "Open"},
    "open_label": {"zh": "打开对话 {id}", "en": "Open conversation {id}"},
    "back_to_queue": {"zh": "返回等候列表", "en": "Back to the queue"},
    # a conversation
    "conversation_heading": {"zh": "对话 {id}", "en": "Conversation {id}"},
    "status_waiting": {"zh": "正在等工作人员接手。", "en": "Waiting for a member of staff."},
    "status_taken_by": {"zh": "{name}正在处理这个对话。", "en": "{name} is handling this conversation."},
    "status_yours": {"zh": "您正在处理这个对话。", "en": "You are handling this conversation."},
    "status_bot": {"zh": "机器人正在处理这个对话。", "en": "The bot is handling this conversation."},
    "status_resolved": {"zh": "这个对话已经结束。", "en": "This conversation is resolved."},
    "transcript": {"zh": "对话记录", "en": "Transcript"},
    "sender_user": {"zh": "来电人", "en": "Person"},
    "sender_bot": {"zh": "机器人", "en": "Bot"},
    "sender_system": {"zh": "系统", "en": "System"},
    "sender_consultant": {"zh": "工作人员", "en": "Consultant"},
    "sender_note": {"zh": "内部备注（来电人看不到）", "en": "Private note (not shown to the person)"},
    "confidence": {"zh": "识别把握：{percent}%", "en": "recognised with {percent}% confidence"},
    "profile": {"zh": "老人资料", "en": "Elder's profile"},
    "no_profile": {"zh": "还不知道是哪位老人。", "en": "The elder is not known yet."},
    "age": {"zh": "年龄", "en": "Age"},
    "gender": {"zh": "性别", "en": "Gender"},
    "gender_female": {"zh": "女", "en": "female"},
    "gender_male": {"zh": "男", "en": "male"},
    "place": {"zh": "住址", "en": "Place"},
    "care_level": {"zh": "护理等级", "en": "Care level"},
    "lives_alone": {"zh": "独居", "en": "Lives alone"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "bookings": {"zh": "预约", "en": "Bookings"},
    "family": {"zh": "家属", "en": "Family"},
    "primary_contact": {"zh": "主要联系人", "en": "primary contact"},
    "qualifies": {"zh": "可享受的政策", "en": "What they qualify for"},
    "slots": {"zh": "机器人记下的信息", "en": "What the bot noted"},
    "no_slots": {"zh": "（没有）", "en": "(none)"},
    "reply": {"zh": "回复来电人", "en": "Reply to the person"},
    "send": {"zh": "发送", "en": "Send"},
    "note": {"zh": "内部备注", "en": "Private note"},
    "add_note": {"zh": "添加备注", "en": "Add note"},
    "hand_back": {"zh": "交回机器人", "en": "Hand back to the bot"},
    "resolve": {"zh": "结束对话", "en": "Resolve"},
    "outcome": {"zh": "结果", "en": "Outcome"},
    "outcome_answered": {"zh": "已解答", "en": "Answered"},
    "outcome_booked": {"zh": "已预约", "en": "Booked"},
    "outcome_referred": {"zh": "已转介", "en": "Referred"},
    "outcome_emergency_handled": {"zh": "紧急情况已处理", "en": "Emergency handled"},
    "outcome_no_reply": {"zh": "没有回应", "en": "No reply"},
    "outcome_other": {"zh": "其他", "en": "Other"},
    "transfer": {"zh": "转给同事", "en": "Transfer"},
    "transfer_to": {"zh": "转给", "en": "Transfer to"},
    "not_found_heading": {"zh": "找不到这个对话", "en": "Conversation not found"},
    # the navigation and the dashboard
    "pages": {"zh": "页面", "en": "Pages"},
    "nav_queue": {"zh": "等候列表", "en": "Queue"},
    "nav_dashboard": {"zh": "统计", "en": "Dashboard"},
    "dashboard_heading": {"zh": "统计概览", "en": "Dashboard"},
    "dashboard_scope": {"zh": "只统计您负责的区县。", "en": "Figures for your districts only."},
    "dashboard_explained": {"zh": "“等候”是现在的情况；其余是今天（各区县当地时间）的数字。中位数：一半比它小，一半比它大。更新于 {time}，刷新页面可以看最新数字。",
                            "en": "Waiting is as of now; the other figures are for today (each district's local day). A median: half the values are below it, half above. As of {time}; reload the page for fresh figures."},
    "by_district": {"zh": "按区县", "en": "By district"},
    "by_consultant": {"zh": "按工作人员（今天）", "en": "By consultant (today)"},
    "col_district": {"zh": "区县", "en": "District"},
    "col_consultant": {"zh": "工作人员", "en": "Consultant"},
    "overall": {"zh": "合计", "en": "Overall"},
    "fig_waiting": {"zh": "正在等候", "en": "Waiting now"},
    "fig_longest": {"zh": "最长等候", "en": "Longest wait"},
    "fig_handled": {"zh": "今天处理", "en": "Handled today"},
    "fig_first_reply": {"zh": "首次回复用时（中位数）", "en": "Time to first reply (median)"},
    "fig_satisfaction": {"zh": "满意度（中位数，1–5）", "en": "Satisfaction (median, 1–5)"},
    "fig_ratings": {"zh": "评分数", "en": "Ratings"},
    "no_figure": {"zh": "—", "en": "—"},
    "no_consultants": {"zh": "还没有工作人员。", "en": "No consultants yet."},
    "duration_seconds": {"zh": "{seconds} 秒", "en": "{seconds} s"},
    "duration_minutes": {"zh": "{minutes} 分 {seconds} 秒", "en": "{minutes} min {seconds} s"},
    "duration_hours": {"zh": "{hours} 小时 {minutes} 分", "en": "{hours} h {minutes} min"},
    # the conversation service's refusals
    "not_found": {"zh": "没有这个对话，或者它不属于您的区县。", "en": "There is no such conversation, or it is not in your district."},
    "taken": {"zh": "{name}已经接手了这个对话。", "en": "{name} has already taken this conversation."},
    "nothing_to_claim": {"zh": "这个对话没有在等工作人员。", "en": "This conversation is not waiting for a member of staff."},
    "not_yours": {"zh": "请先接手这个对话，才能回复、交回或结束它。", "en": "Take this conversation first to reply to it, hand it back or resolve it."},
    "empty_text": {"zh": "请输入要发送的内容。", "en": "Please type something to send."},
    "text_too_long": {"zh": "内容太长了（最多 {limit} 个字）。", "en": "That is too long (at most {limit} characters)."},
    "bad_outcome": {"zh": "请选择一个结果：{outcomes}。", "en": "Please choose an outcome: {outcomes}."},
    "unknown_consultant": {"zh": "没有这位工作人员，或者他不在这个对话的区县。", "en": "There is no such consultant in this conversation's district."},
}

#: what the console's routes answer a program (fetch, a test) in the hub's JSON error shape
API_ERRORS: dict[str, dict[str, str]] = {
    "console_unauthenticated": {"zh": "需要先登录控制台。", "en": "Sign in to the console first."},
    "console_csrf": T["csrf_refused"],
}

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def t(key: str, lang: str, **values: Any) -> str:
    return say_from(T, key, lang, **values)


def label(prefix: str, value: str | None, lang: str) -> str:
    """The wording of a code (a channel, a reason, an outcome); the code itself when unknown."""
    key = f"{prefix}_{value}"
    return t(key, lang) if key in T else (value or "")


def api_error(code: str) -> dict[str, str]:
    return dict(API_ERRORS[code])
