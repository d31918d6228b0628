"""Canonical JSON and its SHA-256: the content hashes that tell a resend from a changed response.

Stored hashes must never change meaning, so the canonical text is fixed: Python's
``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)``
in UTF-8. msgspec writes the very same bytes several times faster for the values responses
hold (text, integers, booleans, null, lists and objects with text keys, floats written without
an exponent); anything else (a float Python writes with an exponent, NaN, a date, a tuple, a
key that is not text) takes the reference encoder. A property test holds the two together.

    >>> canonical_json({"b": 1, "a": ["è", 0.5, None]})
    b'{"a":["\\xc3\\xa8",0.5,null],"b":1}'
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import msgspec

_encode = msgspec.json.Encoder(order="sorted").encode

_PLAIN_FLOAT_LOW = 1e-4
_PLAIN_FLOAT_HIGH = 1e16
"""Python writes a float without an exponent when 1e-4 <= |x| < 1e16 (and for zero); msgspec
writes the same digits there, and differently outside (``1e16`` against ``1e+16``)."""


def reference_json(value: Any) -> bytes:
    """The canonical text by definition (the reference the fast path must match)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.encode("utf-8")


def _plain(value: Any) -> bool:
    """True when msgspec writes ``value`` exactly as the reference does."""
    kind = type(value)
    if kind is dict or kind is list:
        items = value.values() if kind is dict else value
        if kind is dict and not all(type(key) is str for key in value):
            return False
        for item in items:
            # the usual answers are settled here, without a call each
            kind = type(item)
            if kind is str or kind is int or item is None or kind is bool:
                continue
            if not _plain(item):
                return False
        return True
    if kind is float:
        # NaN and the infinities fail both comparisons and go to the reference encoder
        return bool(value == 0.0 or _PLAIN_FLOAT_LOW <= abs(value) < _PLAIN_FLOAT_HIGH)
    return kind is str or kind is int or kind is bool or value is None


def canonical_json(value: Any) -> bytes:
    """Canonical JSON of ``value`` (sorted keys, no spaces, UTF-8): equal content, equal bytes."""
    if _plain(value):
        try:
            return _encode(value)
        except UnicodeEncodeError:  # a lone surrogate: let the reference say what it does
            pass
    return reference_json(value)


def canonical_hash(value: Any) -> str:
    """SHA-256 (hex) of :func:`canonical_json`: equal content, equal hash."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


__all__ = ["canonical_hash", "canonical_json", "reference_json"]
