"""Gradients of a worked example that are exactly zero, proven from the derivation's formulas, not read off a float.

A float trace leaves an exact zero as rounding noise where it adds terms that cancel. The shared bias of a softmax
output layer moves every z^L_j by the same amount, which the softmax does not see, so its gradient
∂C/∂b^L = (1/m) Σ_x Σ_j δ^L_j is exactly 0 for any loss; the trace's sum of the a_j - y_j is about 1e-17, and a
document would print it as 2.776 × 10^-17, four digits of nothing. A threshold on the float's size cannot tell that
noise from a true value as small (δ x of a saturated sigmoid is a tiny number the trace has to every digit), so the
decision is symbolic, per parameter (:func:`exact_zeros`): the derivation's formula for the parameter's gradient in
one example, each output error term replaced by the derivation's formula for it, expands to 0 where

* the softmax's outputs sum to one (the last written as 1 minus the others), for a softmax output layer;
* the targets sum to one (likewise), where the loss's derivation assumes it (cross-entropy: its δ = a - y);
* for sparse labels, at every label from 1 to n_L (the targets, the indicators [ell = j], are then numbers).

A gradient whose formula holds an error term of a hidden layer is not examined (nothing there cancels exactly but
by chance). What is not proven zero keeps the trace's value, however small; what is, is the number 0 in every
format, and ``--verify`` compares it with the truth in 40-digit arithmetic as any other number
(:mod:`.example_check`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from ..derive.derivation import Derivation
from ..model import symbols
from ..model.losses import LABEL


def _facts(derivation: Derivation) -> list[dict[sp.Symbol, sp.Expr]]:
    """What holds at every point the example can take, as substitutions: one per label for sparse labels."""
    net = derivation.network
    fact: dict[sp.Symbol, sp.Expr] = {}
    if net.activation(net.depth).name == "softmax":
        *others, last = net.a(net.depth)
        fact[last] = 1 - sp.Add(*others)
    if net.loss.sparse:  # (its targets the indicators [ell = j]: each label makes them numbers, one of them 1)
        return [{**fact, LABEL: sp.Integer(label)} for label in range(1, net.layers[-1] + 1)]
    if net.loss.targets_sum_to_one:
        *others, last = list(net.targets)
        fact[last] = 1 - sp.Add(*others)
    return [fact]


def exact_zeros(derivation: Derivation) -> frozenset[sp.Symbol]:
    """The parameters whose gradient the derivation's formulas make exactly 0 at every point (see the module
    docstring); for most networks none."""
    net, depth = derivation.network, derivation.network.depth
    output = dict(zip(net.delta(depth), derivation.deltas[symbols.matrix("delta", depth)]))
    hidden = {d for layer in range(1, depth) for d in net.delta(layer)}
    facts = _facts(derivation)
    zeros = set()
    for name, matrix in net.parameters.items():
        for parameter, gradient in zip(matrix, derivation.gradients[name]):
            if gradient.free_symbols & hidden:
                continue
            written = [gradient.xreplace(output).xreplace(fact) for fact in facts]
            if all(_vanishes_at_a_point(expr) for expr in written) and all(sp.expand(e) == 0 for e in written):
                zeros.add(parameter)
    return frozenset(zeros)


def _vanishes_at_a_point(expr: sp.Expr) -> bool:
    """Whether ``expr`` is 0 at one point of rationals (each free symbol, in SymPy's order, its own): False proves
    it is not 0 everywhere, cheaply (an output layer's weights: no expansion of a product over its outputs)."""
    point = {s: sp.Rational(i + 2, 2 * i + 7) for i, s in enumerate(sp.ordered(expr.free_symbols))}
    return expr.xreplace(point) == 0


def with_exact_zeros(derivation: Derivation, gradients: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``gradients`` (shaped as ``net.parameters``) with 0 where :func:`exact_zeros` proves the gradient zero."""
    zeros = exact_zeros(derivation)
    exact = {name: np.array(values, dtype=np.float64) for name, values in gradients.items()}
    for name, matrix in derivation.network.parameters.items():
        flat = exact[name].reshape(-1)  # (a view: writing it writes the gradient)
        for position, parameter in enumerate(matrix):
            if parameter in zeros:
                flat[position] = 0.0
    return exact
