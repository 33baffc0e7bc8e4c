"""What cgcli does with an evaluated graph, each a library function first: `check`, `points`."""
