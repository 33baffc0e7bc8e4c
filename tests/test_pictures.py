"""The README's pictures are what cgcli draws now (docs/make_pictures.py)."""

from __future__ import annotations

import runpy
from pathlib import Path

MAKE = Path(__file__).resolve().parents[1] / "docs" / "make_pictures.py"


def test_readme_pictures_are_current() -> None:
    drifted = runpy.run_path(str(MAKE))["drifted"]
    assert drifted() == [], "run: python docs/make_pictures.py"
