"""Each activation's derivative worked out line by line, the way lecture notes do it (seed 002 §6.1).

:func:`symbackprop.model.activations.derivative` finds the textbook form the engine uses; this module shows a reader
how to get there by hand: the logistic sigmoid by the chain rule down to σ(z)(1 − σ(z)), tanh from its exponential
form by the quotient rule down to 1 − tanh²(z), the piecewise maps case by case, softplus by the chain rule to σ(z),
SiLU by the product rule, GELU by the product rule and the derivative of erf.

A :class:`Worked` derivative is two chains of equal expressions, each line a
:class:`~symbackprop.model.activations.DerivativeStep` citing its :class:`~symbackprop.model.rules.Rule`:
``g(z) = function[0] = function[1] ...`` and ``g'(z) = derivative[0] = derivative[1] ...``. Lines are written in
the order a reader reads them (products and sums built unevaluated) and may hold unevaluated derivatives
(``d/dz(...)``) and σ by name (:data:`SIGMA`). :func:`check` proves every displayed equality with SymPy.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import sympy as sp

from .activations import ACTIVATIONS, Activation, DerivativeStep, Z, derivative, softmax_jacobian
from .rules import Rule

#: The logistic sigmoid by name, σ(u): a line that means σ says so, and prints as σ.
SIGMA = sp.Function("sigmoid")
#: Random points :func:`check` compares two lines at, when SymPy cannot simplify their difference to 0.
POINTS = 8
#: Significant digits of that comparison, and how close the two values must be.
DIGITS, TOLERANCE = 40, sp.Float("1e-30", 40)


class WorkedDerivativeError(AssertionError):
    """Two consecutive lines of a worked derivative that SymPy does not prove equal."""


@dataclass(frozen=True)
class Worked:
    """An activation's function and derivative, each a chain of lines.

    Attributes:
        activation: the activation worked out.
        function: the lines of ``g(z) = ...``, the definition first.
        derivative: the lines of ``g'(z) = ...``; the last is the textbook form the engine uses.
        kink: where the cases of a piecewise map meet (the derivative there is the first case's value, as
            PyTorch takes it); ``None`` for a smooth map.
    """

    activation: Activation
    function: tuple[DerivativeStep, ...]
    derivative: tuple[DerivativeStep, ...]
    kink: sp.Expr | None = None


def _d(expr: sp.Expr) -> sp.Expr:
    """d/dz of ``expr``, left unevaluated."""
    return sp.Derivative(sp.sympify(expr), Z, evaluate=False)


def _times(*factors: sp.Expr) -> sp.Expr:
    """A product in written order."""
    return sp.Mul(*factors, evaluate=False)


def _plus(*terms: sp.Expr) -> sp.Expr:
    """A sum in written order."""
    return sp.Add(*terms, evaluate=False)


def _line(expr: sp.Expr, rule: Rule, activation: str = "") -> DerivativeStep:
    return DerivativeStep(sp.sympify(expr), rule, activation)


Lines = tuple[tuple[DerivativeStep, ...], tuple[DerivativeStep, ...]]


def _sigmoid(act: Activation) -> Lines:
    """σ(z) = (1 + e^-z)^-1: the chain rule, then e^-z = (1 + e^-z) - 1 (seed 002 §6.1)."""
    inner = 1 + sp.exp(-Z)
    return (_line(1 / inner, Rule.DEFINITION),), (
        _line(_times(-1, inner**-2, _d(inner)), Rule.CHAIN_RULE_OUTER),
        _line(_times(-1, inner**-2, -sp.exp(-Z)), Rule.EVALUATE_DERIVATIVES),
        _line(_times(1 / inner, _plus(1, sp.exp(-Z), -1) / inner), Rule.ADD_AND_SUBTRACT_ONE),
        _line(_times(SIGMA(Z), 1 - SIGMA(Z)), Rule.IN_TERMS_OF_SIGMOID),
    )


def _tanh(act: Activation) -> Lines:
    """tanh(z) = (e^z - e^-z)/(e^z + e^-z): the quotient rule down to 1 - tanh²(z) (seed 002 §6.1)."""
    above, below = sp.exp(Z) - sp.exp(-Z), sp.exp(Z) + sp.exp(-Z)
    quotient = _plus(_times(below, _d(above)), _times(-1, above, _d(below))) / below**2
    return (_line(sp.tanh(Z), Rule.DEFINITION), _line(above / below, Rule.EXPONENTIAL_FORM)), (
        _line(quotient, Rule.QUOTIENT_RULE),
        _line(_plus(below**2, -above**2) / below**2, Rule.EVALUATE_DERIVATIVES),
        _line(1 - above**2 / below**2, Rule.SPLIT_FRACTION),
        _line(1 - sp.tanh(Z)**2, Rule.RECOGNISE_ACTIVATION, "tanh"),
    )


def _piecewise(act: Activation) -> Lines:
    """ReLU, leaky ReLU, ELU: each case differentiated on its own."""
    g = act(Z)
    cases = sp.Piecewise(*[(_d(value), condition) for value, condition in g.args])
    worked = sp.Piecewise(*[(sp.diff(value, Z), condition) for value, condition in g.args])
    return (_line(g, Rule.DEFINITION),), (_line(cases, Rule.CASE_BY_CASE), _line(worked, Rule.EVALUATE_DERIVATIVES))


def _linear(act: Activation) -> Lines:
    return (_line(Z, Rule.DEFINITION),), (_line(_d(Z), Rule.DIFFERENTIATE), _line(1, Rule.EVALUATE_DERIVATIVES))


def _softplus(act: Activation) -> Lines:
    """log(1 + e^z): the chain rule, then σ."""
    inner = 1 + sp.exp(Z)
    return (_line(sp.log(inner), Rule.DEFINITION),), (
        _line(_times(1 / inner, _d(inner)), Rule.CHAIN_RULE_OUTER),
        _line(sp.exp(Z) / inner, Rule.EVALUATE_DERIVATIVES),
        _line(1 / (1 + sp.exp(-Z)), Rule.DIVIDE_BY_EXPONENTIAL),
        _line(SIGMA(Z), Rule.RECOGNISE_ACTIVATION, "sigmoid"),
    )


def _silu(act: Activation) -> Lines:
    """z σ(z): the product rule, with σ' from the sigmoid's own derivation."""
    return (_line(act(Z), Rule.DEFINITION), _line(_times(Z, SIGMA(Z)), Rule.IN_TERMS_OF_SIGMOID)), (
        _line(_plus(_times(_d(Z), SIGMA(Z)), _times(Z, _d(SIGMA(Z)))), Rule.PRODUCT_RULE),
        _line(_plus(SIGMA(Z), _times(Z, SIGMA(Z), 1 - SIGMA(Z))), Rule.DERIVATIVE_OF_SIGMOID),
        _line(_times(SIGMA(Z), _plus(1, Z, -Z * SIGMA(Z))), Rule.COMMON_FACTOR),
    )


def _gelu(act: Activation) -> Lines:
    """(z/2)(1 + erf(z/√2)): the product rule, and erf'(u) = (2/√π) e^(-u²) by the chain rule."""
    over_root_two = sp.Pow(2, sp.Rational(-1, 2), evaluate=False)  # 1/√2, as written (SymPy would write √2/2)
    half, bracket = Z / 2, 1 + sp.erf(_times(Z, over_root_two))
    gaussian = _times(Z, sp.exp(-Z**2 / 2), sp.Pow(2 * sp.pi, sp.Rational(-1, 2), evaluate=False))
    return (_line(_times(half, bracket), Rule.DEFINITION),), (
        _line(_plus(_times(_d(half), bracket), _times(half, _d(bracket))), Rule.PRODUCT_RULE),
        _line(_plus(_times(sp.Rational(1, 2), bracket),
                    _times(half, 2 / sp.sqrt(sp.pi) * sp.exp(-Z**2 / 2), over_root_two)), Rule.DERIVATIVE_OF_ERF),
        _line(_plus(_times(sp.Rational(1, 2), bracket), gaussian), Rule.SIMPLIFY),
    )


_BUILDERS: dict[str, Callable[[Activation], Lines]] = {
    "sigmoid": _sigmoid, "tanh": _tanh, "relu": _piecewise, "leaky_relu": _piecewise, "linear": _linear,
    "softplus": _softplus, "elu": _piecewise, "silu": _silu, "gelu": _gelu,
}
#: The activations worked out here: every elementwise one of the table but the generic g, whose g' is a symbol.
#: (Softmax, a vector map, has its Jacobian: :func:`symbackprop.model.activations.softmax_jacobian`.)
WORKED = tuple(name for name in ACTIVATIONS if name in _BUILDERS)


@cache
def worked(act: Activation) -> Worked:
    """``act``'s derivative worked out line by line.

    Raises:
        TypeError: softmax (a Jacobian) or the generic activation (g' stays a symbol).
    """
    builder = _BUILDERS.get(act.name)
    if builder is None:
        raise TypeError(f"{act.name} has no worked derivative (only {', '.join(WORKED)})")
    function, derivative_lines = builder(act)
    kink = act(Z).args[0][1].rhs if isinstance(act(Z), sp.Piecewise) else None
    return Worked(act, function, derivative_lines, kink)


def evaluate(expr: sp.Expr) -> sp.Expr:
    """A line as plain SymPy: σ written out, the unevaluated derivatives done."""
    return expr.replace(SIGMA, lambda u: 1 / (1 + sp.exp(-u))).doit()


def equal(left: sp.Expr, right: sp.Expr, rng: random.Random) -> bool:
    """Whether SymPy proves two lines equal: their difference simplifies to 0, or else it is 0 to
    :data:`DIGITS` digits at :data:`POINTS` random rational points on each side of 0 (never 0 itself, where a
    piecewise map's cases meet). A difference that does not evaluate to a number there is not equal."""
    difference = evaluate(left) - evaluate(right)
    if difference.free_symbols - {Z}:
        return False
    if sp.simplify(sp.piecewise_fold(difference)) == 0:
        return True
    for k in range(POINTS):
        point = sp.Rational(rng.randint(1, 400), rng.randint(7, 100)) * (1 if k % 2 else -1)
        value = sp.N(difference.xreplace({Z: point}), DIGITS)
        if not value.is_number or not value.is_finite or abs(value) > TOLERANCE:
            return False
    return True


def check(worked_out: Worked, seed: int = 0) -> int:
    """Prove every displayed equality of ``worked_out``: ``g(z)`` = its first line, each line = the next; ``g'(z)``
    (``sympy.diff``) = the first line of the derivative, each line = the next, and the last = the engine's textbook
    form (:func:`~symbackprop.model.activations.derivative`) with the output written as ``g(z)``.

    Returns:
        The number of equalities proven.

    Raises:
        WorkedDerivativeError: a pair of lines SymPy does not prove equal (or cannot evaluate).
    """
    act = worked_out.activation
    g = act(Z)
    textbook = derivative(act).at(Z, g)
    rng = random.Random(seed)
    chains = (("g(z)", g, [line.expr for line in worked_out.function]),
              ("g'(z)", sp.diff(g, Z), [line.expr for line in worked_out.derivative] + [textbook]))
    count = 0
    for name, start, lines in chains:
        previous = start
        for position, line in enumerate(lines):
            if not equal(previous, line, rng):
                raise WorkedDerivativeError(f"{act.label}: {name} line {position} is not equal to the line before: "
                                            f"{previous} != {line}")
            previous, count = line, count + 1
    return count


def softmax_entry(output: sp.Basic, other: sp.Basic, same: sp.Basic) -> sp.Expr:
    """A softmax's ∂a_i/∂z_j in its outputs, ``a_i (1_{i=j} - a_j)``: ``output`` a_i, ``other`` a_j and ``same``
    1_{i=j}, its factors in that order. The rule :func:`check_softmax` proves, and the one the appendix prints."""
    return sp.Mul(output, sp.Add(same, -other, evaluate=False), evaluate=False)


def softmax_matrix(outputs: sp.MatrixBase | sp.MatrixExpr) -> sp.MatrixExpr:
    """The softmax's Jacobian in matrix form, ``diag(a) - a aᵀ``, of the output vector ``outputs`` (a symbol where
    the appendix prints it, its entries where :func:`check_softmax` proves it)."""
    return sp.DiagMatrix(outputs) - outputs * outputs.T


def check_softmax(n: int, seed: int = 0) -> int:
    """Prove what the softmax's appendix says for ``n`` outputs: its Jacobian's entries (``sympy.diff``) are
    ``a_i (1_{i=j} - a_j)`` at the outputs (the raw entry at :data:`POINTS` random rational inputs, its rewrite in
    the outputs symbolically), and so is every entry of ``diag(a) - a aᵀ``. The entries checked are those of
    outputs 1, 2 and n, every kind there is: the softmax is symmetric under a permutation of its inputs, so any
    other entry is one of them with its indices renamed (and the check stays quick for a wide output layer).

    Returns:
        The number of equalities proven: two per entry checked, and the matrix form.

    Raises:
        WorkedDerivativeError: an entry that is not the rule.
    """
    raw, in_output, outputs = softmax_jacobian(n)
    inputs = sp.symbols(f"z1:{n + 1}", real=True)
    total = sp.Add(*[sp.exp(z) for z in inputs])
    at_inputs = {a: sp.exp(z) / total for a, z in zip(outputs, inputs, strict=True)}
    rule = sp.Matrix(n, n, lambda i, j: softmax_entry(outputs[i], outputs[j], sp.KroneckerDelta(i, j)))
    rng = random.Random(seed)
    count = 0
    shown = sorted({0, 1, n - 1})
    for i in shown:
        for j in shown:
            if sp.expand(in_output[i, j] - rule[i, j]) != 0:
                raise WorkedDerivativeError(f"softmax: ∂a_{i + 1}/∂z_{j + 1} = {in_output[i, j]} is not {rule[i, j]}")
            for _ in range(POINTS):
                point = {z: sp.Rational(rng.randint(-400, 400), rng.randint(7, 100)) for z in inputs}
                difference = sp.N((raw[i, j] - rule[i, j].xreplace(at_inputs)).xreplace(point), DIGITS)
                if abs(difference) > TOLERANCE:
                    raise WorkedDerivativeError(f"softmax: ∂a_{i + 1}/∂z_{j + 1} is not {rule[i, j]} at {point}")
            count += 2
    if sp.expand(sp.Matrix(softmax_matrix(sp.Matrix(outputs))) - rule) != sp.zeros(n, n):
        raise WorkedDerivativeError("softmax: diag(a) - a aᵀ is not its Jacobian")
    return count + 1
