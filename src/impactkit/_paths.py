"""Where the shipped data files (frameworks, survey forms, export layouts) live.

In an installed wheel they sit in ``impactkit/_data/<kind>``; in a source
checkout (editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(kind: str) -> Path:
    """Folder of shipped data of one kind: ``frameworks``, ``surveys`` or ``exports``."""
    installed = _PACKAGE_DIR / "_data" / kind
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parents[1] / kind
