"""The forward pass and BP1-BP4 for a general neuron: equations over symbols with letter indices.

A symbol with a letter index (``z2_j``, ``W3_k_j``, ``delta3_k``) stands for any neuron of its layer; sums over a
letter run over a whole layer (``Sum(W3_k_j * delta3_k, (k, 1, n_3))``). The letters are the caller's (a notation's
neuron letters): ``j`` a neuron of the layer, ``k`` one of the layer below (forward pass, gradients) or above
(error terms). Where an equation's right-hand side is a sum or a product that a document shows term by term, it is
built unevaluated, so that its ``args`` keep their order: ``forward`` the weighted sum then the bias, ``delta`` the
activation's derivative then the sum over the next layer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import sympy as sp

from ..model import symbols
from ..model.activations import derivative
from ..model.architecture import Architecture
from .chain import COST
from .derivation import Derivation, Equation


def _symbol(kind: str, layer: int | None, *indices: str | int) -> sp.Symbol:
    return sp.Symbol(symbols.element(kind, layer, *indices), real=True)


def _source(layer: int, k: str) -> sp.Symbol:
    """a^{l-1}_k, the input x_k for the first layer."""
    return _symbol("x", None, k) if layer == 1 else _symbol("a", layer - 1, k)


def forward(network: Architecture, layer: int, j: str | int, k: str) -> Equation:
    """``z^l_j = sum_k w^l_{jk} a^{l-1}_k + b^l_j``; the rhs an unevaluated Add (the sum, then the bias if any)."""
    total = sp.Sum(_symbol("W", layer, j, k) * _source(layer, k), (sp.Symbol(k), 1, network.layers[layer - 1]))
    bias = {"vector": _symbol("b", layer, j), "shared": _symbol("b", layer),
            "neuron": _symbol("W", layer, j, 0)}.get(network.bias, sp.S.Zero)
    z = _symbol("z", layer, j)
    return Equation(z.name, z, total if bias == 0 else sp.Add(total, bias, evaluate=False))


def delta(network: Architecture, layer: int, j: str, k: str) -> Equation:
    """BP2 for a hidden layer, ``delta^l_j = g'(z^l_j) sum_k w^{l+1}_{kj} delta^{l+1}_k``; the rhs an unevaluated
    Mul (g' from the activation table, then the sum), or the sum alone where g' is 1."""
    z, a = _symbol("z", layer, j), _symbol("a", layer, j)
    g_prime = derivative(network.activation(layer)).at(z, a)
    following = _symbol("W", layer + 1, k, j) * _symbol("delta", layer + 1, k)
    total = sp.Sum(following, (sp.Symbol(k), 1, network.layers[layer + 1]))
    lhs = _symbol("delta", layer, j)
    return Equation(lhs.name, lhs, total if g_prime == 1 else sp.Mul(g_prime, total, evaluate=False))


def gradients(network: Architecture, layer: int, j: str, k: str) -> tuple[Equation, ...]:
    """BP3 and BP4 for layer ``layer``: ``dc/dw^l_{jk} = delta^l_j a^{l-1}_k``, then the bias's gradient if the
    network has biases (the bias unit's weight ``w^l_{j0}``, ``b^l_j``, or the layer's shared ``b^l``)."""
    error = _symbol("delta", layer, j)
    weight = _symbol("W", layer, j, k)
    equations = [Equation(weight.name, sp.Derivative(COST, weight, evaluate=False), error * _source(layer, k))]
    bias, value = {
        "neuron": (_symbol("W", layer, j, 0), error),
        "vector": (_symbol("b", layer, j), error),
        "shared": (_symbol("b", layer), sp.Sum(error, (sp.Symbol(j), 1, network.layers[layer]))),
    }.get(network.bias, (None, None))
    if bias is not None and value is not None:
        equations.append(Equation(bias.name, sp.Derivative(COST, bias, evaluate=False), value))
    return tuple(equations)


def instantiate(expr: sp.Basic, letters: Mapping[str, int]) -> sp.Basic:
    """The general expression for the neurons ``letters`` (``{"j": 2, "k": 1}``): sums written out, each symbol
    with a letter index replaced by the numbered one."""
    if isinstance(expr, sp.Sum):
        (body, (index, low, high)), = ((expr.function, expr.limits[0]),)
        return sp.Add(*[instantiate(body, {**letters, str(index): i}) for i in range(int(low), int(high) + 1)])
    if isinstance(expr, sp.Symbol):
        if expr.name in letters and expr.name != "ell":  # a neuron's letter alone, in an indicator 1_{ℓ=j}
            return sp.Integer(letters[expr.name])
        info = symbols.describe(expr.name)
        if info is None or all(isinstance(i, int) for i in info.indices):
            return expr
        indices = [letters[i] if isinstance(i, str) else i for i in info.indices]
        return sp.Symbol(symbols.element(info.kind, info.layer, *indices), real=True)
    if not expr.args:
        return expr
    return expr.func(*[instantiate(arg, letters) for arg in expr.args])


def equations(net: Architecture, letters: tuple[str, str]) -> Iterator[tuple[str, sp.Basic, sp.Basic, int]]:
    """(name, lhs, rhs, layer) of every general equation a document shows: the weighted sum, BP2 for each hidden
    layer, BP3 and BP4 for each layer, ``letters`` the neuron of the layer and the one below (or above)."""
    j, k = letters
    for layer in range(1, net.depth + 1):
        shown = [forward(net, layer, j, k)] + ([delta(net, layer, j, k)] if layer < net.depth else [])
        for equation in [*shown, *gradients(net, layer, j, k)]:
            yield equation.name, equation.lhs, equation.rhs, layer


def with_letters(expr: sp.Basic, letters: Mapping[str, str | int]) -> sp.Basic:
    """``expr`` with its letter indices renamed (``{"k": "i"}``: ``W2_j_k`` -> ``W2_j_i``, ``Σ_k`` -> ``Σ_i``), all
    at once, so that a derivation written in j and k reads in a notation's letters; a letter given a number
    (``{"j": 2}``) gives that neuron's entry, its sums over other letters kept. Sums and products keep the order
    they were written in."""
    if isinstance(expr, sp.Symbol):
        if expr.name in letters:  # the index of a sum, or a neuron's letter alone (in an indicator 1_{ℓ=j})
            value = letters[expr.name]
            return sp.Integer(value) if isinstance(value, int) else sp.Symbol(value, **expr.assumptions0)
        info = symbols.describe(expr.name)
        if info is None or all(isinstance(i, int) for i in info.indices):
            return expr
        indices = [letters.get(i, i) if isinstance(i, str) else i for i in info.indices]
        return sp.Symbol(symbols.element(info.kind, info.layer, *indices), real=True)
    if not expr.args or isinstance(expr, sp.Tuple) and not expr.free_symbols:
        return expr
    args = [with_letters(arg, letters) for arg in expr.args]
    if isinstance(expr, (sp.Add, sp.Mul, sp.Derivative)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def output_error(derivation: Derivation, j: str) -> sp.Basic:
    """δ^L_j of an element-wise output layer for any neuron j: the element form's δ^L_1, renamed."""
    network = derivation.network
    first = derivation.deltas[symbols.matrix("delta", network.depth)][0, 0]
    return as_neuron(first, network, network.depth, j)


def as_neuron(expr: sp.Basic, network: Architecture, layer: int, j: str) -> sp.Basic:
    """An expression of the first neuron of ``layer`` (its z, a and target, as the element form writes δ^L_1) for
    neuron ``j``: every neuron of an element-wise layer has the same formula."""
    renamed: dict[sp.Basic, sp.Basic] = {network.z(layer)[0]: _symbol("z", layer, j),
                                         network.a(layer)[0]: _symbol("a", layer, j)}
    if layer == network.depth and isinstance(network.targets[0], sp.Symbol):
        renamed[network.targets[0]] = _symbol("y", None, j)
    return expr.xreplace(renamed)
