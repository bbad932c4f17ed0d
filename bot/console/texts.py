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
    "queue_soon": {"zh": "等候的会话将显示在这里。", "en": "Waiting conversations will be shown here."},
    "need_sign_in": {"zh": "请先登录。", "en": "Please sign in first."},
    "go_sign_in": {"zh": "去登录", "en": "Go to sign-in"},
    "csrf_refused": {"zh": "这个请求没有有效的安全令牌，没有执行。请刷新页面再试。",
                     "en": "This request had no valid security token and was not carried out. Reload the page "
                           "and try again."},
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


def api_error(code: str) -> dict[str, str]:
    return dict(API_ERRORS[code])
