"""The examples in the survey modules' docstrings run as written."""

from __future__ import annotations

import doctest

import pytest

from impactkit.surveys import expressions, validation


@pytest.mark.parametrize("module", [expressions, validation])
def test_the_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0
