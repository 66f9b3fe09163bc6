"""Equalities the documents state beside the derivation's steps, built as SymPy equations and checked against the
truth (:mod:`.truth`) as the steps are (:mod:`.verify`): the documents print each from the equation checked.

* **The bias units' weights are the biases** (seed 000, bias units): ``∂c/∂b^l = δ^l`` for every layer l, where
  ``b^l`` is the column of ``W^l`` the bias unit feeds, ``W^l[:, :1]`` (:func:`bias_units`, :data:`BIASES`).
* **A batch's gradient is the mean of its examples'**: ``∂C/∂W^l = (1/m) Σ_{i=1}^m ∂c^(i)/∂W^l`` for every layer
  (:func:`batch_mean`), ``C`` the batch's cost (:data:`TOTAL`), ``c^(i)`` example i's (:data:`EXAMPLE_COST`).
* **The same over a data set, entry by entry** (seed 001): ``∂C/∂w_jk = 1/|D| Σ_{x∈D} δ_j a_k``, the summand the
  generic argument's result for one example (:func:`data_mean`), and the bias's likewise.
* **The column argument** (seed 002): ``∂c/∂a^l_j = Σ_k ∂c/∂z^{l+1}_k W^{l+1}_kj = (W^{l+1}_{·,j})ᵀ δ^{l+1}``, column j
  of the weights above (:class:`Column`), transposed, times the vector the argument's stacked line ends on
  (:func:`column_argument`).
* **A batch's error terms**: column i of ``∂C/∂Z^l`` is example i's ``δ^l`` divided by m (:func:`batch_errors`).

A sum over the examples (index :data:`EXAMPLE` to ``m``, or :data:`DATUM` to ``|D|``) evaluates its summand in
each example of the batch the check draws (:data:`.verify.EXAMPLES` of them, so ``m = |D| = 2``); ``c`` alone,
and every one-example quantity outside such a sum, is the first example's. An equation free in :data:`EXAMPLE`
is checked for every example, one free in a neuron's letter (j, k) for every neuron of its layer. A side that
cannot be evaluated is a failure, never a skip.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import sympy as sp

from ..model import symbols
from ..model.architecture import Architecture
from . import general
from .argument import Argument
from .chain import COST
from .derivation import Derivation, Equation
from .explicit import evaluate
from .forms import M
from .truth import (
    VerificationError,
    World,
    draw_worlds,
    environment,
    gradient,
    layer_functions,
    matrix_name,
    numeric,
)
from .verify import EXAMPLES, POINTS, Verification, agree, close, instances

#: The cost of a batch, or of the data set: the mean of its examples' costs ``c``.
TOTAL = sp.Symbol("C", real=True)
#: The index of an example in a batch, and the cost of example i, ``c^(i)``.
EXAMPLE = sp.Symbol("i", integer=True, positive=True)
EXAMPLE_COST = sp.IndexedBase(COST)
#: An example of the data set, and their number ``|D|``.
DATUM = sp.Symbol("datum")
DATA = sp.Symbol("|D|", integer=True, positive=True)


class Column(sp.MatrixExpr):
    """Column ``index`` (from 1: a number, :data:`EXAMPLE` of a batch's matrix, or a neuron's letter j) of a
    matrix."""

    def __new__(cls, matrix: sp.Basic, index: sp.Expr) -> Column:
        return sp.Basic.__new__(cls, matrix, sp.sympify(index))

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        matrix = self.args[0]
        rows = matrix.shape[0] if isinstance(matrix, sp.MatrixExpr) else matrix.variables[0].shape[0]
        return (rows, sp.S.One)


# ------------------------------------------------------------------------------------------- the equalities
def bias_units(network: Architecture) -> tuple[Equation, ...]:
    """``∂c/∂b^l = δ^l`` for each layer l of a network with bias units (none without): the gradient of the bias
    units' weights, the biases (:data:`BIASES`), is the layer's error terms."""
    if network.bias != "neuron":
        return ()
    return tuple(Equation("the bias units' weights", sp.Derivative(COST, _vector("b", network, l), evaluate=False),
                          _vector("delta", network, l)) for l in range(1, network.depth + 1))


def biases(network: Architecture) -> dict[sp.MatrixSymbol, sp.MatrixExpr]:
    """What each layer's bias vector ``b^l`` is with bias units: the column ``W^l[:, :1]`` of the weights the bias
    unit feeds (none without bias units)."""
    if network.bias != "neuron":
        return {}
    return {_vector("b", network, l): _weights(network, l)[:, :1] for l in range(1, network.depth + 1)}


def batch_mean(network: Architecture) -> tuple[Equation, ...]:
    """``∂C/∂W^l = (1/m) Σ_{i=1}^m ∂c^(i)/∂W^l`` for each layer l: the batch's cost is the mean of its examples'."""
    return tuple(Equation("the batch's mean", sp.Derivative(TOTAL, _weights(network, l), evaluate=False),
                          sp.Mul(1 / M, sp.Sum(sp.Derivative(EXAMPLE_COST[EXAMPLE], _weights(network, l),
                                                             evaluate=False), (EXAMPLE, 1, M))))
                 for l in range(1, network.depth + 1))


def data_mean(lhs: sp.Basic, result: sp.Expr) -> Equation:
    """``∂C/∂p = 1/|D| Σ_{x∈D} result``: one example's ``∂c/∂p = result`` (``lhs`` its left side, a general entry
    in letters j and k) averaged over the data set."""
    return Equation("the data set's mean", lhs.xreplace({COST: TOTAL}),
                    sp.Mul(1 / DATA, sp.Sum(result, (DATUM, 1, DATA))))


def data_means(derivation: Derivation) -> tuple[Equation, ...]:
    """:func:`data_mean` of the arguments for a weight's gradient and a bias's (seed 001's (b)), where
    ``derivation`` has them."""
    found = [derivation.argument(name) for name in ("weight", "bias")]
    return tuple(data_mean(argument.lhs, argument.lines[-1].result) for argument in found if argument is not None)


def column_argument(network: Architecture, argument: Argument) -> Equation | None:
    """``∂c/∂a^l_j = (W^{l+1}_{·,j})ᵀ v`` for the argument through a hidden neuron's output (``argument``, at layer
    l, in letter j), ``v`` the vector its stacked line ends on (``(W^{l+1})ᵀ δ^{l+1}``: ``δ^{l+1}``); None where it
    stacks no line. With bias units the column is of the weights past the bias unit's, ``W^{l+1}[:, 1:]``."""
    if not argument.stacked:
        return None
    (letter,) = {letter for s in argument.lhs.atoms(sp.Symbol) for letter in symbols.counted_layers(s.name)}
    above = _weights(network, argument.layer + 1)
    if network.bias == "neuron":  # neuron j's column is past the bias unit's: column j of W̃ = W[:, 1:]
        above = above[:, 1:]
    vector = argument.stacked[-1].result.args[-1]
    return Equation("the column argument", argument.lhs,
                    sp.MatMul(sp.Transpose(Column(above, sp.Symbol(letter))), vector))


def batch_errors(network: Architecture) -> tuple[Equation, ...]:
    """``(∂C/∂Z^l)_{·,i} = ∂c^(i)/∂z^l / m`` for each layer l: column i of a batch's error terms is example i's
    error terms divided by m, the batch's cost the mean of its examples'."""
    def pre(l: int, batch: bool) -> sp.MatrixSymbol:
        kind = symbols.batch("z") if batch else "z"
        return sp.MatrixSymbol(symbols.matrix(kind, l), network.layers[l], M if batch else 1)

    return tuple(Equation("the batch's error terms", Column(sp.Derivative(TOTAL, pre(l, True), evaluate=False),
                                                            EXAMPLE),
                          sp.Mul(sp.Derivative(EXAMPLE_COST[EXAMPLE], pre(l, False), evaluate=False), 1 / M))
                 for l in range(1, network.depth + 1))


def mean_parts(equation: Equation) -> tuple[sp.Expr, sp.Sum]:
    """The factor and the sum of a mean's right side, ``1/m`` and ``Σ_i ...``, as a document prints them."""
    factors = sp.Mul.make_args(equation.rhs)
    (total,) = [f for f in factors if isinstance(f, sp.Sum)]
    return sp.Mul(*[f for f in factors if f is not total]), total


def over_examples(total: sp.Sum) -> tuple[tuple[sp.Basic, ...], sp.Basic]:
    """A sum over the examples' limits, ``(i, 1, m)``, and its summand: a sum of its own where it sums over neurons
    too (SymPy makes ``Σ_x Σ_j δ_j`` one sum of two limits, the examples' last)."""
    *inner, last = total.limits
    return last, sp.Sum(total.function, *inner) if inner else total.function


def _vector(kind: str, network: Architecture, layer: int) -> sp.MatrixSymbol:
    return sp.MatrixSymbol(symbols.matrix(kind, layer), network.layers[layer], 1)


def _weights(network: Architecture, layer: int) -> sp.MatrixSymbol:
    return sp.MatrixSymbol(symbols.matrix("W", layer), *network.parameters[symbols.matrix("W", layer)].shape)


# ----------------------------------------------------------------------------------------------- the check
def check(derivation: Derivation, equations: Sequence[Equation], points: int = POINTS,
          seed: int = 0) -> Verification:
    """Check each of ``equations`` (of ``derivation``'s network) at ``points`` random points: both sides, for
    every example and neuron they are free in, against each other and the truth. Each counts as a step.

    Raises:
        VerificationError: two sides that differ, or one that cannot be evaluated.
    """
    rng, lines = random.Random(seed), 0
    for _ in range(points):
        worlds = draw_worlds(derivation, rng, EXAMPLES)
        for equation in equations:
            lines += _check(equation, worlds)
    return Verification(len(equations), lines, points, 0, 0)


def _check(equation: Equation, worlds: Sequence[World]) -> int:
    """Both sides of ``equation`` at the point, for each assignment of its free letters; the lines compared."""
    net, lines = worlds[0].net, 0
    sides = sp.Tuple(equation.lhs, equation.rhs).xreplace({M: len(worlds), DATA: len(worlds)})
    for letters in _letters(net, sides, len(worlds)):
        try:
            left, right = (_value(side, letters, worlds, worlds[0]) for side in sides)
        except (ValueError, TypeError, IndexError) as error:  # a ShapeError, a column the matrix has not
            raise VerificationError(f"{equation.name}, {equation.lhs} for {letters}: not evaluated ({error})") \
                from error
        if not _agree(left, right):
            raise VerificationError(f"{equation.name}, {equation.lhs} = {equation.rhs} for {letters}: the left "
                                    f"side is {_shown(left)}, the right {_shown(right)}")
        lines += 1
    return lines


def _letters(net: Architecture, sides: sp.Basic, examples: int) -> Iterator[dict[str, int]]:
    """Every neuron each free letter stands for and, where :data:`EXAMPLE` is free, every example."""
    free = EXAMPLE in sides.free_symbols
    for found in instances(net, sides):
        for i in range(1, examples + 1) if free else (0,):
            yield {**found, EXAMPLE.name: i} if free else found


def _value(expr: sp.Basic, letters: dict[str, int], worlds: Sequence[World], world: World) -> sp.Matrix | sp.Expr:
    """``expr`` for the neurons and the example ``letters`` at the point, one-example quantities those of
    ``world``; a sum over the examples evaluates its summand in each."""
    if isinstance(expr, sp.Sum) and expr.limits[-1][0] in (EXAMPLE, DATUM):
        (index, low, high), summand = over_examples(expr)
        if (low, high) != (1, len(worlds)):
            raise VerificationError(f"cannot check {expr}: a sum over examples {low} to {high}, of {len(worlds)}")
        terms = [_value(summand, {**letters, index.name: k}, worlds, worlds[k - 1])
                 for k in range(1, len(worlds) + 1)]
        return sum(terms[1:], terms[0])
    if isinstance(expr, sp.Transpose):
        return _value(expr.arg, letters, worlds, world).T
    if isinstance(expr, sp.MatMul):
        factors = [_value(arg, letters, worlds, world) for arg in expr.args]
        product = factors[0]
        for factor in factors[1:]:
            product = product * factor
        return product
    if isinstance(expr, (sp.Add, sp.Mul)):
        values = [_value(arg, letters, worlds, world) for arg in expr.args]
        total = values[0]
        for value in values[1:]:
            total = total + value if isinstance(expr, sp.Add) else total * value
        return total
    if isinstance(expr, Column):
        matrix, index = expr.args
        return _value(matrix, letters, worlds, world)[:, int(general.instantiate(index, letters)) - 1]
    expr = general.instantiate(expr, letters)
    if isinstance(expr, sp.Derivative):
        return _derivative(expr, worlds, world)
    if isinstance(expr, sp.MatrixExpr):
        functions = layer_functions(world.net, world.instance)
        return sp.Matrix(evaluate(expr, environment([world], False), functions)).applyfunc(numeric)
    return world.line(expr)


def _derivative(expr: sp.Derivative, worlds: Sequence[World], world: World) -> sp.Matrix | sp.Expr:
    """∂C/∂v of the whole batch (the mean of its examples'), ∂c^(i)/∂v of example i, ∂c/∂v of ``world``: by a
    matrix, a slice of one or one entry."""
    cost, (variable,) = expr.expr, expr.variables
    variable = biases(world.net).get(variable, variable)  # b^l, with bias units the column W^l[:, :1]
    if isinstance(cost, sp.Indexed) and cost.base == EXAMPLE_COST:
        chosen = [worlds[int(cost.indices[0]) - 1]]
    elif cost in (COST, TOTAL):
        chosen = list(worlds) if cost == TOTAL else [world]
    else:
        raise VerificationError(f"cannot check {expr}: not a derivative of a cost")
    if isinstance(variable, sp.Symbol):
        return numeric(sp.Add(*[w.cost_partial(variable) for w in chosen]) / len(chosen))
    if isinstance(variable, sp.MatrixSlice):
        rows, columns = (slice(*part[:2]) for part in (variable.rowslice, variable.colslice))
        return gradient(chosen, matrix_name(variable.parent), len(chosen) > 1)[rows, columns]
    return gradient(chosen, matrix_name(variable), len(chosen) > 1)


def _agree(left: sp.Matrix | sp.Expr, right: sp.Matrix | sp.Expr) -> bool:
    """Whether two values, numbers or explicit matrices of one shape (a 1 x 1 one a number), agree to
    :data:`.verify.TOLERANCE`."""
    left, right = (v[0, 0] if isinstance(v, sp.MatrixBase) and v.shape == (1, 1) else v for v in (left, right))
    if isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase):
        return agree(left, right)
    return not isinstance(left, sp.MatrixBase) and not isinstance(right, sp.MatrixBase) and close(left, right)


def _shown(value: sp.Matrix | sp.Expr) -> object:
    return value.tolist() if isinstance(value, sp.MatrixBase) else value
