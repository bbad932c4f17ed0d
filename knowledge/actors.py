"""Who is acting in the consultants' console, and which districts they may act on.

The accounts work (sessions, logins, the administrator flag) builds an :class:`Actor` from the
logged-in consultant; everything that acts on a conversation takes one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from knowledge.models import Consultant


@dataclass(frozen=True)
class Actor:
    consultant_id: int
    district_ids: frozenset[int] | None
    """The districts this consultant may see and act on; None: all (an administrator)."""

    def may_act_in(self, district_id: int | None) -> bool:
        """A conversation of no known district is for administrators only."""
        return self.district_ids is None or (district_id is not None and district_id in self.district_ids)


class UnknownConsultant(LookupError):
    pass


def actor_for(session: Session, consultant_id: int, is_admin: bool = False) -> Actor:
    """The actor of a consultant: their own district, or every district for an administrator."""
    consultant = session.get(Consultant, consultant_id)
    if consultant is None:
        raise UnknownConsultant(consultant_id)
    return Actor(consultant.id, None if is_admin else frozenset({consultant.district_id}))
