"""Per-person message limits, on the well-kept ``limits`` library (moving windows; in memory by
default, Redis when several hub processes share the load)."""

from __future__ import annotations

from limits import parse, parse_many, storage, strategies


class RateLimiter:
    def __init__(self, rule: str, storage_url: str = "memory://") -> None:
        self.limits = parse_many(rule.replace(";", ","))
        self.strategy = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_url))
        self.notice = parse("1 per 30 seconds")

    def allow(self, key: str) -> bool:
        """Count one message from ``key``; False when that is over any of the limits."""
        allowed = True
        for limit in self.limits:
            allowed = self.strategy.hit(limit, "careline", key) and allowed
        return allowed

    def would_allow(self, key: str) -> bool:
        """Whether one more message from ``key`` would be allowed, without counting it (a channel
        checks this before costly work, such as transcribing a voice note)."""
        return all(self.strategy.test(limit, "careline", key) for limit in self.limits)

    def should_tell(self, key: str) -> bool:
        """Whether to tell a limited person to slow down (once in a while, not once a message)."""
        return self.strategy.hit(self.notice, "careline-notice", key)
