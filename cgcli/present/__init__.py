"""Presenters: one module per output format, each reading an evaluated graph.

To add a format, add a module here with a function from `cgcli.core.engine.Result`
(or `cgcli.core.graph.Graph`) to text or a Rich renderable, and call it from the
command in `cgcli.cli`.  Presenters compute nothing: they only show.
"""
