"""``/healthz``: public, says only that the hub answers."""

from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    routes = APIRouter()

    @routes.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return routes
