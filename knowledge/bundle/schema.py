"""The district bundle format, version 1: one pydantic model per item of each file.

See ``docs/bundle-format.md`` for the administrator's description. The models are the single
source of truth: the importer validates with them, the exporter writes them, and the diff of a
re-import compares them.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

import opening_hours
from dateutil.rrule import rrulestr
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from careline import clock
from knowledge.bundle.rule_checks import check_rule

#: validation context of an item read back from the database (``{STORED: True}``): a rule stored
#: before a check was added is exported as it is (the importer's checks then say what to fix)
STORED = "stored"
FORMAT_NAME = "careline-district-bundle"
FORMAT_VERSION = 1

KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
HHMM_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
TIME_RANGE_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$"
Key = Annotated[str, Field(pattern=KEY_PATTERN)]
Lang = Literal["zh", "en"]
HHMM = Annotated[str, Field(pattern=HHMM_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=128)]
Hours = Annotated[str, Field(min_length=1, max_length=500)]
Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{1,30}$")


class Item(BaseModel):
    model_config = ConfigDict(
        extra="forbid", coerce_numbers_to_str=True, str_strip_whitespace=True, frozen=True
    )


class Text(Item):
    """The same text in Mandarin and in English; both are required."""

    zh: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]


class Aliases(Item):
    """Other names people say for a thing, per language (nicknames, old names, ASR mishearings)."""

    zh: list[Annotated[str, Field(min_length=1)]] = []
    en: list[Annotated[str, Field(min_length=1)]] = []


def _phone(value: str | None) -> str | None:
    if value is not None and not _PHONE.match(value):
        raise PydanticCustomError("careline_phone", "not a phone number: {value}", {"value": value})
    return value


def _hours(value: str) -> str:
    try:
        opening_hours.OpeningHours(value)
    except Exception as error:  # the library raises its own ParserError
        raise PydanticCustomError(
            "careline_opening_hours", "not valid opening hours: {detail}",
            {"detail": str(error).splitlines()[0][:160]},
        ) from None
    return value


class District(Item):
    key: Key
    kind: Literal["rural", "urban"]
    name: Text
    city: Text
    description: Text
    timezone: str = "Asia/Shanghai"
    emergency_number: Annotated[str, Field(min_length=2)]
    hotline: str | None = None
    emergency_advice: Text
    lat: Latitude
    lon: Longitude

    _phones = field_validator("emergency_number", "hotline")(_phone)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "careline_timezone", "unknown time zone: {value}", {"value": value}
            ) from None
        return value


class DistrictFile(Item):
    """``district.yaml``: the bundle header and the district itself."""

    format: Literal["careline-district-bundle"]
    version: Literal[1]
    sample: bool = False
    district: District


class Place(Item):
    key: Key
    kind: Literal["town", "village", "community", "neighbourhood", "landmark"]
    name: Text
    aliases: Aliases = Aliases()
    lat: Latitude
    lon: Longitude
    parent: Key | None = None




class ServicePoint(Item):
    key: Key
    kind: Literal[
        "mutual_aid_point", "day_care_centre", "service_centre", "township_centre", "canteen",
        "meal_station", "health_station", "activity_room", "nursing_home", "hotline_centre",
    ]
    name: Text
    aliases: Aliases = Aliases()
    address: Text
    place: Key | None = None
    lat: Latitude
    lon: Longitude
    opening_hours: Hours
    phone: str | None = None
    capacity: Annotated[int, Field(ge=0)] | None = None
    services: list[Key] = []

    _phones = field_validator("phone")(_phone)
    _opening = field_validator("opening_hours")(_hours)


class AmountBand(Item):
    """One band of a range: the amount for the elders whose facts the rule holds for."""

    rule: Annotated[str, Field(min_length=1)]
    value: Money

    @field_validator("rule")
    @classmethod
    def _parses(cls, value: str, info: ValidationInfo) -> str:
        return Criterion._parses(value, info)


class Amount(Item):
    """How much a benefit is worth: ``value`` (and ``max`` for a range) per ``per``; ``bands``
    say which amount of the range applies to whom (the first whose rule holds)."""

    value: Money
    max: Money | None = None
    currency: Literal["CNY"] = "CNY"
    per: Literal["once", "day", "month", "year", "hour", "meal", "visit"]
    note: Text | None = None
    bands: list[AmountBand] = []

    @model_validator(mode="after")
    def _bands_in_range(self) -> Amount:
        high = self.max if self.max is not None else self.value
        for band in self.bands:
            if not self.value <= band.value <= high:
                raise PydanticCustomError(
                    "careline_band_value", "a band's amount {band} lies outside {low} to {high}",
                    {"band": str(band.value), "low": str(self.value), "high": str(high)},
                )
        return self


class Criterion(Item):
    """One condition of who qualifies: a rule over the elder's facts and its plain words."""

    rule: Annotated[str, Field(min_length=1)]
    text: Text

    @field_validator("rule")
    @classmethod
    def _parses(cls, value: str, info: ValidationInfo) -> str:
        if not (info.context or {}).get(STORED):
            check_rule(value)
        return value


class Keywords(Item):
    zh: list[Annotated[str, Field(min_length=1)]] = []
    en: list[Annotated[str, Field(min_length=1)]] = []


class Policy(Item):
    key: Key
    category: Literal["policy", "subsidy", "insurance", "scheme", "service"]
    title: Text
    summary: Text
    details: Text
    how_to_apply: Text
    aliases: Aliases = Aliases()
    amount: Amount | None = None
    keywords: Keywords = Keywords()
    criteria: list[Criterion] = []
    contact_point: Key | None = None


SessionKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]


class Session(Item):
    starts_at: dt.datetime
    key: SessionKey | None = None
    capacity: Annotated[int, Field(ge=0)] | None = None

    @field_validator("starts_at")
    @classmethod
    def _naive(cls, value: dt.datetime) -> dt.datetime:
        return value.replace(tzinfo=None, second=0, microsecond=0)

    @property
    def stable_key(self) -> str:
        return self.key or self.starts_at.strftime("%Y-%m-%dT%H:%M")


class Activity(Item):
    key: Key
    category: Key
    title: Text
    aliases: Aliases = Aliases()
    description: Text
    service_point: Key | None = None
    place: Key | None = None
    capacity: Annotated[int, Field(ge=1)]
    fee: Money = Decimal(0)
    duration_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = 60
    repeat: Annotated[str, Field(max_length=255)] | None = None
    time: HHMM | None = None
    sessions: list[Session] = []

    @field_validator("repeat")
    @classmethod
    def _rrule(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = dict(p.split("=", 1) for p in value.upper().replace("RRULE:", "").split(";") if "=" in p)
        if parts.get("FREQ") not in {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}:
            raise PydanticCustomError("careline_repeat", "not a valid repeat rule (RRULE): {detail}",
                                      {"detail": "FREQ=DAILY|WEEKLY|MONTHLY|YEARLY"})
        for banned in ("COUNT", "DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND"):
            if banned in parts:
                raise PydanticCustomError("careline_repeat", "not a valid repeat rule (RRULE): {detail}",
                                          {"detail": f"{banned} (use time, sessions or UNTIL)"})
        try:
            rrulestr(value, dtstart=dt.datetime(2024, 1, 1), ignoretz=True)
        except (ValueError, TypeError) as error:
            raise PydanticCustomError(
                "careline_repeat", "not a valid repeat rule (RRULE): {detail}", {"detail": str(error)}
            ) from None
        return value

    @model_validator(mode="after")
    def _when_and_where(self) -> Activity:
        if self.service_point is None and self.place is None:
            raise PydanticCustomError("careline_activity_where", "needs a service_point or a place", {})
        if self.repeat is None and not self.sessions:
            raise PydanticCustomError("careline_activity_when", "needs a repeat rule or sessions", {})
        if self.repeat is not None and self.time is None:
            raise PydanticCustomError("careline_activity_time", "a repeat rule needs a time (HH:MM)", {})
        return self




class MealService(Item):
    key: Key
    service_point: Key
    name: Text
    aliases: Aliases = Aliases()
    meal: Literal["breakfast", "lunch", "dinner"]
    days: list[Literal["mo", "tu", "we", "th", "fr", "sa", "su"]] = Field(min_length=1)
    serving_time: Annotated[str, Field(pattern=TIME_RANGE_PATTERN)]
    order_by: HHMM
    price: Money
    subsidised_price: Money | None = None
    delivery: bool = False
    delivery_fee: Money = Decimal(0)
    daily_capacity: Annotated[int, Field(ge=1)]
    menu: Text | None = None


class HomeService(Item):
    key: Key
    kind: Literal["cleaning", "bathing", "haircut", "visit", "nursing", "repair", "companion",
                  "shopping", "foot_care"]
    name: Text
    aliases: Aliases = Aliases()
    description: Text
    provider: Key | None = None
    price: Money
    subsidised_price: Money | None = None
    duration_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = 60
    available_hours: Hours = "Mo-Su 08:00-18:00"

    _opening = field_validator("available_hours")(_hours)


class Elder(Item):
    key: Key
    name: Name
    gender: Literal["female", "male"] | None = None
    birth_date: dt.date | None = None
    place: Key | None = None
    lives_alone: bool | None = None
    care_level: Annotated[int, Field(ge=0, le=6)] | None = None
    income_status: Literal["normal", "low_income", "subsistence", "extreme_poverty"] | None = None
    hukou_local: bool | None = None
    disabled: bool | None = None
    language: Lang = "zh"
    phone: str | None = None
    notes: str | None = None

    _phones = field_validator("phone")(_phone)

    @model_validator(mode="before")
    @classmethod
    def _no_id_number(cls, data: Any) -> Any:
        """Bundles of format version 1 may carry ``id_number``: accepted, never kept (nothing uses it)."""
        if isinstance(data, dict) and "id_number" in data:
            data = {k: v for k, v in data.items() if k != "id_number"}
        return data

    @field_validator("birth_date")
    @classmethod
    def _past(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and not dt.date(1900, 1, 1) <= value <= clock.local_today():
            raise PydanticCustomError("careline_birth_date", "birth date out of range: {value}",
                                      {"value": value.isoformat()})
        return value


class FamilyLink(Item):
    elder: Key
    relationship: Literal["son", "daughter", "spouse", "son_in_law", "daughter_in_law",
                          "grandchild", "sibling", "relative", "friend", "neighbour", "carer"]
    primary: bool = False


class FamilyMember(Item):
    key: Key
    name: Name
    phone: str | None = None
    language: Lang = "zh"
    telegram_user_id: int | None = None
    elders: list[FamilyLink] = Field(min_length=1)

    _phones = field_validator("phone")(_phone)


class Volunteer(Item):
    key: Key
    name: Name
    phone: str | None = None
    place: Key | None = None
    language: Lang = "zh"
    skills: list[Key] = []
    hours_earned: Annotated[Decimal, Field(ge=0, decimal_places=1)] = Decimal(0)
    hours_spent: Annotated[Decimal, Field(ge=0, decimal_places=1)] = Decimal(0)

    _phones = field_validator("phone")(_phone)


class Consultant(Item):
    key: Key
    name: Name
    username: Key
    languages: list[Lang] = Field(default=["zh"], min_length=1)


class ReplyText(Item):
    """A canned reply's title or text, in the languages it is written in (at least one)."""

    zh: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    en: Annotated[str, Field(min_length=1, max_length=2000)] | None = None

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in ("zh", "en") if getattr(self, lang) is not None)


class CannedReply(Item):
    """A ready-made reply consultants insert into a conversation of this district in one of its
    languages (``canned_replies.yaml``)."""

    key: Key
    title: ReplyText
    text: ReplyText

    @model_validator(mode="after")
    def _same_languages(self) -> CannedReply:
        if not self.title.languages or self.title.languages != self.text.languages:
            raise PydanticCustomError("careline_reply_languages",
                                      "title and text need the same languages, zh and/or en", {})
        for lang in self.title.languages:
            if len(getattr(self.title, lang)) > REPLY_TITLE_MAX:
                raise PydanticCustomError("careline_reply_title", "the title is longer than {max_length}",
                                          {"max_length": REPLY_TITLE_MAX})
        return self


REPLY_TITLE_MAX = 128

ITEM_FILES: dict[str, type[Item]] = {
    "places.yaml": Place,
    "service_points.yaml": ServicePoint,
    "policies.yaml": Policy,
    "activities.yaml": Activity,
    "meal_services.yaml": MealService,
    "home_services.yaml": HomeService,
    "elders.yaml": Elder,
    "family_members.yaml": FamilyMember,
    "volunteers.yaml": Volunteer,
    "consultants.yaml": Consultant,
    "canned_replies.yaml": CannedReply,
}
DISTRICT_FILE = "district.yaml"


class Bundle(BaseModel):
    """A whole validated district bundle."""

    model_config = ConfigDict(frozen=True)

    header: DistrictFile
    places: list[Place] = []
    service_points: list[ServicePoint] = []
    policies: list[Policy] = []
    activities: list[Activity] = []
    meal_services: list[MealService] = []
    home_services: list[HomeService] = []
    elders: list[Elder] = []
    family_members: list[FamilyMember] = []
    volunteers: list[Volunteer] = []
    consultants: list[Consultant] = []
    canned_replies: list[CannedReply] = []

    @property
    def key(self) -> str:
        return self.header.district.key


def file_attribute(file_name: str) -> str:
    return file_name.removesuffix(".yaml")


def dump_item(item: BaseModel) -> dict[str, Any]:
    """An item as plain YAML-ready data, without fields left at their defaults."""
    return item.model_dump(exclude_defaults=True)
