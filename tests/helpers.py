"""Shared test helpers: random exact points and the naive truth (sympy.diff of the expanded loss)."""

from __future__ import annotations

import random

import sympy as sp

from symbackprop.engine import forward_values
from symbackprop.losses import LABEL
from symbackprop.network import Network


def random_point(network: Network, rng: random.Random) -> dict[sp.Symbol, sp.Expr]:
    """Exact rational values for inputs, parameters and targets (targets a distribution where the loss needs one)."""
    point: dict[sp.Symbol, sp.Expr] = {}
    for symbol in network.inputs_list():
        point[symbol] = sp.Rational(rng.randint(-9, 9), rng.randint(1, 5))
    for matrix in network.parameters.values():
        for symbol in matrix:
            point[symbol] = sp.Rational(rng.randint(-9, 9), rng.randint(4, 9))
    n = network.layers[-1]
    if network.loss.sparse:
        point[LABEL] = rng.randint(1, n)
    elif network.loss.targets_sum_to_one:
        weights = [rng.randint(1, 5) for _ in range(n)]
        for symbol, w in zip(network.targets, weights):
            point[symbol] = sp.Rational(w, sum(weights))
    else:
        for symbol in network.targets:
            point[symbol] = sp.Rational(rng.randint(1, 9), 10)
    return point


def explicit_loss(network: Network) -> sp.Expr:
    """The per-example loss as a function of inputs, targets and parameters, built naively."""
    values = forward_values(network)
    outputs = [values[a] for a in network.a(network.depth)]
    return network.loss(outputs, list(network.targets))


def numeric(expr: sp.Expr, point: dict[sp.Symbol, sp.Expr], digits: int = 30) -> sp.Expr:
    """expr at point, evaluated to ``digits`` significant digits (exact where SymPy can)."""
    return sp.N(expr.xreplace(point), digits)
