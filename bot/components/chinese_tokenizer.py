"""Jieba segmentation, with a number said before a measure word cut off as a token of its own.

Jieba keeps 三份, 两个, 七栋 and 第二个 whole. The CRF tags whole tokens, so the number inside them
could be neither learnt nor found: Rasa drops a training entity whose ends fall inside a token, and
about 200 of the Mandarin number annotations were dropped that way. Cutting only ever adds token
boundaries, so an entity that spans several tokens is unaffected.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

LEADING_NUMBER = re.compile(r"第?[零〇一二三四五六七八九十百千万两幺]+")


def split_number(token: Token) -> list[Token]:
    """``三份`` → ``三`` + ``份``; a token that is all number, or has none in front, is kept."""
    match = LEADING_NUMBER.match(token.text)
    if match is None or match.end() == len(token.text):
        return [token]
    cut = match.end()
    return [Token(token.text[:cut], token.start), Token(token.text[cut:], token.start + cut)]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=True)
class ChineseTokenizer(JiebaTokenizer):
    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        return [piece for token in super().tokenize(message, attribute) for piece in split_number(token)]
