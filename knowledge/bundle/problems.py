"""Problems found in a bundle, and how they are said in plain words in Mandarin and English."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

# Pydantic's error types (and ours, prefixed careline_) in plain words. {…} are filled from ctx.
REASONS: dict[str, dict[str, str]] = {
    "missing": {"zh": "必填，但没有填写", "en": "is required but missing"},
    "extra_forbidden": {"zh": "不认识这个字段（是不是拼错了？）", "en": "is not a known field (a typo?)"},
    "string_type": {"zh": "应该是文字", "en": "should be text"},
    "string_too_short": {"zh": "不能为空", "en": "must not be empty"},
    "string_too_long": {"zh": "太长了（最多 {max_length} 个字）", "en": "is too long (at most {max_length} characters)"},
    "pattern_key": {"zh": "格式不对：只能用小写字母、数字和 - _ .，以字母或数字开头", "en": "has the wrong format: use lower-case letters, digits and - _ . only, starting with a letter or digit"},
    "pattern_time": {"zh": "应该是时间，例如 09:30", "en": "should be a time such as 09:30"},
    "pattern_time_range": {"zh": "应该是时间段，例如 11:00-12:30", "en": "should be a time range such as 11:00-12:30"},
    "string_pattern_mismatch": {"zh": "格式不对，应符合 {pattern}", "en": "has the wrong format; expected {pattern}"},
    "int_type": {"zh": "应该是整数", "en": "should be a whole number"},
    "int_parsing": {"zh": "应该是整数", "en": "should be a whole number"},
    "int_from_float": {"zh": "应该是整数，不能有小数", "en": "should be a whole number, without decimals"},
    "float_type": {"zh": "应该是数字", "en": "should be a number"},
    "float_parsing": {"zh": "应该是数字", "en": "should be a number"},
    "decimal_type": {"zh": "应该是金额或数字", "en": "should be an amount or number"},
    "decimal_parsing": {"zh": "应该是金额或数字", "en": "should be an amount or number"},
    "decimal_max_places": {"zh": "小数位太多（最多 {decimal_places} 位）", "en": "has too many decimal places (at most {decimal_places})"},
    "decimal_max_digits": {"zh": "数字太大", "en": "is too large"},
    "bool_type": {"zh": "应该是 true 或 false", "en": "should be true or false"},
    "bool_parsing": {"zh": "应该是 true 或 false", "en": "should be true or false"},
    "date_type": {"zh": "应该是日期，例如 1945-03-08", "en": "should be a date such as 1945-03-08"},
    "date_parsing": {"zh": "应该是日期，例如 1945-03-08", "en": "should be a date such as 1945-03-08"},
    "date_from_datetime_parsing": {"zh": "应该是日期，例如 1945-03-08", "en": "should be a date such as 1945-03-08"},
    "date_from_datetime_inexact": {"zh": "应该是日期，不带时间", "en": "should be a date without a time"},
    "datetime_type": {"zh": "应该是日期和时间，例如 2026-12-01 09:30", "en": "should be a date and time such as 2026-12-01 09:30"},
    "datetime_parsing": {"zh": "应该是日期和时间，例如 2026-12-01 09:30", "en": "should be a date and time such as 2026-12-01 09:30"},
    "datetime_from_date_parsing": {"zh": "应该是日期和时间，例如 2026-12-01 09:30", "en": "should be a date and time such as 2026-12-01 09:30"},
    "literal_error": {"zh": "只能是以下之一：{expected}", "en": "must be one of: {expected}"},
    "greater_than_equal": {"zh": "不能小于 {ge}", "en": "must be at least {ge}"},
    "greater_than": {"zh": "必须大于 {gt}", "en": "must be more than {gt}"},
    "less_than_equal": {"zh": "不能大于 {le}", "en": "must be at most {le}"},
    "less_than": {"zh": "必须小于 {lt}", "en": "must be less than {lt}"},
    "too_short": {"zh": "至少要有 {min_length} 项", "en": "needs at least {min_length} entries"},
    "list_type": {"zh": "应该是列表（每项以 - 开头）", "en": "should be a list (one '- ' line per entry)"},
    "model_type": {"zh": "应该是一组字段（键: 值）", "en": "should be a set of fields (key: value)"},
    "dict_type": {"zh": "应该是一组字段（键: 值）", "en": "should be a set of fields (key: value)"},
    "model_attributes_type": {"zh": "应该是一组字段（键: 值）", "en": "should be a set of fields (key: value)"},
    "careline_phone": {"zh": "不是电话号码：{value}", "en": "is not a phone number: {value}"},
    "careline_opening_hours": {"zh": "营业时间格式不对（用 OpenStreetMap 写法，如 Mo-Fr 08:00-17:00）：{detail}",
                               "en": "is not valid opening hours (use OpenStreetMap syntax such as Mo-Fr 08:00-17:00): {detail}"},
    "careline_timezone": {"zh": "不认识的时区：{value}", "en": "is an unknown time zone: {value}"},
    "careline_rule_symbol": {"zh": "规则里用了不认识的条件名：{name}", "en": "the rule names an unknown fact: {name}"},
    "careline_rule_syntax": {"zh": "规则写法有误，无法解析：{detail}", "en": "the rule does not parse: {detail}"},
    "careline_rule_value": {"zh": "规则里的“{value}”不是 {fact} 的取值；可用：{allowed}", "en": "'{value}' is not a value of {fact}; use one of: {allowed}"},
    "careline_rule_type": {"zh": "规则里比较了不同类型的值：{detail}", "en": "the rule compares values of different kinds: {detail}"},
    "careline_repeat": {"zh": "重复规则（RRULE）写法有误：{detail}", "en": "is not a valid repeat rule (RRULE): {detail}"},
    "careline_activity_where": {"zh": "需要填写 service_point 或 place", "en": "needs a service_point or a place"},
    "careline_activity_when": {"zh": "需要填写 repeat 重复规则或 sessions 场次", "en": "needs a repeat rule or sessions"},
    "careline_activity_time": {"zh": "有 repeat 时必须填写 time（HH:MM）", "en": "a repeat rule needs a time (HH:MM)"},
    "careline_reply_languages": {"zh": "title 和 text 要用同样的语言写（zh、en 或两种都写），至少一种",
                                 "en": "title and text must be written in the same languages (zh, en or both), at least one"},
    "careline_reply_title": {"zh": "标题太长了（最多 {max_length} 个字）", "en": "the title is too long (at most {max_length} characters)"},
    "careline_birth_date": {"zh": "出生日期不合理：{value}", "en": "is not a plausible birth date: {value}"},
    # problems found by the loader and the cross-checks
    "file_missing": {"zh": "缺少这个文件", "en": "this file is missing"},
    "file_unknown": {"zh": "不认识的文件名；应为：{expected}", "en": "is not a bundle file name; expected one of: {expected}"},
    "file_empty": {"zh": "文件是空的；请删除它或填写内容", "en": "the file is empty; delete it or add entries"},
    "file_encoding": {"zh": "第 {line} 行有不是 UTF-8 的字节，请用 UTF-8 保存文件", "en": "line {line} has bytes that are not UTF-8; save the file as UTF-8"},
    "file_yaml": {"zh": "第 {line} 行第 {column} 列 YAML 写法有误：{detail}", "en": "line {line}, column {column} is not valid YAML: {detail}"},
    "file_not_list": {"zh": "文件内容应该是列表（每项以 - 开头）", "en": "the file should hold a list (one '- ' entry per item)"},
    "file_not_mapping": {"zh": "文件内容应该是一组字段（键: 值）", "en": "the file should hold a set of fields (key: value)"},
    "format_unknown": {"zh": "不是 CareLine 区县数据包（format 应为 careline-district-bundle）",
                       "en": "is not a CareLine district bundle (format should be careline-district-bundle)"},
    "duplicate_key": {"zh": "key「{key}」重复了（第一次出现在第 {first} 项）", "en": "key '{key}' is used twice (first at item {first})"},
    "unknown_reference": {"zh": "引用了不存在的{target}：「{key}」", "en": "refers to {target} that does not exist: '{key}'"},
    "parent_cycle": {"zh": "上级地点形成了循环", "en": "the parent places form a loop"},
    "duplicate_district": {"zh": "区县 key「{key}」在 {other} 中也出现了", "en": "district key '{key}' also appears in {other}"},
    "duplicate_username": {"zh": "用户名「{key}」已被其他区县的咨询员使用", "en": "username '{key}' is already used by a consultant of another district"},
    "console_account": {"zh": "用户名「{key}」是用 careline consultant add 建的控制台账号；要在数据包里列出它，key 和用户名都写「{account_key}」，否则请换一个",
                        "en": "username '{key}' is a console account made with careline consultant add; to list it in the bundle use '{account_key}' as both key and username, else choose another"},
    "no_bundle": {"zh": "这里没有区县数据包（找不到 district.yaml）", "en": "no district bundle here (no district.yaml found)"},
    "invalid_value": {"zh": "取值无效：{detail}", "en": "has an invalid value: {detail}"},
}

TARGETS: dict[str, dict[str, str]] = {
    "place": {"zh": "地点", "en": "a place"},
    "service_point": {"zh": "服务点", "en": "a service point"},
    "elder": {"zh": "老人", "en": "an elder"},
}

LABELS = {
    "zh": {"item": "第 {n} 项", "field": "字段", "problems": "发现 {n} 个问题，什么都没有写入数据库。"},
    "en": {"item": "item {n}", "field": "field", "problems": "{n} problem(s) found; nothing was written to the database."},
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a bundle, with where it is: file, item, field."""

    file: str
    code: str
    item: int | None = None
    key: str | None = None
    field: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def reason(self, lang: str) -> str:
        template = REASONS.get(self.code, REASONS["invalid_value"])[lang]
        params = {k: _say(v, lang) for k, v in self.params.items()}
        if "expected" in params:
            params["expected"] = params["expected"].replace(" or ", ", ")
        try:
            return template.format(**params)
        except (KeyError, IndexError):
            return REASONS["invalid_value"][lang].format(detail=params)

    def location(self, lang: str) -> str:
        parts = [self.file]
        if self.item is not None:
            where = LABELS[lang]["item"].format(n=self.item)
            if self.key:
                where += f" (key: {self.key})"
            parts.append(where)
        if self.field:
            parts.append(f"{LABELS[lang]['field']} {self.field}")
        return ", ".join(parts)

    def say(self, lang: str) -> str:
        return f"{self.location(lang)}: {self.reason(lang)}"


def _say(value: Any, lang: str) -> str:
    if isinstance(value, dict) and lang in value:
        return str(value[lang])
    return str(value)


def summary(problems: list[Problem], lang: str) -> str:
    return LABELS[lang]["problems"].format(n=len(problems))
