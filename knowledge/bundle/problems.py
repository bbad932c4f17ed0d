"""Problems found in a bundle, and how they are said in plain words in Mandarin and English."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from careline.catalogue import N_, placeholders, say

# Pydantic's error types (and ours, prefixed careline_) in plain words. {…} are filled from ctx.
REASONS = {
    "missing": N_("bundle.problem.missing"),
    "extra_forbidden": N_("bundle.problem.extra_forbidden"),
    "string_type": N_("bundle.problem.string_type"),
    "string_too_short": N_("bundle.problem.string_too_short"),
    "string_too_long": N_("bundle.problem.string_too_long"),
    "pattern_key": N_("bundle.problem.pattern_key"),
    "pattern_time": N_("bundle.problem.pattern_time"),
    "pattern_time_range": N_("bundle.problem.pattern_time_range"),
    "string_pattern_mismatch": N_("bundle.problem.string_pattern_mismatch"),
    "int_type": N_("bundle.problem.int_type"),
    "int_parsing": N_("bundle.problem.int_parsing"),
    "int_from_float": N_("bundle.problem.int_from_float"),
    "float_type": N_("bundle.problem.float_type"),
    "float_parsing": N_("bundle.problem.float_parsing"),
    "decimal_type": N_("bundle.problem.decimal_type"),
    "decimal_parsing": N_("bundle.problem.decimal_parsing"),
    "decimal_max_places": N_("bundle.problem.decimal_max_places"),
    "decimal_max_digits": N_("bundle.problem.decimal_max_digits"),
    "bool_type": N_("bundle.problem.bool_type"),
    "bool_parsing": N_("bundle.problem.bool_parsing"),
    "date_type": N_("bundle.problem.date_type"),
    "date_parsing": N_("bundle.problem.date_parsing"),
    "date_from_datetime_parsing": N_("bundle.problem.date_from_datetime_parsing"),
    "date_from_datetime_inexact": N_("bundle.problem.date_from_datetime_inexact"),
    "datetime_type": N_("bundle.problem.datetime_type"),
    "datetime_parsing": N_("bundle.problem.datetime_parsing"),
    "datetime_from_date_parsing": N_("bundle.problem.datetime_from_date_parsing"),
    "literal_error": N_("bundle.problem.literal_error"),
    "greater_than_equal": N_("bundle.problem.greater_than_equal"),
    "greater_than": N_("bundle.problem.greater_than"),
    "less_than_equal": N_("bundle.problem.less_than_equal"),
    "less_than": N_("bundle.problem.less_than"),
    "too_short": N_("bundle.problem.too_short"),
    "list_type": N_("bundle.problem.list_type"),
    "model_type": N_("bundle.problem.model_type"),
    "dict_type": N_("bundle.problem.dict_type"),
    "model_attributes_type": N_("bundle.problem.model_attributes_type"),
    "careline_phone": N_("bundle.problem.careline_phone"),
    "careline_opening_hours": N_("bundle.problem.careline_opening_hours"),
    "careline_timezone": N_("bundle.problem.careline_timezone"),
    "careline_rule_symbol": N_("bundle.problem.careline_rule_symbol"),
    "careline_rule_syntax": N_("bundle.problem.careline_rule_syntax"),
    "careline_rule_value": N_("bundle.problem.careline_rule_value"),
    "careline_rule_type": N_("bundle.problem.careline_rule_type"),
    "careline_rule_fact_type": N_("bundle.problem.careline_rule_fact_type"),
    "careline_rule_range": N_("bundle.problem.careline_rule_range"),
    "careline_band_value": N_("bundle.problem.careline_band_value"),
    "careline_repeat": N_("bundle.problem.careline_repeat"),
    "careline_activity_where": N_("bundle.problem.careline_activity_where"),
    "careline_activity_when": N_("bundle.problem.careline_activity_when"),
    "careline_activity_time": N_("bundle.problem.careline_activity_time"),
    "careline_reply_languages": N_("bundle.problem.careline_reply_languages"),
    "careline_reply_title": N_("bundle.problem.careline_reply_title"),
    "careline_birth_date": N_("bundle.problem.careline_birth_date"),
    "file_missing": N_("bundle.problem.file_missing"),
    "file_unknown": N_("bundle.problem.file_unknown"),
    "file_empty": N_("bundle.problem.file_empty"),
    "file_encoding": N_("bundle.problem.file_encoding"),
    "file_yaml": N_("bundle.problem.file_yaml"),
    "file_not_list": N_("bundle.problem.file_not_list"),
    "file_not_mapping": N_("bundle.problem.file_not_mapping"),
    "format_unknown": N_("bundle.problem.format_unknown"),
    "duplicate_key": N_("bundle.problem.duplicate_key"),
    "unknown_reference": N_("bundle.problem.unknown_reference"),
    "rule_place": N_("bundle.problem.rule_place"),
    "rule_district": N_("bundle.problem.rule_district"),
    "far_point": N_("bundle.problem.far_point"),
    "far_point_middle": N_("bundle.problem.far_point_middle"),
    "far_centre": N_("bundle.problem.far_centre"),
    "parent_cycle": N_("bundle.problem.parent_cycle"),
    "duplicate_district": N_("bundle.problem.duplicate_district"),
    "duplicate_username": N_("bundle.problem.duplicate_username"),
    "console_account": N_("bundle.problem.console_account"),
    "no_bundle": N_("bundle.problem.no_bundle"),
    "invalid_value": N_("bundle.problem.invalid_value"),
}

#: what a reference may point at, as a reason names it
TARGETS = {"place": N_("bundle.target.place"), "service_point": N_("bundle.target.service_point"),
           "elder": N_("bundle.target.elder")}

#: the kinds of value a rule compares, as a reason names them
KINDS = {"number": N_("bundle.kind.number"), "yes_no": N_("bundle.kind.yes_no"),
         "text": N_("bundle.kind.text"), "null": N_("bundle.kind.null"), "list": N_("bundle.kind.list")}
_WORDS = {*TARGETS.values(), *KINDS.values()}


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
        key = REASONS.get(self.code, REASONS["invalid_value"])
        params = {k: _say(v, lang) for k, v in self.params.items() if k != "suggestion"}
        if "did_you_mean" in placeholders(key):  # "(did you mean age?)", or nothing without a suggestion
            suggestion = self.params.get("suggestion")
            params["did_you_mean"] = say("bundle.did_you_mean", lang, suggestion=suggestion) if suggestion else ""
        if "expected" in params:
            params["expected"] = params["expected"].replace(" or ", ", ")
        if set(placeholders(key)) - set(params):  # pydantic's ctx lacks what our wording names
            return say("bundle.problem.invalid_value", lang, detail=params)
        return say(key, lang, **params)

    def location(self, lang: str) -> str:
        parts = [self.file]
        if self.item is not None:
            where = say("bundle.item", lang, n=self.item)
            if self.key:
                where += f" (key: {self.key})"
            parts.append(where)
        if self.field:
            field = say("bundle.field", lang)
            parts.append(f"{field} {self.field}")
        return ", ".join(parts)

    def say(self, lang: str) -> str:
        return f"{self.location(lang)}: {self.reason(lang)}"


def _say(value: Any, lang: str) -> str:
    """A parameter in ``lang``: a target or a kind is said through the catalogue, anything else as it is."""
    if value in _WORDS:
        return say(value, lang)
    return str(value)


def summary(problems: list[Problem], lang: str) -> str:
    return say("bundle.problems", lang, n=len(problems))
