"""Shared fixtures: the lecture's examples and a CLI runner."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

#: CS231n's examples: expression, point, value, gradient
LECTURE = {
    "add-mul": ("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0}, -12.0, {"x": -4.0, "y": -4.0, "z": 3.0}),
    "neuron": (
        "1/(1+exp(-(w0*x0+w1*x1+w2)))",
        {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0},
        0.7310585786,
        {"w0": -0.1966119332, "x0": 0.3932238665, "w1": -0.3932238665, "x1": -0.5898357997, "w2": 0.1966119332},
    ),
}
LECTURE["neuron-sigmoid"] = ("sigmoid(w0*x0+w1*x1+w2)", *LECTURE["neuron"][1:])


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
