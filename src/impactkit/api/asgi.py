"""ASGI entry point for servers (``uvicorn impactkit.api.asgi:app``): settings from the environment."""

from __future__ import annotations

from impactkit.api.app import create_app

app = create_app()
