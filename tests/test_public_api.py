"""The curated public API of ``import pyhelm``: what it names, and that it works."""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest

import pyhelm
from tests.conftest import REPO_ROOT


def test_every_exported_name_resolves() -> None:
    for name in pyhelm.__all__:
        assert getattr(pyhelm, name) is not None, name


def test_all_is_sorted_and_unknown_names_raise_attribute_error() -> None:
    assert pyhelm.__all__ == sorted(pyhelm.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pyhelm.nope  # noqa: B018


def test_importing_pyhelm_loads_none_of_its_subsystems() -> None:
    code = "import sys, pyhelm; print(sorted(m for m in sys.modules if m.startswith('pyhelm.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_module_docstring_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    failures, tried = doctest.testmod(pyhelm, verbose=False, report=False)
    assert (failures, tried > 0) == (0, True)
