"""ASGI entry point for servers (``uvicorn impactkit.api.asgi:app``): settings from the environment."""

from __future__ import annotations

import gc
import logging
import sys
import threading

from impactkit.api.app import create_app
from impactkit.logs import configure
from impactkit.settings import load_settings

settings = load_settings()
if not logging.getLogger("impactkit").handlers:  # started by a bare ASGI server, not `impactkit serve`
    configure(settings.log_level, settings.log_format)
app = create_app(settings, start_helpers=True)

# What start-up loaded (the app, the parsed frameworks) stays for the life of the process: frozen
# out of the cyclic collector, which otherwise walks all of it on every full collection (a batch
# of 1,000 responses triggers several).
gc.collect()
gc.freeze()


def _warm_up() -> None:
    """Import the computing libraries (pandas, scipy, statsmodels: seconds) once the server
    answers, so that start-up does not wait for them and the first KPI request hardly does;
    then freeze them out of the collector too."""
    import impactkit.frameworks.compute  # noqa: F401

    gc.collect()
    gc.freeze()


def _start_warm_up() -> None:
    threading.Thread(target=_warm_up, name="impactkit-warm-up", daemon=True).start()


if settings.kpi_processes == 0:  # else the KPI helpers import them (here only a page that needs them does)
    app.on_startup.append(_start_warm_up)

# Requests hand their responses to the writer thread and wait for its commit, so the event loop
# and the writer pass the interpreter back and forth many times a second. A thread that wants
# it back waits until the holder's switch interval runs out (5 ms by default, which capped a
# single process at a few hundred small requests a second); 0.5 ms keeps the hand-overs short.
sys.setswitchinterval(0.0005)
