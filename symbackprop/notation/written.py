"""Expressions as they were written: a chain of partial derivatives reads from the cost down, a sum over a layer
is ``\\sum_k`` (its neurons, not its size), the terms of a definition in their order. SymPy's printer orders the
factors of a product its own way; derivations built with ``evaluate=False`` keep theirs, and this prints them so.
"""

from __future__ import annotations

import sympy as sp

from .printer import NotationPrinter


def written(expr: sp.Basic, printer: NotationPrinter) -> str:
    """``expr`` as it was written: the factors of a product and the terms of a sum in their order (a chain of
    partial derivatives reads from the cost down), a sum over a layer as ``\\sum_k``."""
    if not expr.has(sp.Sum, sp.Derivative):  # nothing written in an order of its own: SymPy's printing
        return printer.doprint(expr)
    if isinstance(expr, sp.Sum):
        body, (index, _, _) = expr.function, expr.limits[0]
        return rf"\sum_{{{printer.doprint(index)}}} {written(body, printer)}"
    if isinstance(expr, sp.Mul) and len(expr.args) > 1:
        factors = [written(arg, printer) for arg in expr.args]
        factors = [rf"\left({f}\right)" if isinstance(arg, sp.Add) else f for f, arg in zip(factors, expr.args)]
        return printer.notation.times.join(factors)
    if isinstance(expr, sp.Add) and any(isinstance(arg, (sp.Sum, sp.Mul)) for arg in expr.args):
        return " + ".join(written(arg, printer) for arg in expr.args)
    return printer.doprint(expr)


def neurons(letter: str, count: int) -> str:
    """``j = 1, \\ldots, 5`` for the neurons of a layer; written out up to three (``j = 1, 2``), never
    ``1, \\ldots, 2``."""
    if count <= 3:
        return f"{letter} = {', '.join(str(i) for i in range(1, count + 1))}"
    return rf"{letter} = 1, \ldots, {count}"
