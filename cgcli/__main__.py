"""``python -m cgcli``."""

from .cli import run

run()
