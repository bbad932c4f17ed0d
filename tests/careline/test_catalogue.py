"""The one catalogue of user-facing texts: every message in Mandarin and English, every key the
code and the console's templates use is in it, and no old bilingual table is left."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from careline import catalogue

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "careline" / "locale"
KEYWORDS = {"say": None, "say_both": None, "N_": None, "_": None}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
#: English texts that may hold Chinese: the switch names each language in itself
CJK_ALLOWED_IN_EN: set[str] = set()
#: {"zh": …, "en": …} dicts that are not texts said to a person
NOT_TEXTS = {
    ("actions/replies.py", "_LANGUAGE_WORDS"),  # patterns that hear a language named, not texts
    ("voice/stt/whisper.py", "_START_PROMPT"),  # primes the recogniser, never said
}


def _po(lang: str):
    with (LOCALE / lang / "LC_MESSAGES" / "careline.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def _template_ids() -> set[str]:
    with (LOCALE / "careline.pot").open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_has_mandarin_and_english() -> None:
    ids = _template_ids()
    assert len(ids) > 400
    for lang in catalogue.LANGUAGES:
        po = _po(lang)
        entries = {m.id: m for m in po if m.id}
        assert set(entries) == ids, f"{lang}: run make texts ({sorted(set(entries) ^ ids)[:10]})"
        assert not po.obsolete, f"{lang}: obsolete entries left: {list(po.obsolete)[:5]}"
        for key, message in entries.items():
            assert message.string.strip(), f"{lang} {key} is empty"
            assert not message.fuzzy, f"{lang} {key} is fuzzy"


def test_both_languages_use_the_same_placeholders_and_scripts() -> None:
    zh = {m.id: m.string for m in _po("zh") if m.id}
    en = {m.id: m.string for m in _po("en") if m.id}
    for key in zh:
        assert _placeholders(zh[key]) == _placeholders(en[key]), key
        if key not in ("language.own_name",):
            assert CJK.search(zh[key]) or not re.search(r"[A-Za-z]{4,}", zh[key]) or key in _MANDARIN_LATIN, \
                f"zh {key} is not Mandarin: {zh[key]!r}"
        if key not in CJK_ALLOWED_IN_EN and key != "language.own_name":
            assert not CJK.search(en[key]), f"en {key} holds Chinese: {en[key]!r}"
    assert catalogue.say("language.own_name", "zh") == "中文"
    assert catalogue.say("language.own_name", "en") == "English"


#: Mandarin texts that are all names or syntax (the same in both languages)
_MANDARIN_LATIN = {"hub.channel_telegram", "hub.channel_other", "console.channel_telegram", "cli.model_problem",
                   "cli.consultant_line", "actions.policy_intro", "actions.policy_details", "actions.elig_then_apply"}


def test_every_key_the_code_uses_is_in_the_catalogue() -> None:
    """Babel's own extractor, as `make texts` runs it, over the code and the templates."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    used = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        if isinstance(message, str):
            used.setdefault(message, f"{filename}:{lineno}")
    unknown = {key: where for key, where in used.items() if not catalogue.has(key)}
    assert not unknown, f"keys not in the catalogue: {unknown}"
    assert set(used) == _template_ids(), "careline.pot is stale: run make texts"


def test_no_bilingual_text_table_is_left() -> None:
    found = []
    for area in ("careline", "bot", "actions", "voice", "knowledge"):
        for path in (ROOT / area).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    value = node.value
                    name = getattr(node.targets[0] if isinstance(node, ast.Assign) else node.target, "id", "")
                    if isinstance(value, ast.Dict) and _is_text_table(value):
                        relative = str(path.relative_to(ROOT))
                        if (relative, name) not in NOT_TEXTS:
                            found.append(f"{relative}:{node.lineno} {name}")
    assert not found, f"bilingual tables outside the catalogue: {found}"


def _is_text_table(node: ast.Dict) -> bool:
    """{"zh": <Chinese text>, "en": …}, directly or as the values of a table."""
    def pair(d: ast.AST) -> bool:
        if not isinstance(d, ast.Dict):
            return False
        keys = {k.value for k in d.keys if isinstance(k, ast.Constant)}
        zh = next((v for k, v in zip(d.keys, d.values, strict=True)
                   if isinstance(k, ast.Constant) and k.value == "zh"), None)
        return {"zh", "en"} <= keys and isinstance(zh, ast.Constant) and isinstance(zh.value, str) \
            and bool(CJK.search(zh.value))
    return pair(node) or any(pair(v) for v in node.values)


def test_lookup_rules() -> None:
    assert catalogue.language("zh-CN") == catalogue.language("zh_Hans") == catalogue.language("cmn") == "zh"
    assert catalogue.language("en-GB") == "en"
    assert catalogue.language("fr") == catalogue.language(None) == catalogue.DEFAULT_LANGUAGE == "zh"
    assert catalogue.language("fr", "en") == catalogue.language(None, "en") == "en"  # a configured default
    assert catalogue.say("console.locked", "en", minutes=15).startswith("Too many failed sign-ins")
    assert "15" in catalogue.say("console.locked", "zh", minutes=15)
    assert catalogue.say_both("hub.api.too_large", limit=9)["en"].endswith("(at most 9 bytes).")
    with pytest.raises(KeyError):
        catalogue.say("console.no_such_key", "en")  # tests run strict: a typo fails
    catalogue.strict = False
    try:
        assert catalogue.say("console.no_such_key", "en") == "console.no_such_key"  # a person sees no traceback
        assert catalogue.say("console.locked", "en") .startswith("Too many")  # a missing value leaves a gap
    finally:
        catalogue.strict = True


def test_placeholders_may_be_named_like_the_lookups_own_arguments() -> None:
    assert "'x'" in catalogue.say("bundle.problem.duplicate_key", "en", key="x", first=1)
    assert catalogue.say_both("bundle.problem.duplicate_key", key="y", first=2)["zh"].startswith("key「y」")
