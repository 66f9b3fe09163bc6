"""The scalar form: every element expression of the derivation lambdified on its own.

Each z^l_j, a^l_j, delta^l_j and each gradient entry dc/dw becomes one generated function of the symbols it
mentions (``f_z1_2(W1_2_1, W1_2_2, b1_2, x_1, x_2)``), evaluated in order with one array entry per example;
the gradient of C = (1/m) sum c is the mean over the examples. The output deltas are the derivation's, with
the one-hot targets ``y_j`` in place of sparse cross-entropy's indicators [ell = j].

Softmax outputs are evaluated with every z^L_k replaced by z^L_k - max_k z^L_k, which leaves the quotient
exp(z_j) / sum_k exp(z_k) unchanged and keeps every exponent <= 0. The loss comes from the same fused,
stable kernels as the vectorized form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..derive.engine import derive
from ..model.architecture import Architecture
from . import printers
from .kernels import SOFTMAX_FUSED, output_kernels


@dataclass(frozen=True)
class Group:
    """A commented block of assignments in the generated ``_backprop``."""

    comment: str
    lines: tuple[str, ...]


def _call(name: str, expr: sp.Expr, functions: list[printers.Function], comment: str) -> str:
    """Lambdify ``expr`` as ``f_<name>`` of its free symbols (sorted by name) and return the call."""
    args = sorted(expr.free_symbols, key=lambda s: s.name)
    functions.append(printers.function(f"f_{name}", args, expr, [comment]))
    return f"f_{name}({', '.join(a.name for a in args)})"


def _assign(name: str, expr: sp.Expr, functions: list[printers.Function], comment: str) -> str:
    return f"{name} = {_call(name, expr, functions, comment)}"


def _forward(net: Architecture, derivation: Any, functions: list[printers.Function]) -> list[Group]:
    groups = []
    equations = {eq.name: eq.rhs for eq in derivation.forward}
    for l in range(1, net.depth + 1):
        lines = [_assign(z.name, equations[z.name], functions, f"{z.name} = {printers.text(equations[z.name])}")
                 for z in net.z(l)]
        shift: dict[sp.Symbol, sp.Expr] = {}
        if not net.activation(l).elementwise:
            top = sp.Symbol(f"zmax{l}", real=True)
            lines.append(f"{top.name} = " + _nested_maximum([z.name for z in net.z(l)]))
            shift = {z: z - top for z in net.z(l)}
        for a in net.a(l):
            rhs = equations[a.name]
            note = " (z shifted by its maximum)" if shift else ""
            lines.append(_assign(a.name, rhs.xreplace(shift), functions, f"{a.name} = {printers.text(rhs)}{note}"))
        groups.append(Group(f"layer {l}: z^{l}_j and a^{l}_j = {net.activation(l).label}", tuple(lines)))
    return groups


def _nested_maximum(names: list[str]) -> str:
    code = names[0]
    for name in names[1:]:
        code = f"xp.maximum({code}, {name})"
    return code


def _backward(net: Architecture, derivation: Any, functions: list[printers.Function]) -> list[Group]:
    targets = {t: sp.Symbol(f"y_{j}", real=True) for j, t in enumerate(net.targets, start=1)}
    groups = []
    for l in range(net.depth, 0, -1):
        lines = []
        for d, expr in zip(net.delta(l), derivation.deltas[f"delta{l}"]):
            expr = expr.xreplace(targets)
            lines.append(_assign(d.name, expr, functions, f"{d.name} = {printers.text(expr)}"))
        label = "BP1, the output layer" if l == net.depth else "BP2"
        groups.append(Group(f"{label}: delta^{l}_j = dc/dz^{l}_j", tuple(lines)))
    return groups


def _gradients(net: Architecture, derivation: Any, functions: list[printers.Function]) -> list[dict[str, Any]]:
    result = []
    for name, matrix in derivation.gradients.items():
        calls = []
        for symbol, expr in zip(net.parameters[name], matrix):
            comment = f"dc/d{symbol.name} = {printers.text(expr)}"
            calls.append(f"_mean({_call('d' + symbol.name, expr, functions, comment)})")
        result.append({"name": name, "shape": (matrix.rows, matrix.cols), "calls": calls})
    return result


def _parameters(net: Architecture) -> list[dict[str, Any]]:
    result = []
    for name, matrix in net.parameters.items():
        entries = [(matrix[i, j].name, f"{i}, {j}") for i in range(matrix.rows) for j in range(matrix.cols)]
        result.append({"name": name, "shape": (matrix.rows, matrix.cols), "entries": entries})
    return result


def scalar_context(net: Architecture) -> dict[str, Any]:
    """The template context of ``templates/python/scalar.py.j2`` for ``net``."""


    derivation = derive(net, forms=("element",), progress=False)
    functions: list[printers.Function] = []
    forward = _forward(net, derivation, functions)
    backward = _backward(net, derivation, functions)
    gradients = _gradients(net, derivation, functions)
    loss_functions = [f for f in output_kernels(net) if f.name == "loss_terms"]
    L = net.depth
    traced = [x.name for x in net.inputs_list()] + [f"y_{j}" for j in range(1, net.layers[-1] + 1)]
    traced += [line.split(" = ", 1)[0] for group in forward + backward for line in group.lines] + ["terms"]
    return {
        "traced": traced,
        "functions": loss_functions + functions,
        "inputs": [(x.name, k) for k, x in enumerate(net.inputs_list())],
        "targets": [(f"y_{j}", j - 1) for j in range(1, net.layers[-1] + 1)],
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
