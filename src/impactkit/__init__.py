"""impactkit: impact measurement for the social economy.

Survey forms (XLSForm), simplified KPIs, SROI analyses and validated social
reports, as a library (``impactkit.surveys``, ``impactkit.frameworks``,
``impactkit.sroi``, ``impactkit.reports``) and as a service (``impactkit serve``).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
