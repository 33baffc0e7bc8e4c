"""Text <-> graph: the grammar's LALR tables and driver, the parser, parse errors, the printer.

It builds `cgcli.core.graph.Graph`s and prints them back; the core never imports it.
"""
