"""The consultants' console, served by the hub under ``/console``: a conversation service beside
the channel path (:mod:`bot.console.service`, what a person does to a conversation), sign-in and
sessions (:mod:`bot.console.security`), and the pages.

For console routes: ``current_consultant`` (who is signed in, as an :class:`Actor`) and
``require_csrf`` (the same, for a state-changing request carrying its CSRF token) from
:mod:`bot.console.security`; add routes to :data:`bot.console.auth.router`, whose every POST,
PUT, PATCH and DELETE already needs the token."""

from bot.console.auth import install, router
from bot.console.security import Actor, current_consultant, require_csrf

__all__ = ["Actor", "current_consultant", "install", "require_csrf", "router"]
