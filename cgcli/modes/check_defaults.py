"""The defaults of a gradient check, shared by `cgcli.modes.check` and the ``check``
command; a module of their own so that ``grad`` starts without importing the
checker."""

DEFAULT_STEP = 1e-5  # times max(1, |x|): near the optimum ε^(1/3) of a centred difference
DEFAULT_TOLERANCE = 1e-6
DEFAULT_RANGE = (-2.0, 2.0)
DEFAULT_SEED = 0
