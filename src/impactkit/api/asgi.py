"""ASGI entry point for servers (``uvicorn impactkit.api.asgi:app``): settings from the environment."""

from __future__ import annotations

import gc
import logging
import sys

from impactkit.api.app import create_app
from impactkit.logs import configure
from impactkit.settings import load_settings

settings = load_settings()
if not logging.getLogger("impactkit").handlers:  # started by a bare ASGI server, not `impactkit serve`
    configure(settings.log_level, settings.log_format)
app = create_app(settings, start_helpers=True)

# What start-up loaded (the app, pandas, scipy, the parsed frameworks) stays for the life of the
# process: frozen out of the cyclic collector, which otherwise walks all of it on every full
# collection (a batch of 1,000 responses triggers several).
gc.collect()
gc.freeze()

# Requests hand their responses to the writer thread and wait for its commit, so the event loop
# and the writer pass the interpreter back and forth many times a second. A thread that wants
# it back waits until the holder's switch interval runs out (5 ms by default, which capped a
# single process at a few hundred small requests a second); 0.5 ms keeps the hand-overs short.
sys.setswitchinterval(0.0005)
