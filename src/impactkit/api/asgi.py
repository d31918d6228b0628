"""ASGI entry point for servers (``uvicorn impactkit.api.asgi:app``): settings from the environment."""

from __future__ import annotations

import gc

from impactkit.api.app import create_app

app = create_app()

# What start-up loaded (the app, pandas, scipy, the parsed frameworks) stays for the life of the
# process: frozen out of the cyclic collector, which otherwise walks all of it on every full
# collection (a batch of 1,000 responses triggers several).
gc.collect()
gc.freeze()
