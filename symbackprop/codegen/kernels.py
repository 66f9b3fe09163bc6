"""The output layer's kernels: the loss per output element, and BP1's delta, as the generated modules compute them.

Shared by the vectorized and the scalar modules. The loss is fused with its output activation where that is exact
and stable (computed from the logits: no overflow, no log(0)); BP1 comes from the engine's output kernel.
"""

from __future__ import annotations

import sympy as sp

from ..derive.chain import output_kernel
from ..model.activations import A, Z
from ..model.architecture import Architecture
from . import printers
from .printers import Softplus

#: The generic target symbol of the output kernels (the engine's ``Y``).
Y = sp.Symbol("y", real=True)

#: Per-element loss terms computed from the logits z, by (output activation, loss). Each equals the loss of
#: the activation's output (``tests/test_compile.py`` proves it with SymPy) and cannot overflow or take log(0).
FUSED_LOSSES: dict[tuple[str, str], sp.Expr] = {
    ("sigmoid", "bce"): Softplus(Z) - Y * Z,
    ("sigmoid", "cross_entropy"): Y * Softplus(-Z),
    ("sigmoid", "sparse_cross_entropy"): Y * Softplus(-Z),
}
#: Output activation and losses whose cost is computed for the whole row: logsumexp(z) sum(y) - sum(y z).
SOFTMAX_FUSED = {"cross_entropy", "sparse_cross_entropy"}



def loss_term(net: Architecture) -> sp.Expr:
    """The per-element loss t(z, a, y) with c = sum_j t(z_j, a_j, y_j), fused with the output where possible.

    Every loss of the table is a multiple of a sum over the outputs of one term, so c evaluated on n copies
    of (a, y) is n times that term.
    """
    fused = FUSED_LOSSES.get((net.activations[-1].name, net.loss.name))
    if fused is not None:
        return fused
    n = net.layers[-1]
    return sp.expand(net.loss([A] * n, [Y] * n) / n)


def output_kernels(net: Architecture) -> list[printers.Function]:
    """The output layer's generated functions: loss terms (unless softmax fuses the row) and delta."""
    out = net.activations[-1]
    kernel = output_kernel(net)
    functions = []
    if not (out.name == "softmax" and net.loss.name in SOFTMAX_FUSED):
        term = loss_term(net)
        note = " (from the logits)" if (out.name, net.loss.name) in FUSED_LOSSES else ""
        functions.append(printers.function("loss_terms", (Z, A, Y), term,
                                          [f"{net.loss.name} per output{note}: c = sum_j t(z_j, a_j, y_j), "
                                           f"t = {printers.text(term)}"]))
    if kernel.delta is not None:
        comment = f"BP1, from the engine: delta^L_j = dc/dz^L_j = {printers.text(kernel.delta)}"
        functions.append(printers.function("output_delta", (Z, A, Y), kernel.delta, [comment]))
    else:
        product = sp.cancel(A * kernel.grad_a)
        functions.append(printers.function("a_times_dc_da", (Z, A, Y), product,
                                          [f"a_j dc/da_j with dc/da_j = {printers.text(kernel.grad_a)}, simplified by "
                                           "SymPy;", "BP1 through the softmax Jacobian: delta = a*dc/da - a sum_i "
                                           "a_i dc/da_i"]))
    return functions


# ------------------------------------------------------------------------------------------- vectorized form
