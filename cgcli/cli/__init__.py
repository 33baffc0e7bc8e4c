"""The ``cgcli`` command line: `app` holds the group and the one error boundary, `args` the
command line's own grammar (variables as options)."""

from .app import cli, main, run

__all__ = ["cli", "main", "run"]
