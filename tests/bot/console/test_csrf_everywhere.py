"""Every state-changing console route, today's and any added later, refuses a signed-in
request that does not carry the session's CSRF token."""

from __future__ import annotations

from bot.console.security import UNSAFE_METHODS
from tests.bot.console.conftest import Console
from tests.security.test_routes import doors


def test_every_state_changing_console_route_needs_the_csrf_token(console: Console) -> None:
    unsafe = [d for d in doors(console.app.routes)
              if d.path.startswith("/console") and d.method in UNSAFE_METHODS and d.path != "/console/login"]
    assert {d.path for d in unsafe} >= {"/console/logout"}
    with console.client() as client:
        assert console.login(client, "alice").status_code == 303
        for door in unsafe:
            for kwargs in ({"data": {"x": "1"}}, {"json": {"x": 1}}, {"data": {"csrf_token": "forged"}}):
                response = client.request(door.method, door.path, **kwargs)
                assert response.status_code == 403, (door, kwargs, response.status_code)
        assert client.get("/console/").status_code == 200  # still signed in: nothing was done
