"""SQLAlchemy 2.x models of the service database.

Bilingual texts are stored as JSON objects ``{"zh": ..., "en": ...}``; spoken aliases as
``{"zh": [...], "en": [...]}``. Reference data (places, service points, policies, ...) belongs to
one district and is keyed by ``(district_id, key)``, the stable key of the import bundle.
Reference rows that disappear from a re-imported bundle are retired (``active = False``), never
deleted, so bookings that point at them keep their history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Bilingual = dict[str, str]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}

    def __repr__(self) -> str:  # never print personal fields
        return f"<{type(self).__name__} id={getattr(self, 'id', None)}>"


class District(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[dict[str, Any]] = mapped_column(JSON)
    city: Mapped[dict[str, Any]] = mapped_column(JSON)
    description: Mapped[dict[str, Any]] = mapped_column(JSON)
    timezone: Mapped[str] = mapped_column(String(64))
    emergency_number: Mapped[str] = mapped_column(String(32))
    hotline: Mapped[str | None] = mapped_column(String(32))
    emergency_advice: Mapped[dict[str, Any]] = mapped_column(JSON)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    bundle_version: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DistrictOwned:
    """Columns every imported reference row has."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Place(DistrictOwned, Base):
    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[dict[str, Any]] = mapped_column(JSON)
    aliases: Mapped[dict[str, Any]] = mapped_column(JSON)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))

    district: Mapped[District] = relationship()


class ServicePoint(DistrictOwned, Base):
    __tablename__ = "service_points"
    __table_args__ = (
        UniqueConstraint("district_id", "key"),
        Index("ix_service_points_lat_lon", "latitude", "longitude"),
    )

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[dict[str, Any]] = mapped_column(JSON)
    aliases: Mapped[dict[str, Any]] = mapped_column(JSON)
    address: Mapped[dict[str, Any]] = mapped_column(JSON)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(32))
    capacity: Mapped[int | None] = mapped_column(Integer)
    services: Mapped[list[Any]] = mapped_column(JSON)

    district: Mapped[District] = relationship()
    place: Mapped[Place | None] = relationship()


class Policy(DistrictOwned, Base):
    """A policy, subsidy, insurance benefit or scheme, with who qualifies as data."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(24))
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    aliases: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    how_to_apply: Mapped[dict[str, Any]] = mapped_column(JSON)
    amount: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    keywords: Mapped[dict[str, Any]] = mapped_column(JSON)
    criteria: Mapped[list[Any]] = mapped_column(JSON)
    contact_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"))

    district: Mapped[District] = relationship()
    contact_point: Mapped[ServicePoint | None] = relationship()


class Activity(DistrictOwned, Base):
    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    aliases: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    description: Mapped[dict[str, Any]] = mapped_column(JSON)
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    capacity: Mapped[int] = mapped_column(Integer)
    fee: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    repeat: Mapped[str | None] = mapped_column(String(255))
    repeat_time: Mapped[str | None] = mapped_column(String(5))

    district: Mapped[District] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()
    place: Mapped[Place | None] = relationship()
    sessions: Mapped[list[ActivitySession]] = relationship(
        back_populates="activity", order_by="ActivitySession.starts_at"
    )


class ActivitySession(Base):
    """One dated occurrence of an activity. ``booked`` only changes by a guarded UPDATE."""

    __tablename__ = "activity_sessions"
    __table_args__ = (
        UniqueConstraint("activity_id", "key"),
        Index("ix_activity_sessions_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    activity: Mapped[Activity] = relationship(back_populates="sessions")


class MealService(DistrictOwned, Base):
    __tablename__ = "meal_services"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"))
    name: Mapped[dict[str, Any]] = mapped_column(JSON)
    aliases: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    meal: Mapped[str] = mapped_column(String(16))
    days: Mapped[list[Any]] = mapped_column(JSON)
    serving_time: Mapped[str] = mapped_column(String(16))
    order_by: Mapped[str] = mapped_column(String(5))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    subsidised_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    delivery: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_fee: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    daily_capacity: Mapped[int] = mapped_column(Integer)
    menu: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    district: Mapped[District] = relationship()
    service_point: Mapped[ServicePoint] = relationship()


class MealSlot(Base):
    """Capacity of one meal service on one day, created on the first booking for that day."""

    __tablename__ = "meal_slots"
    __table_args__ = (UniqueConstraint("meal_service_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meal_service_id: Mapped[int] = mapped_column(ForeignKey("meal_services.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)

    meal_service: Mapped[MealService] = relationship()


class HomeService(DistrictOwned, Base):
    __tablename__ = "home_services"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[dict[str, Any]] = mapped_column(JSON)
    aliases: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    description: Mapped[dict[str, Any]] = mapped_column(JSON)
    provider_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    subsidised_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    available_hours: Mapped[str] = mapped_column(String(500))

    district: Mapped[District] = relationship()
    provider_point: Mapped[ServicePoint | None] = relationship()


class Elder(DistrictOwned, Base):
    """An elder's profile. Personal fields (name, phone) must never be logged. National ID numbers
    are not kept: nothing reads them (a bundle's ``id_number`` is discarded on import)."""

    __tablename__ = "elders"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    gender: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    lives_alone: Mapped[bool | None] = mapped_column(Boolean)
    care_level: Mapped[int | None] = mapped_column(Integer)
    income_status: Mapped[str | None] = mapped_column(String(24))
    hukou_local: Mapped[bool | None] = mapped_column(Boolean)
    disabled: Mapped[bool | None] = mapped_column(Boolean)
    language: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)

    district: Mapped[District] = relationship()
    place: Mapped[Place | None] = relationship()
    family_links: Mapped[list[ElderFamily]] = relationship(
        back_populates="elder", cascade="all, delete-orphan"
    )


class FamilyMember(DistrictOwned, Base):
    __tablename__ = "family_members"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger)

    links: Mapped[list[ElderFamily]] = relationship(back_populates="family_member")


class ElderFamily(Base):
    __tablename__ = "elder_family"
    __table_args__ = (UniqueConstraint("elder_id", "family_member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"))
    family_member_id: Mapped[int] = mapped_column(
        ForeignKey("family_members.id", ondelete="CASCADE")
    )
    relationship_: Mapped[str] = mapped_column("relationship", String(24))
    primary_contact: Mapped[bool] = mapped_column(Boolean, default=False)

    elder: Mapped[Elder] = relationship(back_populates="family_links")
    family_member: Mapped[FamilyMember] = relationship(back_populates="links")


class Volunteer(DistrictOwned, Base):
    """A time-bank volunteer: hours given are banked and can later be spent on care."""

    __tablename__ = "volunteers"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    skills: Mapped[list[Any]] = mapped_column(JSON)
    hours_earned: Mapped[Decimal] = mapped_column(Numeric(10, 1), default=Decimal(0))
    hours_spent: Mapped[Decimal] = mapped_column(Numeric(10, 1), default=Decimal(0))
    language: Mapped[str] = mapped_column(String(2))


class Consultant(DistrictOwned, Base):
    __tablename__ = "consultants"
    __table_args__ = (UniqueConstraint("district_id", "key"), UniqueConstraint("username"))

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    username: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    languages: Mapped[list[Any]] = mapped_column(JSON)
    # console access, set by `careline consultant` and never by a bundle import
    origin: Mapped[str] = mapped_column(String(8), default="bundle", server_default="bundle")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    extra_districts: Mapped[list[ConsultantDistrict]] = relationship(cascade="all, delete-orphan")


class ConsultantDistrict(Base):
    """A district a consultant serves besides their own (``Consultant.district_id``)."""

    __tablename__ = "consultant_districts"
    __table_args__ = (UniqueConstraint("consultant_id", "district_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))


class ConsoleSession(Base):
    """A signed-in console: the cookie holds a random token, only its SHA-256 is kept here.

    ``csrf_token`` is the synchronizer token every state-changing request of this session must
    carry. A session ends at ``expires_at`` (absolute) or when ``last_seen_at`` is older than the
    inactivity limit, whichever comes first."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class LoginFailure(Base):
    """Failed console sign-ins counted per username, known or not (a lock that only existing
    accounts got would tell who exists). ``name_hash`` is a SHA-256 of the casefolded username."""

    __tablename__ = "console_login_failures"

    name_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who did what, when: every console sign-in, sign-out and lock, every read of an elder's
    profile and every action on a conversation. Conversation and elder are plain ids, not
    foreign keys, so the record outlives the purge of what it is about."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_consultant", "consultant_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    elder_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CannedReply(Base):
    """A ready-made reply consultants insert into a conversation, for one district and one
    language. ``origin`` is ``bundle`` for the replies a district bundle brings (keyed, replaced
    by the next import of that bundle) and ``console`` for those consultants write (no key; an
    import never touches them)."""

    __tablename__ = "canned_replies"
    __table_args__ = (UniqueConstraint("district_id", "key", "language"),
                      Index("ix_canned_replies_district_language", "district_id", "language"))

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(8), default="console")
    key: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("consultants.id", ondelete="SET NULL"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("consultants.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Booking(Base):
    """A booking of an activity session or a meal, or a request for a home/volunteer visit.

    Partial unique indexes forbid a second *active* booking of the same session or meal day by
    the same elder; the guarded counters on the session/slot rows keep capacity.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        Index(
            "uq_bookings_active_session",
            "elder_id",
            "session_id",
            unique=True,
            sqlite_where=text("status = 'active' AND session_id IS NOT NULL"),
            postgresql_where=text("status = 'active' AND session_id IS NOT NULL"),
        ),
        Index(
            "uq_bookings_active_meal",
            "elder_id",
            "meal_slot_id",
            unique=True,
            sqlite_where=text("status = 'active' AND meal_slot_id IS NOT NULL"),
            postgresql_where=text("status = 'active' AND meal_slot_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="active")
    session_id: Mapped[int | None] = mapped_column(ForeignKey("activity_sessions.id"))
    meal_slot_id: Mapped[int | None] = mapped_column(ForeignKey("meal_slots.id"))
    home_service_id: Mapped[int | None] = mapped_column(ForeignKey("home_services.id"))
    delivery: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_time: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    created_via: Mapped[str] = mapped_column(String(16), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    elder: Mapped[Elder] = relationship()
    session: Mapped[ActivitySession | None] = relationship()
    meal_slot: Mapped[MealSlot | None] = relationship()
    home_service: Mapped[HomeService | None] = relationship()


class Conversation(Base):
    """One conversation, on one channel. ``status`` says who owns it (Chatwoot's model):
    ``pending`` while the bot answers, ``open`` once a consultant does, ``resolved`` at the end."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    elder_id: Mapped[int | None] = mapped_column(ForeignKey("elders.id"))
    family_member_id: Mapped[int | None] = mapped_column(ForeignKey("family_members.id"))
    language: Mapped[str] = mapped_column(String(2))
    # How the language was settled (bot/hub/language.py): the person chose it, the language the
    # channel said last, and the one the dialogue engine's tracker was last given.
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    channel_language: Mapped[str | None] = mapped_column(String(2))
    engine_language: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("channel_accounts.id", ondelete="SET NULL"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.id"
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="text")
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(2))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bot_state: Mapped[str | None] = mapped_column(String(12), index=True)
    # while a hub asks the engine (bot_state "sending"): when its claim lapses, so another hub may
    bot_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    external_id: Mapped[str | None] = mapped_column(String(96), unique=True)
    """The channel's own id of what the person sent (a Telegram update): the same one is received once."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class Handoff(Base):
    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_queue", "status", "urgency", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    urgency: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(24))
    language: Mapped[str] = mapped_column(String(2))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(24))
    """How a consultant closed it (``resolved``), one of :data:`knowledge.handoffs.OUTCOMES`."""
    caller_hung_up_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    """When the caller of a phone call hung up while the hand-off was open and it stayed open
    (an emergency still waiting: call them back; or one a consultant had taken)."""

    conversation: Mapped[Conversation] = relationship()


class PhoneCall(Base):
    """The record of one phone call (its conversation is on the ``phone`` channel, which says
    the language and the elder): when it started and ended, why it ended (``caller``, ``local``,
    ``no_media``, ``shutdown``, ``transfer``), what came of it (the hotline's outcome: ``bot``,
    ``handoff``, ``emergency``, ...) and how many turns the caller took. ``caller``: the number the
    network gave, in E.164 (None when withheld or not a number), kept so that a consultant can
    call back a caller who hung up while waiting; it is shown only in the console, to consultants
    of the conversation's district, and never logged."""

    __tablename__ = "phone_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), unique=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(24))
    turns: Mapped[int | None] = mapped_column(Integer)
    caller: Mapped[str | None] = mapped_column(String(20))


class Satisfaction(Base):
    """The satisfaction question asked when a consultant resolves a conversation, and the
    person's rating (1–5). One per resolved hand-off; ``status``: ``asked`` (the next reply may
    be the rating), ``answered`` or ``lapsed`` (the person said something else)."""

    __tablename__ = "satisfaction"
    __table_args__ = (Index("ix_satisfaction_open", "conversation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"), unique=True)
    """The resolved hand-off (cleared when ``careline purge`` deletes it: the rating stays)."""
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("consultants.id", ondelete="SET NULL"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8), default="asked")
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    rating: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    answer_message_id: Mapped[int | None] = mapped_column(Integer)
    """The person's message that gave the rating (a repeat right after it is not a new rating)."""


class ChannelAccount(Base):
    """Someone who talks to CareLine through a chat channel (a family member on Telegram).

    Runtime data, not imported: a re-import never touches it. ``external_id`` is the channel's
    own user id; ``selected_elder_id`` is the elder the account currently acts for."""

    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    # the person chose ``language`` (Telegram's /language), rather than it coming from their app
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    selected_elder_id: Mapped[int | None] = mapped_column(ForeignKey("elders.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    links: Mapped[list[AccountElder]] = relationship(back_populates="account", cascade="all, delete-orphan")


class AccountElder(Base):
    """A chat account allowed to act for an elder (made by redeeming the elder's link code)."""

    __tablename__ = "account_elders"
    __table_args__ = (UniqueConstraint("account_id", "elder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id", ondelete="CASCADE"))
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    account: Mapped[ChannelAccount] = relationship(back_populates="links")
    elder: Mapped[Elder] = relationship()


class LinkCode(Base):
    """A one-time code an elder's profile produces; only its hash is stored."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LinkAttempt(Base):
    """A link code tried and refused, kept for the attempt limits (``knowledge.links``).

    Counted in the database, not in process memory, so every hub sharing the database sees the
    same count; rows older than the counting window are deleted as new attempts come in."""

    __tablename__ = "link_attempts"
    __table_args__ = (Index("ix_link_attempts_account", "account_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class IdentityCheck(Base):
    """An elder's identity checked on the phone before their link code is read out (the year of
    birth, keyed in): kept to refuse after repeated wrong answers (``knowledge.links``)."""

    __tablename__ = "identity_checks"
    __table_args__ = (Index("ix_identity_checks_elder", "elder_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    passed: Mapped[bool] = mapped_column(Boolean)


class ElderEvent(Base):
    """Something linked family members hear about: a booking made or cancelled, an emergency,
    a reminder. Written in the same transaction as what happened (a transactional outbox), then
    fanned out to every linked account by the hub."""

    __tablename__ = "elder_events"
    __table_args__ = (Index("ix_elder_events_pending", "fanned_out_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(96), unique=True)
    """Set for events that must exist once whoever records them (a booking's reminder)."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    fanned_out_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OutboxMessage(Base):
    """A message to deliver through a channel, kept until the channel has accepted it.

    ``dedupe_key`` makes enqueueing idempotent: the same reply or alert is never queued twice.
    A row is claimed (``sending``, with a lease) before delivery, so two dispatchers never send
    the same row."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(96), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Of a message the channel sends in several parts, how many it has accepted (resume there)."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ChannelUpdate(Base):
    """Something a channel pushed to us (a Telegram update), stored before it is acknowledged so
    a database error means the channel sends it again rather than it being lost; the unique
    ``(channel, external_id)`` makes a second delivery a no-op. Claimed with a lease, like the
    outbox, so one hub handles it, and again after a crash."""

    __tablename__ = "channel_updates"
    __table_args__ = (UniqueConstraint("channel", "external_id"), Index("ix_channel_updates_due", "status",
                                                                          "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Lease(Base):
    """A job only one hub may run at a time (polling Telegram); whoever holds an unexpired lease."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
