"""The README's LaTeX picture of ``cgcli diff`` is what cgcli and matplotlib draw now."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

MAKE = Path(__file__).resolve().parents[1] / "docs" / "make_diff_picture.py"


def test_diff_picture_is_current() -> None:
    pytest.importorskip("matplotlib")
    assert runpy.run_path(str(MAKE))["drifted"]() is False, "run: python docs/make_diff_picture.py"
