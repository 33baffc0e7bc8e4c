"""The core: the op table (`ops`), the graph (`graph`), the forward and backward passes (`engine`).

Every other layer reads these modules; they import nothing from the layers
above them (no parser, no presenter, no click).
"""
