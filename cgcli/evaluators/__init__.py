"""Other evaluators of the one op table: complex step (`complexstep`), NumPy arrays (`batch`)."""
