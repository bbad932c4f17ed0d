"""Who is acting in the consultants' console, and which districts they may act on.

The console's sign-in (:mod:`bot.console.security`) builds an :class:`Actor` from the session;
everything that acts on a conversation (:mod:`bot.console.service`) takes one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from knowledge.models import Consultant


@dataclass(frozen=True)
class Actor:
    consultant_id: int
    district_ids: frozenset[int] | None
    """The districts this consultant may see and act on; None: all (an administrator)."""
    username: str = ""
    name: str = ""
    is_admin: bool = False
    csrf_token: str = ""

    def may_act_in(self, district_id: int | None) -> bool:
        """A conversation of no known district is for administrators only."""
        return self.district_ids is None or (district_id is not None and district_id in self.district_ids)

    may_see = may_act_in


class UnknownConsultant(LookupError):
    pass


def actor_for(session: Session, consultant_id: int, is_admin: bool | None = None) -> Actor:
    """The actor of a consultant: the districts they serve, or every one for an administrator
    (``is_admin`` overrides the account's own flag, for tests and tools)."""
    from knowledge.accounts import district_ids

    consultant = session.get(Consultant, consultant_id)
    if consultant is None:
        raise UnknownConsultant(consultant_id)
    admin = consultant.is_admin if is_admin is None else is_admin
    districts = None if admin else (district_ids(consultant) or frozenset({consultant.district_id}))
    return Actor(consultant.id, districts, consultant.username, consultant.name, admin)
