"""``python -m cgcli``."""

from .entry import run

run()
