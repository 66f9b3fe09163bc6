"""The scalar form: every element expression of the derivation as a generated function of its own.

Each z^l_j, a^l_j, delta^l_j and each gradient entry dc/dw becomes one generated function of the symbols it
mentions (``f_z1_2(W1_2_1, W1_2_2, b1_2, x_1, x_2)``), evaluated in order with one array entry per example;
the gradient of C = (1/m) sum c is the mean over the examples. The output deltas are the derivation's, with
the one-hot targets ``y_j`` in place of sparse cross-entropy's indicators [ell = j].

Softmax outputs are evaluated with every z^L_k replaced by z^L_k - max_k z^L_k, which leaves the quotient
exp(z_j) / sum_k exp(z_k) unchanged and keeps every exponent <= 0. The loss comes from the same fused,
stable kernels as the vectorized form.

The generated ``_backprop(params, X, Y, trace)`` records, when given a dict ``trace``, every value under the
name of its symbol (``x_1``, ``y_1``, ``z1_1``, ``a1_1``, ``delta1_1``, ``zmax2``) and the per-example loss
under ``terms``; :func:`read_trace` turns that record into a :class:`Trace`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import sympy as sp

from ..derive.derivation import Derivation
from ..derive.engine import derive
from ..model import symbols
from ..model.architecture import Architecture
from . import printers
from .kernels import SOFTMAX_FUSED, output_kernels

#: One line of generated code: (target name, source of the expression assigned to it).
Assignment = tuple[str, str]
#: The per-example loss in the record of ``_backprop``.
TERMS = "terms"


@dataclass(frozen=True)
class Group:
    """A commented block of assignments in the generated ``_backprop``."""

    comment: str
    assignments: tuple[Assignment, ...]


@dataclass(frozen=True)
class Parameter:
    """A parameter read from ``params``: its name, its shape, and its entries as (symbol name, row, column)."""

    name: str
    shape: tuple[int, int]
    entries: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Gradient:
    """A gradient returned by ``_backprop``: its parameter's name and shape, and the source of each entry."""

    name: str
    shape: tuple[int, int]
    entries: tuple[str, ...]


@dataclass(frozen=True)
class Trace:
    """Every value of one evaluation of a scalar-form module on a batch of m examples, as arrays of its backend.

    Attributes:
        inputs: X, (m, n_0), as the module read it.
        targets: Y, (m, n_L), as the module used it: one-hot rows for sparse labels.
        z, a: ``{l: (m, n_l)}``, the forward values of the layers l = 1..L.
        delta: ``{l: (m, n_l)}``, delta^l = dc/dz^l of each example (not divided by m).
        losses: (m,), the per-example loss c.
        loss: C, the mean of ``losses``.
        gradients: dC/dp for every parameter p, in the shape it was given in (what ``grad`` returns).
    """

    inputs: Any
    targets: Any
    z: Mapping[int, Any]
    a: Mapping[int, Any]
    delta: Mapping[int, Any]
    losses: Any
    loss: Any
    gradients: Mapping[str, Any]


def target_symbols(net: Architecture) -> list[sp.Symbol]:
    """The targets y_1..y_n as the module names them: one-hot entries for sparse labels too."""
    return [sp.Symbol(symbols.element("y", None, j), real=True) for j in range(1, net.layers[-1] + 1)]


def _assign(target: sp.Symbol, expr: sp.Expr, functions: list[printers.Function], comment: str) -> Assignment:
    """Generate ``f_<target>`` of the free symbols of ``expr`` (sorted by name); assign its call to ``target``."""
    return target.name, printers.statement(_call(target.name, expr, functions, comment))


def _call(name: str, expr: sp.Expr, functions: list[printers.Function], comment: str) -> sp.Expr:
    args = sorted(expr.free_symbols, key=lambda s: s.name)
    functions.append(printers.function(f"f_{name}", args, expr, [comment]))
    return printers.call(f"f_{name}", args)


def _forward(net: Architecture, derivation: Derivation, functions: list[printers.Function]) -> list[Group]:
    groups = []
    equations = {eq.name: eq.rhs for eq in derivation.forward}
    for l in range(1, net.depth + 1):
        assignments = [_assign(z, equations[z.name], functions, f"{z.name} = {printers.text(equations[z.name])}")
                       for z in net.z(l)]
        shift: dict[sp.Symbol, sp.Expr] = {}
        if not net.activation(l).elementwise:
            top = sp.Symbol(f"zmax{l}", real=True)
            assignments.append((top.name, printers.statement(functools.reduce(printers.PairMaximum, net.z(l)))))
            shift = {z: z - top for z in net.z(l)}
        for a in net.a(l):
            rhs = equations[a.name]
            note = " (z shifted by its maximum)" if shift else ""
            assignments.append(_assign(a, rhs.xreplace(shift), functions, f"{a.name} = {printers.text(rhs)}{note}"))
        groups.append(Group(f"layer {l}: z^{l}_j and a^{l}_j = {net.activation(l).label}", tuple(assignments)))
    return groups


def _backward(net: Architecture, derivation: Derivation, functions: list[printers.Function]) -> list[Group]:
    targets = dict(zip(net.targets, target_symbols(net)))
    groups = []
    for l in range(net.depth, 0, -1):
        assignments = []
        for d, expr in zip(net.delta(l), derivation.deltas[symbols.matrix("delta", l)]):
            expr = expr.xreplace(targets)
            assignments.append(_assign(d, expr, functions, f"{d.name} = {printers.text(expr)}"))
        label = "BP1, the output layer" if l == net.depth else "BP2"
        groups.append(Group(f"{label}: delta^{l}_j = dc/dz^{l}_j", tuple(assignments)))
    return groups


def _gradients(net: Architecture, derivation: Derivation, functions: list[printers.Function]) -> list[Gradient]:
    result = []
    for name, matrix in derivation.gradients.items():
        entries = []
        for symbol, expr in zip(net.parameters[name], matrix):
            comment = f"dc/d{symbol.name} = {printers.text(expr)}"
            entries.append(printers.statement(printers.call("_mean", [_call("d" + symbol.name, expr, functions,
                                                                             comment)])))
        result.append(Gradient(name, (matrix.rows, matrix.cols), tuple(entries)))
    return result


def _parameters(net: Architecture) -> list[Parameter]:
    return [Parameter(name, (matrix.rows, matrix.cols),
                      tuple((matrix[i, j].name, i, j) for i in range(matrix.rows) for j in range(matrix.cols)))
            for name, matrix in net.parameters.items()]


def scalar_context(net: Architecture, derivation: Derivation | None = None) -> dict[str, Any]:
    """The template context of ``templates/python/scalar.py.j2`` for ``net``.

    Args:
        derivation: the derivation of ``net`` (any forms: the element form is always there); derived if None.

    Raises:
        ValueError: a derivation of another network.
    """
    if derivation is None:
        derivation = derive(net, forms=("element",), progress=False)
    elif derivation.network != net:
        raise ValueError(f"the derivation is of {derivation.network!r}, not of {net!r}")
    functions: list[printers.Function] = []
    forward = _forward(net, derivation, functions)
    backward = _backward(net, derivation, functions)
    gradients = _gradients(net, derivation, functions)
    loss_functions = [f for f in output_kernels(net) if f.name == "loss_terms"]
    L = net.depth
    targets = [y.name for y in target_symbols(net)]
    traced = [x.name for x in net.inputs_list()] + targets
    traced += [target for group in forward + backward for target, _ in group.assignments] + [TERMS]
    return {
        "traced": traced,
        "functions": loss_functions + functions,
        "inputs": [(x.name, k) for k, x in enumerate(net.inputs_list())],
        "targets": [(name, j) for j, name in enumerate(targets)],
        "parameters": _parameters(net),
        "groups": forward + backward,
        "gradients": gradients,
        "bias": net.bias,
        "sparse": net.loss.sparse,
        "n_out": net.layers[-1],
        "outputs_z": [z.name for z in net.z(L)],
        "outputs_a": [a.name for a in net.a(L)],
        "loss_vector": net.activations[-1].name == "softmax" and net.loss.name in SOFTMAX_FUSED,
    }


def read_trace(net: Architecture, record: Mapping[str, Any], result: Mapping[str, Any], xp: Any) -> Trace:
    """The :class:`Trace` of one call ``_backprop(params, X, Y, record)`` that returned ``result``.

    Args:
        record: what the call recorded, by symbol name (see the module docstring).
        xp: the module's array library, which stacks the values; a value that does not depend on the example
            (a constant function) is repeated for each.
    """
    ones = xp.ones_like(record[net.inputs_list()[0].name])

    def columns(entries: list[sp.Symbol]) -> Any:
        return xp.stack([record[s.name] * ones for s in entries], 1)

    def layers(entries: Any) -> Mapping[int, Any]:
        return MappingProxyType({l: columns(entries(l)) for l in range(1, net.depth + 1)})

    return Trace(columns(net.inputs_list()), columns(target_symbols(net)), layers(net.z), layers(net.a),
                 layers(net.delta), record[TERMS] * ones, result["loss"],
                 MappingProxyType({name: result[name] for name in net.parameter_shapes}))
