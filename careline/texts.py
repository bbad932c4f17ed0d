"""Fixed texts of the command line, in Mandarin and English."""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "db_upgraded": {"zh": "数据库已是最新结构（版本 {revision}）。", "en": "The database schema is up to date (revision {revision})."},
    "db_not_ready": {"zh": "数据库结构不是最新的，请先运行 careline db upgrade。", "en": "The database schema is not up to date; run careline db upgrade first."},
    "db_unreachable": {"zh": "连不上数据库：{detail}", "en": "Cannot reach the database: {detail}"},
    "path_missing": {"zh": "找不到这个路径：{path}", "en": "This path does not exist: {path}"},
    "import_ok": {"zh": "导入完成。", "en": "Import finished."},
    "dry_run": {"zh": "试运行：以下是将会发生的变化，数据库没有改动。", "en": "Dry run: these are the changes an import would make; the database was not changed."},
    "district_line": {"zh": "区县 {district}{new}：", "en": "District {district}{new}:"},
    "district_new": {"zh": "（新增）", "en": " (new)"},
    "nothing_changed": {"zh": "  没有变化。", "en": "  nothing changed."},
    "change_line": {"zh": "  {what}：{parts}", "en": "  {what}: {parts}"},
    "created": {"zh": "新增 {n}", "en": "{n} created"},
    "updated": {"zh": "更新 {n}", "en": "{n} updated"},
    "retired": {"zh": "停用 {n}", "en": "{n} retired"},
    "unchanged": {"zh": "未变 {n}", "en": "{n} unchanged"},
    "export_ok": {"zh": "已导出 {n} 个区县到 {path}。", "en": "Exported {n} district(s) to {path}."},
    "export_none": {"zh": "数据库里没有可导出的区县。", "en": "There is no district in the database to export."},
    "samples_loaded": {"zh": "首次启动：已载入示例区县数据。", "en": "First start: the sample districts were loaded."},
    "chat_intro": {"zh": "CareLine 对话（输入 /quit 退出；有选项时输入序号选择）。", "en": "CareLine chat (type /quit to leave; type a number to pick an option)."},
    "chat_no_engine": {"zh": "连不上对话引擎（{url}）。请先运行 careline run。", "en": "Cannot reach the dialogue engine ({url}). Start it with careline run first."},
    "elder_unknown": {"zh": "找不到这位老人：{elder_key}", "en": "No elder with this key: {elder_key}"},
    "link_code": {"zh": "{elder}的绑定码：{code}（{hours}小时内有效，只能用一次）。家属在 Telegram 里发送 /link {code}。", "en": "Link code for {elder}: {code} (works once, for {hours} hours). The family member sends /link {code} on Telegram."},
    "webhook_secret_missing": {"zh": "Telegram webhook 模式必须设置密钥 CARELINE_TELEGRAM_WEBHOOK_SECRET（1-256 个字母、数字、_ 或 -），否则任何人都能冒充 Telegram 发消息", "en": "Telegram webhook mode needs CARELINE_TELEGRAM_WEBHOOK_SECRET (1-256 letters, digits, _ or -); without it anyone could post updates pretending to be Telegram"},
    "settings_invalid": {"zh": "设置有误，未启动：", "en": "The settings are wrong; nothing was started:"},
    "unlink_done": {"zh": "已解除 {n} 个家属账号与{elder}的绑定，他们不会再收到{elder}的提醒。", "en": "Unlinked {n} family account(s) from {elder}; they no longer get {elder}'s alerts."},
    "unlink_none": {"zh": "没有找到要解除的绑定。", "en": "There was no such link to remove."},
    "unlink_list": {"zh": "{elder}绑定的家属账号（用 --account 渠道:编号 或 --all 解除）：", "en": "Family accounts linked to {elder} (remove with --account CHANNEL:ID or --all):"},
    "unlink_line": {"zh": "  {account}（语言 {language}，绑定于 {since}）", "en": "  {account} (language {language}, linked {since})"},
    "unlink_nobody": {"zh": "没有家属账号绑定{elder}。", "en": "No family account is linked to {elder}."},
    "unlink_both": {"zh": "--account 和 --all 只能用一个。", "en": "Use either --account or --all, not both."},
    "hub_listening": {"zh": "会话中心在 http://{host}:{port} 运行。", "en": "The conversation hub is listening on http://{host}:{port}."},
    "starting": {"zh": "正在启动：{names}", "en": "Starting: {names}"},
    "unexpected": {"zh": "出了意外错误（{error}），已记入日志，数据没有改动。请联系维护人员。",
                   "en": "An unexpected error occurred ({error}); it was logged and no data was changed. Please contact the maintainers."},
    "model_trained": {"zh": "对话模型已训练：{model}", "en": "Dialogue model trained: {model}"},
    "model_current": {"zh": "对话模型是最新的：{model}", "en": "The dialogue model is up to date: {model}"},
    "schedules_extended": {"zh": "已生成 {n} 个新的活动场次。", "en": "{n} new activity sessions were scheduled."},
    "models_heading": {"zh": "语音引擎（{language}）：", "en": "Speech engines ({language}):"},
    "models_stt": {"zh": "  语音识别：{engine}，模型 {model}{note}", "en": "  recognition: {engine}, model {model}{note}"},
    "models_note_default": {"zh": "（未配置 Vosk 模型，用内置离线模型）", "en": " (no Vosk model configured: the packaged offline default)"},
    "models_note_configured": {"zh": "（已配置）", "en": " (configured)"},
    "models_note_invalid": {"zh": "（配置的 Vosk 模型无效，改用内置离线模型：{problems}）", "en": " (the configured Vosk model is not valid, using the packaged default: {problems})"},
    "models_tts": {"zh": "  语音合成：{online}，离线 {offline}（{voice}，语速 {rate}）", "en": "  synthesis: {online}, offline {offline} ({voice}, rate {rate})"},
    "models_online": {"zh": "在线 gTTS（{url}，超时 {timeout} 秒）", "en": "online gTTS ({url}, timeout {timeout} s)"},
    "models_online_off": {"zh": "不用在线语音", "en": "online voice off"},
    "models_installed": {"zh": "已安装：{items}", "en": "Installed: {items}"},
    "models_missing": {"zh": "未安装：{items}", "en": "Not installed: {items}"},
    "model_ok": {"zh": "{path} 是有效的 Vosk 模型。", "en": "{path} is a valid Vosk model."},
    "model_bad": {"zh": "{path} 不是有效的 Vosk 模型：", "en": "{path} is not a valid Vosk model:"},
    "model_problem": {"zh": "  - {problem}", "en": "  - {problem}"},
}

KIND_NAMES: dict[str, dict[str, str]] = {
    "district": {"zh": "区县", "en": "district"},
    "places": {"zh": "地点", "en": "places"},
    "service_points": {"zh": "服务点", "en": "service points"},
    "policies": {"zh": "政策与补贴", "en": "policies and subsidies"},
    "activities": {"zh": "活动", "en": "activities"},
    "activity_sessions": {"zh": "活动场次", "en": "activity sessions"},
    "meal_services": {"zh": "助餐服务", "en": "meal services"},
    "home_services": {"zh": "上门服务", "en": "home services"},
    "elders": {"zh": "老人档案", "en": "elder profiles"},
    "family_members": {"zh": "家属", "en": "family members"},
    "volunteers": {"zh": "志愿者", "en": "volunteers"},
    "consultants": {"zh": "咨询员", "en": "consultants"},
}


def say(key: str, lang: str, **params: Any) -> str:
    return TEXTS[key][lang].format(**params)
