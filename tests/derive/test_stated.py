"""The equalities the documents state beside the steps (:mod:`symbackprop.derive.stated`): each holds for every
layer, neuron and example, and each wrong one fails its check."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive import stated
from symbackprop.derive.derivation import Derivation, Equation
from symbackprop.derive.engine import derive
from symbackprop.derive.truth import VerificationError
from symbackprop.model import symbols

pytestmark = pytest.mark.timeout(120)

NETWORKS = [
    Network([2, 2, 2], loss="generic", bias="neuron"),  # seed 000's
    Network([3, 4, 2], hidden="tanh", loss="bce"),
    Network([3, 3, 3, 2], hidden="relu", output="softmax", loss="sparse_cross_entropy"),
    Network([2, 3, 1], hidden="generic", output="generic", loss="generic", bias="shared"),
]


def _all(network: Network) -> tuple[Equation, ...]:
    return stated.bias_units(network) + stated.batch_mean(network) + stated.batch_errors(network)


@pytest.mark.parametrize("network", NETWORKS, ids=lambda n: n.spec)
def test_every_stated_equality_holds_and_counts_as_a_step(network: Network) -> None:
    derivation = derive(network, ("vector",))
    equations = _all(network)
    found = stated.check(derivation, equations, points=1)
    assert found.steps == len(equations) == (3 if network.bias == "neuron" else 2) * network.depth
    assert found.lines >= len(equations)


def test_bias_units_only_where_the_network_has_them() -> None:
    assert stated.bias_units(NETWORKS[1]) == () and stated.biases(NETWORKS[1]) == {}
    assert len(stated.bias_units(NETWORKS[0])) == NETWORKS[0].depth


def _scaled(equation: Equation, factor: sp.Expr) -> Equation:
    return Equation(equation.name, equation.lhs, equation.rhs * factor)


@pytest.mark.parametrize("wrong", [
    lambda net: [Equation("δ of the layer below", e.lhs, sp.MatrixSymbol(symbols.matrix("delta", 1), 2, 1))
                 for e in stated.bias_units(net)[1:]],
    lambda net: [_scaled(e, 2) for e in stated.batch_mean(net)],
    lambda net: [Equation(e.name, e.lhs, e.rhs.xreplace({stated.M: 1})) for e in stated.batch_mean(net)],
    lambda net: [_scaled(e, 2) for e in stated.batch_errors(net)],
    lambda net: [Equation(e.name, e.lhs, e.rhs.xreplace({stated.EXAMPLE: 1})) for e in stated.batch_errors(net)],
], ids=["bias units: delta^l-1", "batch mean: 2/m", "batch mean: m = 1", "Delta: 2/m", "Delta: example 1's"])
def test_a_wrong_statement_fails(wrong: Callable[[Network], list[Equation]]) -> None:
    network = NETWORKS[0]
    derivation = derive(network, ("vector",))
    for equation in wrong(network):
        with pytest.raises(VerificationError):
            stated.check(derivation, [equation], points=1)


@pytest.mark.parametrize("bias", ["vector", "shared"])  # a shared bias's summand a sum over the layer itself
def test_the_data_sets_means_hold_and_a_wrong_factor_fails(bias: str) -> None:
    generic = derive(Network([3, 4, 2], hidden="generic", output="generic", loss="generic", bias=bias), ("vector",))
    means = stated.data_means(generic)
    assert len(means) == 2  # the weight's and the bias's
    assert stated.check(generic, means, points=1).steps == 2
    for equation in means:
        for wrong in (_scaled(equation, 2), Equation(equation.name, equation.lhs,
                                                     equation.rhs.xreplace({stated.DATA: 1}))):
            with pytest.raises(VerificationError):
                stated.check(generic, [wrong], points=1)


def _column_argument(network: Network) -> tuple[Derivation, Equation]:
    """The network's derivation and its column argument, which holds: one line per neuron of its layer."""
    derivation = derive(network, ("vector",))
    argument = derivation.argument("activation")
    assert argument is not None
    equation = stated.column_argument(network, argument)
    assert equation is not None
    assert stated.check(derivation, [equation], points=1).lines == network.layers[argument.layer]
    return derivation, equation


def test_the_column_argument_holds_for_every_neuron_and_a_wrong_one_fails() -> None:
    derivation, equation = _column_argument(NETWORKS[2])  # seed 002's
    column, vector = equation.rhs.args
    (weights, letter) = column.arg.args
    for wrong in (sp.MatMul(sp.Transpose(stated.Column(weights, letter + 1)), vector),  # the next column
                  sp.MatMul(column, 2 * vector)):
        with pytest.raises(VerificationError):
            stated.check(derivation, [Equation(equation.name, equation.lhs, wrong)], points=1)


@pytest.mark.parametrize("layers", [[1, 1, 1], [2, 3, 2]])
def test_the_column_argument_with_bias_units_takes_the_column_past_the_bias_units(layers: list[int]) -> None:
    """With bias units W^{l+1} has the bias unit's column first: neuron j's column is column j of W[:, 1:] (a
    Hypothesis-drawn 1-1-1 goodfellow network found the check reading W's own column j)."""
    derivation, equation = _column_argument(Network(layers, hidden="sigmoid", loss="bce", bias="neuron"))
    column, vector = equation.rhs.args
    past_bias, letter = column.arg.args
    wrong = sp.MatMul(sp.Transpose(stated.Column(past_bias.parent, letter)), vector)  # W's own column j
    with pytest.raises(VerificationError):
        stated.check(derivation, [Equation(equation.name, equation.lhs, wrong)], points=1)
