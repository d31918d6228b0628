"""The worked examples in the SROI docstrings run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "impactkit.sroi._deadweight",
    "impactkit.sroi._engine",
    "impactkit.sroi._model",
    "impactkit.sroi._montecarlo",
    "impactkit.sroi._sensitivity",
    "impactkit.sroi.excel",
]


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
