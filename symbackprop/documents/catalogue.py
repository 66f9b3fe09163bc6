"""The catalogue of rules that ``symbackprop list`` prints: activations, losses, bias conventions.

Formulas are printed from the same SymPy expressions the engine differentiates. An activation's derivative is
the textbook form stored in its row of the table (working it out takes seconds; the tests prove each stored form
equal to ``sympy.diff`` of the formula and to what the engine uses), a loss's is ``sympy.diff`` itself.
"""

from __future__ import annotations

import sympy as sp

from ..model.activations import ACTIVATIONS, GENERIC, GENERIC_PRIME, A, Z, softmax_jacobian
from ..model.architecture import BIAS_CONVENTIONS
from ..model.losses import LOSSES


def _show(expr: sp.Expr) -> str:
    # the generic activation and cost read as the letters the derivations print them in
    generic = {GENERIC(Z): sp.Function("g")(Z), GENERIC_PRIME(Z): sp.Function("g'")(Z)}
    return sp.sstr(expr.xreplace(generic)).replace("**", "^")


def activation_lines() -> list[str]:
    lines = ["Activations (g(z); derivative g'(z), a = g(z) the output):"]
    for act in ACTIVATIONS.values():
        if act.elementwise:
            formula = _show(act(Z))
            deriv = _show(act.textbook_derivative())
        else:
            formula = "exp(z_j) / sum_k exp(z_k)"
            _, jac, _ = softmax_jacobian(2)
            rows = ", ".join(f"[{', '.join(_show(entry) for entry in jac.row(i))}]" for i in range(jac.rows))
            deriv = f"Jacobian da_i/dz_j = a_i (delta_ij - a_j); for 2 outputs [{rows}]"  # (one line: a table's row)
        lines.append(f"  {act.label:<22} {act.description}")
        lines.append(f"  {'':<22}   g(z)  = {formula}")
        lines.append(f"  {'':<22}   g'(z) = {deriv}")
    return lines


def loss_lines() -> list[str]:
    lines = ["Losses (per example c; batch cost C = (1/m) sum c):"]
    for loss in LOSSES.values():
        lines.append(f"  {loss.name:<22} {loss.description}")
        generic = loss([A], [sp.Symbol("y", real=True)])
        if loss.sparse:
            lines.append(f"  {'':<22}   dc/da_j = -[ell = j] / a_j")
        elif loss.generic:
            lines.append(f"  {'':<22}   dc/da_j, a symbol (the derivation shows dC/da^L_j, or the gradient of C)")
        else:
            lines.append(f"  {'':<22}   dc/da (one output) = {_show(sp.diff(generic, A))}")
    return lines


def bias_lines() -> list[str]:
    return ["Bias conventions:"] + [f"  {name:<22} {text}" for name, text in BIAS_CONVENTIONS.items()]


def catalogue_text() -> str:
    """The full catalogue as plain text."""
    return "\n".join(activation_lines() + [""] + loss_lines() + [""] + bias_lines())
