"""What a number is, in every input cgcli reads: a value on the command line, a CSV field of
``--points`` and (in grammar/expr.lark, by the same rule) a number in an expression.

ASCII decimal only: ``[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?`` with the digits 0-9.  No other
script's digits (Python's ``\\d`` and ``float()`` take ``١٢``), no underscores (``float()`` takes
``1_000``), no ``inf``, ``nan`` or hexadecimal.  JSON Lines follow JSON's own number grammar,
which is narrower still.
"""

from __future__ import annotations

import re

#: NOTE: [0-9], not \d, which matches every script's digits
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
