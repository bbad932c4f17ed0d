"""Eligibility rules checked fact by fact, in words an administrator can act on.

rule-engine's own check stops at the first unknown name and says only "data type mismatch", and
lets through comparisons that can never hold (``lives_alone == 1``, ``income_status == 3``,
``care_level >= 9``). Here every comparison of a fact with a written value is checked: the fact
exists (else the nearest name is suggested), the value is of the fact's kind, one of its values,
within its range; ``place`` and ``district`` values are keys of the bundle (:func:`key_problems`).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import rule_engine
from pydantic_core import PydanticCustomError
from rule_engine import ast

from knowledge.bundle.problems import KINDS, Problem
from knowledge.facts import FACTS, Fact, compile_rule

_FACT_KINDS = {rule_engine.DataType.FLOAT: "number", rule_engine.DataType.BOOLEAN: "yes_no",
               rule_engine.DataType.STRING: "text"}
_LITERAL_KINDS: dict[type, str] = {ast.FloatExpression: "number", ast.BooleanExpression: "yes_no",
                                   ast.StringExpression: "text", ast.NullExpression: "null",
                                   ast.ArrayExpression: "list", ast.SetExpression: "list"}
_OPERATORS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
              "eq_fzm": "=~", "eq_fzs": "=~~", "ne_fzm": "!~", "ne_fzs": "!~~"}
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_REGEX = {"=~", "=~~", "!~", "!~~"}  # the value is a pattern, not a value of the fact
_YES = {"1", "yes", "y", "true", "是", "有"}
_NO = {"0", "no", "n", "false", "否", "不是", "没有", "无"}


@dataclass(frozen=True)
class Comparison:
    """A fact compared with a value written in the rule, the fact on the left."""

    fact: str
    operator: str  # ==, !=, <, <=, >, >=, in (one member of a list), or a regex match
    kind: str  # of the value: a key of KINDS
    value: Any

    @property
    def written(self) -> str:
        """The value as the rule writes it."""
        if self.kind == "text":
            return json.dumps(self.value, ensure_ascii=False)
        if self.kind == "yes_no":
            return "true" if self.value else "false"
        if self.kind == "null":
            return "null"
        if self.kind == "list":
            return "[…]"
        return str(self.value)


def _children(node: ast.ASTNodeBase) -> Iterator[ast.ExpressionBase]:
    names = [n for cls in type(node).__mro__ for n in getattr(cls, "__slots__", ())]
    for name in [*names, *getattr(node, "__dict__", {})]:
        if name == "context":
            continue
        value = getattr(node, name, None)
        for child in value if isinstance(value, tuple | list) else (value,):
            if isinstance(child, ast.ExpressionBase):
                yield child


def _kind(node: ast.ExpressionBase) -> str | None:
    return next((kind for cls, kind in _LITERAL_KINDS.items() if type(node) is cls), None)


def _walk(node: ast.ExpressionBase, symbols: list[str], found: list[Comparison]) -> None:
    if isinstance(node, ast.SymbolExpression) and node.scope is None and node.name not in symbols:
        symbols.append(node.name)
    if isinstance(node, ast.ComparisonExpression):
        operator = _OPERATORS.get(node.type, node.type)
        for fact, value, mirrored in ((node.left, node.right, False), (node.right, node.left, True)):
            kind = _kind(value)
            if isinstance(fact, ast.SymbolExpression) and kind is not None:
                found.append(Comparison(fact.name, _MIRRORED.get(operator, operator) if mirrored else operator,
                                        kind, value.value))
    elif isinstance(node, ast.ContainsExpression) and isinstance(node.member, ast.SymbolExpression) \
            and _kind(node.container) == "list":
        for element in node.container.value:
            kind = _kind(element)
            if kind is not None:
                found.append(Comparison(node.member.name, "in", kind, element.value))
    for child in _children(node):
        _walk(child, symbols, found)


def read_rule(rule: str) -> tuple[list[str], list[Comparison]]:
    """The names a rule uses and its comparisons of a fact with a value, in order (nothing for a
    rule that does not parse). Read without the facts' types, so a mistake does not hide the rest."""
    try:
        statement = rule_engine.Rule(rule, context=rule_engine.Context())
    except rule_engine.errors.EngineError:
        return [], []
    symbols: list[str] = []
    found: list[Comparison] = []
    _walk(statement.statement.expression, symbols, found)
    return symbols, found


def _closest(word: str, choices: Any) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not found:
        found = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _unknown_fact(name: str) -> PydanticCustomError:
    return PydanticCustomError(
        "careline_rule_symbol", "the rule names an unknown fact: {name}",
        {"name": name, "suggestion": _closest(name, FACTS), "known": ", ".join(FACTS)},
    )


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _example(c: Comparison, fact: Fact, kind: str) -> str:
    """The comparison written right, or a comparison of this fact that is."""
    operator = "==" if c.operator in {"in", *_REGEX} else c.operator
    if kind == "yes_no":
        said = str(c.value).strip().lower()
        if operator in {"==", "!="} and said in _YES | _NO:
            return c.fact if (said in _YES) == (operator == "==") else f"not {c.fact}"
        return f"{c.fact} / not {c.fact}"
    if kind == "number":
        number = _number(c.value) if c.kind == "text" else None
        if number is None:
            low, high = fact.bounds or (0, 100)
            number, operator = Decimal(round((low + high) / 2)), ">=" if operator in {"==", "!="} else operator
        return f"{c.fact} {operator} {number}"
    if fact.values:
        return f"{c.fact} == {json.dumps(fact.values[0])}"
    written = c.written if c.kind in {"number", "yes_no"} else "…"
    return f'{c.fact} {operator} "{written}"'


def _comparison_problem(c: Comparison) -> PydanticCustomError | None:
    fact = FACTS[c.fact]
    kind = _FACT_KINDS[fact.type]
    if c.kind != kind:
        return PydanticCustomError(
            "careline_rule_fact_type", "the rule compares {fact} with {value}, a value of another kind",
            {"fact": c.fact, "value": c.written, "fact_kind": KINDS[kind], "value_kind": KINDS[c.kind],
             "example": _example(c, fact, kind)},
        )
    if c.operator in _REGEX:
        return None
    if kind == "text" and fact.values and c.value not in fact.values:
        return PydanticCustomError(
            "careline_rule_value", "'{value}' is not a value of {fact}",
            {"value": c.value, "fact": c.fact, "allowed": ", ".join(fact.values),
             "suggestion": _closest(c.value, fact.values)},
        )
    if kind == "number" and fact.bounds and not fact.bounds[0] <= c.value <= fact.bounds[1]:
        low, high = (f"{bound:g}" for bound in fact.bounds)
        return PydanticCustomError(
            "careline_rule_range", "{value} is outside {low} to {high}, the values {fact} can have",
            {"fact": c.fact, "value": c.written, "low": low, "high": high},
        )
    return None


def check_rule(rule: str) -> None:
    """Raise what is wrong with ``rule`` (the first thing) as a ``careline_rule_*`` error."""
    mismatch = None
    try:
        compile_rule(rule)
    except rule_engine.errors.SymbolResolutionError as error:
        raise _unknown_fact(error.symbol_name) from None
    except rule_engine.errors.RuleSyntaxError as error:
        raise PydanticCustomError(
            "careline_rule_syntax", "the rule does not parse: {detail}", {"detail": error.message},
        ) from None
    except rule_engine.errors.EngineError as error:
        mismatch = getattr(error, "message", str(error))
    symbols, comparisons = read_rule(rule)
    for name in symbols:
        if name not in FACTS:
            raise _unknown_fact(name)
    for comparison in comparisons:
        problem = _comparison_problem(comparison)
        if problem is not None:
            raise problem
    if mismatch is not None:  # a mismatch not between a fact and a value, e.g. age > lives_alone
        raise PydanticCustomError(
            "careline_rule_type", "the rule compares things of different kinds: {detail}",
            {"detail": mismatch},
        )


def key_problems(rule: str, district: str | None, places: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """Codes and parameters of the ``place`` and ``district`` values of ``rule`` that are not
    keys of the bundle: such a condition is the same for every elder of the district."""
    found: list[tuple[str, dict[str, Any]]] = []
    for c in read_rule(rule)[1]:
        if c.kind != "text" or c.operator in _REGEX:
            continue
        if c.fact == "place" and c.value not in places:
            found.append(("rule_place", {"value": c.value, "suggestion": _closest(c.value, places)}))
        elif c.fact == "district" and district is not None and c.value != district:
            found.append(("rule_district", {"value": c.value, "district": district}))
    return found


def policy_key_problems(policies: list[Any], position: dict[str, int], label: str, district: str | None,
                        places: set[str]) -> list[Problem]:
    """:func:`key_problems` of every criterion and amount band of ``policies``."""
    problems = []
    for policy in policies:
        rules = [(f"criteria[{j}].rule", c.rule) for j, c in enumerate(policy.criteria, 1)]
        if policy.amount is not None:
            rules += [(f"amount.bands[{j}].rule", b.rule) for j, b in enumerate(policy.amount.bands, 1)]
        for field, rule in rules:
            for code, params in key_problems(rule, district, places):
                problems.append(Problem(label, code, item=position.get(policy.key, 0), key=policy.key,
                                        field=field, params=params))
    return problems
