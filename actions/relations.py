"""Whom a family member talks about: the relation words they say ("我妈", "my dad") are kept in
the ``relation`` slot for the conversation, so that an answer about the elder names the elder
("您母亲符合…", "your mother qualifies"), not the person asking ("您符合").

The model tags relations too (``relation`` entity: mother, father, grandparent, spouse, self)
and Rasa fills the slot from it; what the words say here is more precise (奶奶 or 外婆, husband
or wife) and is also heard when the model tags nothing.
"""

from __future__ import annotations

import re

from careline.catalogue import N_, say

_I = re.IGNORECASE
_MINE = r"(?:我|俺|咱)(?:家|们家)?"
# first the longer words, so that 外婆 is not read as 婆 and grandmother not as mother
_SAID: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("self", re.compile(r"我自己|我本人|\bmyself\b", _I)),
    ("grandmother_maternal", re.compile(r"外婆|姥姥")),
    ("grandfather_maternal", re.compile(r"外公|姥爷")),
    ("grandmother", re.compile(r"奶奶|\b(?:grandma|granny|grandmother|gran|nan|nana|nanna)\b", _I)),
    ("grandfather", re.compile(r"爷爷|\b(?:grandpa|grandad|granddad|grandfather)\b", _I)),
    ("mother", re.compile(_MINE + r"(?:妈|娘|老妈|老母亲|母亲|老太太)|母亲|妈妈|老妈|"
                          r"\b(?:mum|mom|mother|mam|mummy|mommy)\b(?!-in-law)", _I)),
    ("father", re.compile(_MINE + r"(?:爸|爹|老爸|老父亲|父亲|老爷子|老汉)|父亲|爸爸|老爸|"
                          r"\b(?:dad|daddy|father|papa)\b(?!-in-law)", _I)),
    ("spouse", re.compile(r"老伴|爱人")),
    ("husband", re.compile(r"老公|丈夫|老头子|\b(?:husband|hubby)\b", _I)),
    ("wife", re.compile(r"老婆|妻子|老太婆|\b(?:wife|missus)\b", _I)),
)

#: how the assistant names the elder to the person, by relation
_WHO = {
    "mother": N_("actions.who.mother"), "father": N_("actions.who.father"),
    "grandmother": N_("actions.who.grandmother"), "grandmother_maternal": N_("actions.who.grandmother_maternal"),
    "grandfather": N_("actions.who.grandfather"), "grandfather_maternal": N_("actions.who.grandfather_maternal"),
    "grandparent": N_("actions.who.grandparent"), "husband": N_("actions.who.husband"),
    "wife": N_("actions.who.wife"), "spouse": N_("actions.who.spouse"),
}
RELATIONS = frozenset({"self", *_WHO})

# the model's coarser values, made precise by the elder's gender when it is known
_BY_GENDER = {"grandparent": {"female": "grandmother", "male": "grandfather"},
              "spouse": {"female": "wife", "male": "husband"}}
# what a family member listed in the bundle is to the elder -> what the elder is to them
_FROM_LINK = {"son": {"female": "mother", "male": "father"}, "daughter": {"female": "mother", "male": "father"},
              "spouse": {"female": "wife", "male": "husband"}}


def relation_said(text: str) -> str | None:
    """The relation a message names first ("我爸七十九了…" → father), or None."""
    found = [(match.start(), relation) for relation, pattern in _SAID if (match := pattern.search(text))]
    return min(found)[1] if found else None


def relation_of_link(relationship: str | None, elder_gender: str | None) -> str | None:
    """What the elder is to a family member the district lists as ``relationship`` of the elder."""
    return _FROM_LINK.get(relationship or "", {}).get(elder_gender or "")


def who_by_relation(relation: str | None, elder_gender: str | None, lang: str) -> str | None:
    """"您母亲" / "your mother" for a relation; "您" for oneself; None when no relation is known."""
    if relation == "self":
        return say("actions.who_you", lang)
    relation = _BY_GENDER.get(relation or "", {}).get(elder_gender or "", relation)
    key = _WHO.get(relation or "")
    return say(key, lang) if key else None
