"""Policy search by words in Mandarin or English (BM25 over segmented titles, keywords and text)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from rank_bm25 import BM25Okapi
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Policy
from knowledge.text import add_words, tokens

TITLE_WEIGHT = 3


@dataclass(frozen=True)
class PolicyHit:
    policy: Policy
    score: float


def _signature(policy: Policy) -> str:
    content = json.dumps([policy.title, policy.summary, policy.details, policy.keywords],
                         ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(content.encode()).hexdigest()


@lru_cache(maxsize=8192)
def _document(signature: str, content: str) -> tuple[str, ...]:
    title, keywords, body = json.loads(content)
    add_words([*title, *keywords])
    words: list[str] = []
    for text in [*title, *keywords]:
        words += tokens(text) * TITLE_WEIGHT
    for text in body:
        words += tokens(text)
    return tuple(words)


def _document_of(policy: Policy) -> tuple[str, ...]:
    title = [policy.title.get("zh", ""), policy.title.get("en", "")]
    keywords = [*policy.keywords.get("zh", []), *policy.keywords.get("en", [])]
    body = [policy.summary.get("zh", ""), policy.summary.get("en", ""),
            policy.details.get("zh", ""), policy.details.get("en", "")]
    return _document(_signature(policy), json.dumps([title, keywords, body], ensure_ascii=False))


def search_policies(session: Session, query: str, district_id: int | None = None,
                    limit: int = 5) -> list[PolicyHit]:
    """Policies that match the words of ``query``, best first; empty when nothing matches."""
    statement = select(Policy).where(Policy.active.is_(True)).order_by(Policy.id)
    if district_id is not None:
        statement = statement.where(Policy.district_id == district_id)
    policies = list(session.scalars(statement))
    if not policies:
        return []
    documents = [_document_of(p) for p in policies]
    words = tokens(query)
    if not words:
        return []
    scores = BM25Okapi([list(d) or ["\u0000"] for d in documents]).get_scores(words)
    hits = [PolicyHit(p, float(s)) for p, s, d in zip(policies, scores, documents, strict=True)
            if any(w in d for w in words)]
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits[:limit]
