"""Content hashes: the fast canonical encoder writes exactly the bytes of the reference encoder."""

from __future__ import annotations

import doctest
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from impactkit.store import canonical
from impactkit.store.canonical import canonical_hash, canonical_json, reference_json

# Every code point, surrogates included; floats of every size, NaN and the infinities; integers
# beyond 64 bits; keys that are not text; the odd Python value a caller may hand in.
_text = st.text(st.characters(codec=None, categories=None), max_size=12)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _text
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(_text, inner, max_size=5)
    | st.dictionaries(st.integers(-3, 3), inner, max_size=2)
    | st.tuples(inner, inner),
    max_leaves=25,
)


def _outcome(encode: Any, value: Any) -> bytes | str:
    try:
        return bytes(encode(value))
    except Exception as error:  # both must refuse the same values the same way
        return type(error).__name__


@given(_values)
def test_the_fast_encoder_writes_the_reference_bytes(value: Any) -> None:
    assert _outcome(canonical_json, value) == _outcome(reference_json, value)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_is_written_as_python_writes_it(number: float) -> None:
    assert canonical_json({"x": number}) == reference_json({"x": number})


def test_a_float_python_writes_with_an_exponent_keeps_its_exponent() -> None:
    assert canonical_json([1e16, 1e-05, 2.5e-07]) == b"[1e+16,1e-05,2.5e-07]"
    assert canonical_json(math.inf) == b"Infinity"


def test_keys_are_sorted_by_code_point_and_text_is_not_escaped() -> None:
    assert canonical_json({"é": 1, "e": 2, "Z": 3, "a\n": "\u2028\x7f"}) == (
        '{"Z":3,"a\\n":"\u2028\x7f","e":2,"é":1}'.encode()
    )


def test_equal_content_gives_equal_hashes_whatever_the_key_order() -> None:
    assert canonical_hash({"a": 1, "b": [1, 2]}) == canonical_hash({"b": [1, 2], "a": 1})
    assert canonical_hash({"a": 1}) != canonical_hash({"a": 1.0})


def test_a_known_hash_never_changes() -> None:
    # Stored hashes are compared with new submissions: the canonical text may never drift.
    assert canonical_hash({"answers": {"age": 42, "name": "Lucía"}, "wave": None}) == (
        "d82e38e3e7ab9f6eee0db60a74dacdacd1000210068707c7321a4ddb7f880a17"
    )


def test_the_docstring_example_runs() -> None:
    result = doctest.testmod(canonical)
    assert result.attempted > 0 and result.failed == 0
