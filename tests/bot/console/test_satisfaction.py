"""The satisfaction question after a consultant resolves a conversation (on SQLite and
PostgreSQL): asked in the conversation's language, as buttons on Telegram and as digits on the
terminal; a rating right after it is recorded once per conversation and consultant and
thanked; anything else goes to the bot and the question lapses."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from bot.hub.messages import Inbound, Kind, Reply
from knowledge.actors import Actor
from knowledge.models import Conversation, Message, OutboxMessage, Satisfaction
from tests.bot.console.conftest import Desk

T = TypeVar("T")

THANKS_ZH = "谢谢您的评分！以后有需要随时找我们。"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def resolved(desk: Desk, actor: Actor, channel: str = "cli", language: str = "zh",
             outcome: str = "answered") -> tuple[int, str]:
    conversation_id, name = desk.waiting(channel=channel, language=language)
    run(desk.service.claim(conversation_id, actor))
    run(desk.service.resolve(conversation_id, actor, outcome))
    return conversation_id, name


def say(desk: Desk, name: str, text: str, kind: Kind = Kind.TEXT, payload: str | None = None,
        channel: str = "cli") -> list[Reply]:
    return run(desk.hub.handle(Inbound(channel=channel, conversation=name, address=name, text=text, kind=kind,
                                       payload=payload)))


def ratings(desk: Desk, conversation_id: int) -> list[tuple[str, int | None, int | None]]:
    with desk.sessions() as session:
        return [(r.status, r.rating, r.consultant_id) for r in session.scalars(
            select(Satisfaction).where(Satisfaction.conversation_id == conversation_id).order_by(Satisfaction.id))]


def sent_to_bot(desk: Desk, conversation_id: int) -> list[str]:
    with desk.sessions() as session:
        return list(session.scalars(select(Message.text).where(Message.conversation_id == conversation_id,
                                                               Message.sender == "user",
                                                               Message.bot_state.is_not(None))))


@pytest.mark.parametrize(("answer", "kind", "rating"), [("4", Kind.TEXT, 4), ("４", Kind.TEXT, 4), ("四", Kind.TEXT, 4),
                                                        (" 5。", Kind.TEXT, 5), ("1", Kind.DIGIT, 1),
                                                        ("two", Kind.SPEECH, 2)])
def test_a_digit_right_after_the_question_is_the_rating(desk: Desk, answer: str, kind: Kind, rating: int) -> None:
    actor = desk.consultant()
    conversation_id, name = resolved(desk, actor)
    [question] = run(desk.hub.pending("cli", name))
    assert question.text == "这次工作人员帮得怎么样？请回复一个 1 到 5 的数字：1 很不满意，5 非常满意。"
    assert question.buttons == ()
    assert ratings(desk, conversation_id) == [("asked", None, actor.consultant_id)]
    replies = say(desk, name, answer, kind)
    assert [r.text for r in replies] == [THANKS_ZH]
    assert ratings(desk, conversation_id) == [("answered", rating, actor.consultant_id)]
    assert sent_to_bot(desk, conversation_id) == [], "a rating is not something for the bot"
    with desk.sessions() as session:
        assert session.get(Conversation, conversation_id).status == "resolved"


def test_on_telegram_the_question_has_buttons_and_a_button_is_the_rating_in_english(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = resolved(desk, actor, channel="telegram", language="en")
    with desk.sessions() as session:
        [body] = session.scalars(select(OutboxMessage.body).where(OutboxMessage.conversation_id == conversation_id))
        session.execute(OutboxMessage.__table__.update().where(OutboxMessage.conversation_id == conversation_id)
                        .values(status="sent"))  # as the dispatcher does once Telegram took it
        session.commit()
    assert body["text"] == ("How well did our staff help you? Please tap a score: 1 very dissatisfied, "
                            "5 very satisfied.")
    assert body["buttons"] == [[str(n), f"rating:{n}"] for n in range(1, 6)]
    say(desk, name, "3", Kind.CHOICE, "rating:3", channel="telegram")
    say(desk, name, "5", Kind.CHOICE, "rating:5", channel="telegram")  # pressed again (a second tap)
    assert ratings(desk, conversation_id) == [("answered", 3, actor.consultant_id)]
    with desk.sessions() as session:
        thanked = list(session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.conversation_id == conversation_id).order_by(OutboxMessage.id)))
    assert [b["text"] for b in thanked[1:]] == ["Thank you for your rating! Come back any time you need us.",
                                                "Your rating is already recorded. Thank you!"]
    assert sent_to_bot(desk, conversation_id) == []


def test_forged_button_data_is_no_rating_and_no_error(desk: Desk) -> None:
    conversation_id, name = resolved(desk, desk.consultant(), channel="telegram", language="en")
    say(desk, name, "²", Kind.CHOICE, "rating:²", channel="telegram")  # "²".isdigit(), int("²") raises
    assert [rating for _, rating, _ in ratings(desk, conversation_id)] == [None]


def test_a_second_answer_does_not_record_a_second_rating(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = resolved(desk, actor)
    run(desk.hub.pending("cli", name))
    assert [r.text for r in say(desk, name, "5")] == [THANKS_ZH]
    assert [r.text for r in say(desk, name, "2")] == ["您的评分已经记下了，谢谢！"]
    assert ratings(desk, conversation_id) == [("answered", 5, actor.consultant_id)]
    assert sent_to_bot(desk, conversation_id) == []
    replies = say(desk, name, "我想订午饭")
    assert [r.role for r in replies] == ["holding"], "anything else goes to the bot (down here)"
    assert ratings(desk, conversation_id) == [("answered", 5, actor.consultant_id)]


@pytest.mark.parametrize("answer", ["6", "0", "45", "很好，谢谢", "3 4"])
def test_anything_else_goes_to_the_bot_and_the_question_lapses(desk: Desk, answer: str) -> None:
    actor = desk.consultant()
    conversation_id, name = resolved(desk, actor)
    run(desk.hub.pending("cli", name))
    replies = say(desk, name, answer)
    assert [r.role for r in replies] == ["holding"], [r.text for r in replies]
    assert ratings(desk, conversation_id) == [("lapsed", None, actor.consultant_id)]
    assert sent_to_bot(desk, conversation_id) == [answer]
    with desk.sessions() as session:
        assert session.get(Conversation, conversation_id).status == "pending"


def test_a_digit_after_the_question_lapsed_goes_to_the_bot(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = resolved(desk, actor)
    run(desk.hub.pending("cli", name))
    say(desk, name, "谢谢")
    say(desk, name, "4")
    assert ratings(desk, conversation_id) == [("lapsed", None, actor.consultant_id)]
    assert sent_to_bot(desk, conversation_id) == ["谢谢", "4"]


def test_a_rating_button_of_a_lapsed_question_is_never_sent_to_the_bot(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = resolved(desk, actor, channel="telegram", language="en")
    with desk.sessions() as session:
        session.execute(OutboxMessage.__table__.update().where(OutboxMessage.conversation_id == conversation_id)
                        .values(status="sent"))
        session.commit()
    say(desk, name, "thanks", channel="telegram")
    say(desk, name, "4", Kind.CHOICE, "rating:4", channel="telegram")
    assert ratings(desk, conversation_id) == [("lapsed", None, actor.consultant_id)]
    assert sent_to_bot(desk, conversation_id) == ["thanks"]


def test_a_message_before_the_question_reached_the_person_leaves_it_open(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = resolved(desk, actor)
    replies = say(desk, name, "你好")  # the terminal takes the question with this exchange
    assert [r.role for r in replies] == ["satisfaction", "holding"]
    assert ratings(desk, conversation_id) == [("asked", None, actor.consultant_id)]
    assert [r.text for r in say(desk, name, "3")] == [THANKS_ZH]
    assert ratings(desk, conversation_id) == [("answered", 3, actor.consultant_id)]


def test_nobody_is_asked_after_no_reply(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = resolved(desk, actor, outcome="no_reply")
    assert run(desk.hub.pending("cli", name)) == []
    assert ratings(desk, conversation_id) == []


def test_on_the_phone_the_caller_is_asked_for_a_key_and_a_key_is_the_rating(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = resolved(desk, actor, channel="phone", language="en")
    [question] = run(desk.hub.pending("phone", name))
    assert question.text == ("How well did our staff help you? Please press or say a digit from 1 to 5: "
                             "1 very dissatisfied, 5 very satisfied.")
    replies = say(desk, name, "2", Kind.DIGIT, channel="phone")
    assert [r.text for r in replies] == ["Thank you for your rating! Come back any time you need us."]
    assert ratings(desk, conversation_id) == [("answered", 2, actor.consultant_id)]
