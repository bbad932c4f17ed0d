"""Loads, when the action server starts, what the first caller would otherwise wait for.

Jieba's dictionary, jionlp's and dateparser's language data load on first use: a second or more
on two cores, which would fall on somebody's first question (and on a phone line, be silence).
rasa-sdk imports every module of the ``actions`` package at start-up, so importing this one warms
them once per action server process.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from actions.when import parse_when
from knowledge.text import tokens

logger = logging.getLogger(__name__)


def warm() -> float:
    """Seconds spent loading the segmenter and both languages' date parsers."""
    started = time.perf_counter()
    now = dt.datetime.now()
    tokens("高龄津贴 申请条件 old age allowance")
    parse_when("明天上午九点", now)
    parse_when("tomorrow at 9 am", now)
    return time.perf_counter() - started


logger.info("action server warmed in %.2f s", warm())
