"""The general-neuron equations (derive/general.py) are the element form's, with the letters standing for numbers.

A symbol such as W3_k_j stands for every W3_<k>_<j>, and a sum over a letter for the sum over the layer: filling
in the letters and writing the sums out gives, for every neuron, the equation the element form derives for it.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive import general
from symbackprop.model import symbols
from tests.helpers import random_point


def fill(expr: sp.Basic, letters: dict[str, int]) -> sp.Basic:
    """``expr`` with every letter index replaced by its number and every sum over a letter written out."""
    def rename(symbol: sp.Symbol) -> sp.Symbol:
        info = symbols.describe(symbol.name)
        if info is None or not any(isinstance(i, str) for i in info.indices):
            return symbol
        indices = [letters[i] if isinstance(i, str) else i for i in info.indices]
        return sp.Symbol(symbols.element(info.kind, info.layer, *indices), real=True)

    def write_out(total: sp.Sum) -> sp.Basic:
        (letter, low, high), = total.limits
        return sp.Add(*[fill(total.function, {**letters, str(letter): n}) for n in range(int(low), int(high) + 1)])

    expr = expr.replace(lambda e: isinstance(e, sp.Sum), write_out)
    return expr.xreplace({s: rename(s) for s in expr.free_symbols if isinstance(s, sp.Symbol)})


NETWORKS = [Network([2, 3, 2], hidden="tanh", output="softmax", loss="cross_entropy", bias=bias)
            for bias in ("vector", "neuron", "none", "shared")] + [
    Network([3, 2, 2, 1], activations=["relu", "sigmoid", "sigmoid"], loss="bce")]


@pytest.mark.parametrize("net", NETWORKS, ids=lambda n: f"{n.spec}-{n.bias}")
def test_general_equations_are_the_element_forms_for_every_neuron(net: Network) -> None:
    derivation = net.derive(forms=("element",))
    point = random_point(net, random.Random(1))
    values = derivation.substitutions()
    at = lambda expr: sp.N(sp.sympify(expr).xreplace(values).xreplace(point), 30)  # noqa: E731
    for layer in range(1, net.depth + 1):
        for j in range(1, net.layers[layer] + 1):
            z = general.forward(net, layer, "j", "k")
            assert abs(at(fill(z.rhs, {"j": j})) - at(net.pre_activation(layer, j - 1))) < 1e-25
            if layer < net.depth:
                delta = general.delta(net, layer, "j", "k")
                assert abs(at(fill(delta.rhs, {"j": j})) - at(derivation.deltas[f"delta{layer}"][j - 1])) < 1e-25
            grads = general.gradients(net, layer, "j", "k")
            weight = derivation.gradients[f"W{layer}"]
            for k in range(1, net.layers[layer - 1] + 1):
                column = k if net.bias == "neuron" else k - 1
                assert abs(at(fill(grads[0].rhs, {"j": j, "k": k})) - at(weight[j - 1, column])) < 1e-25
            if net.bias in ("vector", "shared"):
                bias = derivation.gradients[f"b{layer}"]
                want = bias[j - 1, 0] if net.bias == "vector" else bias[0, 0]
                assert abs(at(fill(grads[1].rhs, {"j": j})) - at(want)) < 1e-25
            elif net.bias == "neuron":
                assert abs(at(fill(grads[1].rhs, {"j": j})) - at(weight[j - 1, 0])) < 1e-25
