"""Loads, when the action server starts, what the first caller would otherwise wait for.

Jieba's dictionary, jionlp's and dateparser's language data load on first use, and SQLAlchemy
works out how to load each mapped class at its first query (0.1-0.2 s on a first list of
activities, measured): a second or more on two cores, which would fall on somebody's first
question (and on a phone line, be silence). rasa-sdk imports every module of the ``actions``
package at start-up, so importing this one warms them once per action server process, and then
sets the heap aside (:mod:`careline.heap`)."""

from __future__ import annotations

import datetime as dt
import logging
import time

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from actions.context import session_maker
from actions.when import parse_when
from careline.heap import settle
from knowledge.models import Base
from knowledge.text import tokens

logger = logging.getLogger(__name__)


def warm() -> float:
    """Seconds spent loading the segmenter, both languages' date parsers and each table's loading."""
    started = time.perf_counter()
    now = dt.datetime.now()
    tokens("高龄津贴 申请条件 old age allowance")
    parse_when("明天上午九点", now)
    parse_when("tomorrow at 9 am", now)
    _read_each_table()
    return time.perf_counter() - started


def _read_each_table() -> None:
    """One row of each mapped class: SQLAlchemy works out how to load each on its first query."""
    try:
        with session_maker()() as session:
            for mapper in Base.registry.mappers:
                session.scalars(select(mapper.class_).limit(1)).first()
    except SQLAlchemyError as error:  # a database not reachable yet: the first question pays instead
        logger.warning("action server warm-up could not read the database: %s", type(error).__name__)


logger.info("action server warmed in %.2f s", warm())
settle()
