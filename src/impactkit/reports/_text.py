"""Neutralising user text so that no formula runs when a funder opens an export.

One function, used by every writer (Excel cells, CSV fields): text that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an apostrophe, as
OWASP recommends against CSV/formula injection. XlsxWriter also treats text wrapped in
``<r>…</r>`` as raw rich-text XML in constant-memory mode; such text is prefixed the same way
so that it is written as plain text.
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text made safe to put in a spreadsheet cell or CSV field.

    Example:
        >>> neutralise("=HYPERLINK(\\"http://x\\")")
        '\\'=HYPERLINK("http://x")'
        >>> neutralise("plain words")
        'plain words'
    """
    if text.startswith(_TRIGGERS) or (text.startswith("<r>") and text.endswith("</r>")):
        return "'" + text
    return text
