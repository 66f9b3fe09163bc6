"""The exercises' numeric part: the point it substitutes, answers equal to the truth at that point, and numbers
drawn so that every index mistake shows."""

from __future__ import annotations

import random
from functools import cache

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive.derivation import Derivation
from symbackprop.documents import exercises
from symbackprop.documents.exercises import _point, answers
from tests.helpers import derived_at, diff_at, explicit_loss

#: The architectures whose answers must show every swapped index: the default, a wider one, and 2-2-2 (square
#: matrices, where a swap can hide in a symmetric gradient) with each bias convention.
ARCHITECTURES = [("2-3-1", "vector"), ("3-4-2", "vector"), ("2-2-2", "vector"), ("2-2-2", "neuron"),
                 ("2-2-2", "none"), ("2-2-2", "shared")]


@cache
def _derived(spec: str, bias: str) -> Derivation:
    return Network.from_spec(spec, bias=bias).derive(forms=("element",))


def _shown(value: sp.Expr) -> str:
    """A number as the solutions show it, to 4 decimals; computed here from the closed form, not by the module."""
    text = f"{float(value):.4f}"
    return "0" if float(text) == 0 else text


def _answer_matrices(derivation: Derivation, point: dict) -> dict[str, sp.Matrix]:
    """Each gradient and each delta vector at ``point``, from the closed form (independent of exercises.answers)."""
    values = derivation.substitutions()
    matrices = {**derivation.closed_form(),
                **{name: delta.xreplace(values) for name, delta in derivation.deltas.items()}}
    return {name: matrix.xreplace(point).applyfunc(lambda v: _shown(sp.N(v, 30))) for name, matrix in matrices.items()}


@pytest.mark.parametrize("seed", range(8))
def test_targets_of_a_distribution_loss_are_one_hot(seed: int) -> None:
    net = Network([3, 2, 3], hidden="sigmoid", output="softmax", loss="cross_entropy")
    point = _point(net.derive(forms=("element",)), seed)
    assert sorted(point[y] for y in net.targets) == [0, 0, 1]


@pytest.mark.parametrize("seed", range(6))
def test_the_numeric_answers_are_the_gradient_at_the_point(seed: int) -> None:
    net = Network([3, 2, 2], hidden="leaky_relu(0.2)", output="softmax", loss="cross_entropy", bias="shared")
    point = _point(net.derive(forms=("element",)), seed)
    derived = derived_at(net.derive(forms=("element",)), point)
    loss = explicit_loss(net)
    for param, value in derived.items():
        assert abs(value - diff_at(loss, param, point)) < sp.Float(1e-25), (seed, param)


@pytest.mark.parametrize("seed", range(3))
def test_the_printed_answers_are_the_truth_to_four_decimals(seed: int) -> None:
    net = Network([2, 2, 2], hidden="tanh", loss="bce", bias="neuron")
    derivation = net.derive(forms=("element",))
    point = _point(derivation, seed)
    printed = answers(derivation, point)
    loss = explicit_loss(net)
    for name, matrix in net.parameters.items():
        for i in range(matrix.rows):
            for j in range(matrix.cols):
                assert printed[name][i][j] == _shown(diff_at(loss, matrix[i, j], point)), (seed, name, i, j)


@pytest.mark.parametrize(("spec", "bias"), ARCHITECTURES)
@pytest.mark.parametrize("seed", range(8))
def test_every_answer_matrix_shows_a_swapped_index(spec: str, bias: str, seed: int) -> None:
    derivation = _derived(spec, bias)
    network = derivation.network
    point = _point(derivation, seed)
    inputs = [point[x] for x in network.inputs_list()]
    assert len(set(inputs)) == len(inputs), inputs
    targets = [point[y] for y in network.targets]
    assert len(set(targets)) == len(targets), targets
    for name, matrix in _answer_matrices(derivation, point).items():
        rows = [tuple(matrix.row(i)) for i in range(matrix.rows)]
        columns = [tuple(matrix.col(j)) for j in range(matrix.cols)]
        assert len(set(rows)) == len(rows), (name, matrix)
        assert len(set(columns)) == len(columns), (name, matrix)
        if matrix.is_square and matrix.rows > 1:
            assert matrix != matrix.T, (name, matrix)


@pytest.mark.parametrize("seed", range(4))
def test_the_default_exercise_point_is_the_same_on_every_run(seed: int) -> None:
    derivation = _derived("2-3-1", "vector")
    assert _point(derivation, seed) == _point(derivation, seed)


def test_without_a_clean_draw_the_point_falls_back_to_distinct_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    derivation = _derived("2-2-2", "vector")
    calls: list[int] = []

    def always_one(network: Network, printed: dict) -> int:
        calls.append(1)
        return 1

    monkeypatch.setattr(exercises, "unseen_mistakes", always_one)
    point = _point(derivation, 5)
    assert len(calls) == exercises.DRAWS  # bounded: every draw tried once, then the fallback
    first = exercises._draw(derivation.network, random.Random(5))
    assert point == first  # all draws tie: the first one
    assert point[sp.Symbol("x_1", real=True)] != point[sp.Symbol("x_2", real=True)]
