"""Which channel is calling the hub's message API: each channel has its own bearer token.

The channels that post to ``/api/messages`` are those that answer in the same breath: the
terminal (``careline chat``, run by staff on the hub's machine) and the phone line (the hotline,
after its caller-ID lookup). Each one's token is a secret of :mod:`careline.secrets`
(``channel_terminal``, ``channel_phone``): set by the operator, or made on the first run under
``var_dir/secrets`` where only the system's own user can read it. The token names the channel, so
a caller can never speak as another channel. Telegram has no token here: its updates come in
through its own gateway (polling, or the webhook with Telegram's secret header), never through
this API.

Both channels may name the elder they act for (``elder_id``): the terminal because whoever can
read its token can read the database too, the phone line because it has looked the caller up.
A channel that may not would need its own rule here before it gets a token.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from careline.secrets import CHANNEL_PHONE, CHANNEL_TERMINAL, secret
from careline.settings import Settings

#: channel name → name of its token's secret
API_CHANNELS: Mapping[str, str] = {"terminal": CHANNEL_TERMINAL, "phone": CHANNEL_PHONE}


class ChannelTokens:
    """The tokens of the API channels, read once when the app is made (a changed token takes
    effect when the hub restarts)."""

    def __init__(self, tokens: Mapping[str, str]) -> None:
        if any(not token for token in tokens.values()):
            raise ValueError("a channel token is empty")
        self._tokens = {name: token.encode() for name, token in tokens.items()}

    @classmethod
    def load(cls, settings: Settings) -> ChannelTokens:
        return cls({name: secret(secret_name, settings) for name, secret_name in API_CHANNELS.items()})

    def channel_of(self, authorization: str | None) -> str | None:
        """The channel whose token an ``Authorization: Bearer`` header carries, else ``None``.

        Every token is compared, each in constant time, so the answer's timing tells nothing
        about which token a guess was close to."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        given = token.strip().encode("utf-8", "surrogateescape")
        if scheme.lower() != "bearer" or not given:
            return None
        found = None
        for name, expected in self._tokens.items():
            if hmac.compare_digest(given, expected):
                found = name
        return found
