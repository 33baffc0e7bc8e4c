"""The ``cgcli`` command line.

`app` holds the group, the flags every command shares and the one place
where errors become messages and exit codes; `args` is the command line's
own grammar (variables as options).  Each command is a module of its own
(`grad`, `graph`, `check`, `diff`, `descend`), a screenful each: import it here to register it.
"""

from . import check, descend, diff, grad, graph  # noqa: F401 - each registers its command on the group
from .app import cli, main, run

__all__ = ["cli", "main", "run"]
