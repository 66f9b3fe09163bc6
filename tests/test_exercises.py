"""The exercises' numeric part: the point it substitutes, and answers equal to the truth at that point."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.exercises import _point
from symbackprop.network import Network
from tests.helpers import derived_at, diff_at, explicit_loss


@pytest.mark.parametrize("seed", range(8))
def test_targets_of_a_distribution_loss_are_one_hot(seed: int) -> None:
    net = Network([3, 2, 3], hidden="sigmoid", output="softmax", loss="cross_entropy")
    point = _point(net, seed)
    assert sorted(point[y] for y in net.targets) == [0, 0, 1]


@pytest.mark.parametrize("seed", range(6))
def test_the_numeric_answers_are_the_gradient_at_the_point(seed: int) -> None:
    net = Network([3, 2, 2], hidden="leaky_relu(0.2)", output="softmax", loss="cross_entropy", bias="shared")
    point = _point(net, seed)
    derived = derived_at(net.derive(forms=("element",)), point)
    loss = explicit_loss(net)
    for param, value in derived.items():
        assert abs(value - diff_at(loss, param, point)) < sp.Float(1e-25), (seed, param)
