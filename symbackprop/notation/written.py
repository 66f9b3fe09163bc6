"""Expressions as they were written: a chain of partial derivatives reads from the cost down, a sum over a layer
is ``\\sum_k`` (its neurons, not its size; ``\\sum_{k=1}^{n_{l+1}}`` where the notation writes limits), the terms of
a definition in their order, a sum over neurons in the neurons' order (:func:`by_neuron`). SymPy's printer orders
the factors of a product its own way; derivations built with ``evaluate=False`` keep theirs, and this prints them so
(:func:`terms`: a line's terms, where the line may break).
"""

from __future__ import annotations

import re

import sympy as sp

from ..model import symbols
from ..model.activations import SoftmaxEntry
from .display import product
from .matrices import bracketed
from .printer import NotationPrinter


def written(expr: sp.Basic, printer: NotationPrinter) -> str:
    """``expr`` as it was written: the factors of a product and the terms of a sum in their order (a chain of
    partial derivatives reads from the cost down), a sum over a layer as :func:`over` writes it."""
    if isinstance(expr, (sp.MatrixBase, sp.BlockMatrix)):  # written out: each entry (or block) as written
        entries = expr.blocks if isinstance(expr, sp.BlockMatrix) else expr
        return bracketed([[written(entry, printer) for entry in entries.row(i)] for i in range(entries.rows)])
    if not expr.has(sp.Sum, sp.Derivative):  # nothing written in an order of its own: SymPy's printing
        return printer.doprint(expr)
    if isinstance(expr, sp.Sum):
        body, (index, _, _) = expr.function, expr.limits[0]
        counted = (symbols.counted_layers(s.name).get(str(index)) for s in body.atoms(sp.Symbol))
        layer = next((found for found in counted if found is not None), None)  # the layer the index counts
        return f"{over(printer, printer.doprint(index), layer)} {written(body, printer)}"
    if isinstance(expr, sp.Mul) and len(expr.args) > 1:  # a sum before another factor bracketed: (Σ_k ...) g'
        before = [arg for arg in expr.args[:-1] if isinstance(arg, sp.Sum)]
        return product(list(expr.args), lambda factor: (rf"\left({written(factor, printer)}\right)"
                                                        if any(factor is arg for arg in before)
                                                        else written(factor, printer)), printer.notation.times)
    if isinstance(expr, sp.Pow) and isinstance(expr.base, sp.Sum):
        power = "" if expr.exp == 1 else f"^{{{printer.doprint(expr.exp)}}}"
        return rf"\left({written(expr.base, printer)}\right){power}"
    if isinstance(expr, sp.Derivative) and len(expr.variables) == 1 and isinstance(expr.expr, (sp.Add, sp.Mul,
                                                                                              sp.Pow, sp.Sum,
                                                                                              SoftmaxEntry)):
        # of a written-out expression, as an operator: ∂/∂a (e^a / Σ_j e^{a_j}), ∂/∂a softmax(a)_ℓ, never a
        # fraction in a numerator
        operator = rf"\frac{{\partial}}{{\partial {printer.stored(expr.variables[0])}}}"
        inner = written(expr.expr, printer)
        bare = isinstance(expr.expr, (sp.Sum, SoftmaxEntry))
        return f"{operator} {inner}" if bare else rf"{operator} \left({inner}\right)"
    if isinstance(expr, sp.Add) and any(isinstance(arg, (sp.Sum, sp.Mul)) for arg in expr.args):
        terms = [written(arg, printer) for arg in expr.args]
        return terms[0] + "".join(f" - {t[1:].lstrip()}" if t.startswith("-") else f" + {t}" for t in terms[1:])
    return printer.doprint(expr)


def over(printer: NotationPrinter, index: str, layer: int | None) -> str:
    """The sign of a sum over the neurons of ``layer``: ``\\sum_k``, or with its limits where the notation writes
    them, ``\\sum_{k=1}^{n_{\\ell+1}}`` (the layer as the printer labels it; -1 the output layer), ``\\sum_{j=1}^p``
    over the output layer where the notation has a letter for its count."""
    if not printer.notation.sum_limits or layer is None:
        return rf"\sum_{{{index}}}"
    return rf"\sum_{{{index}=1}}^{{{printer.count(layer)}}}"


def limits_said(printer: NotationPrinter) -> str:
    """What the limits :func:`over` writes stand for, in words: ``n_ℓ is the number of neurons of layer ℓ`` (and
    ``m that of layer l+1`` where the notation has a letter for it, seed 003's)."""
    l, above = printer.notation.layer_letter, printer.notation.next_count
    also = f", ${above}$ that of layer ${l}+1$" if above else ""
    return f"$n_{{{l}}}$ is the number of neurons of layer ${l}${also}"


def neuron_values(count: int, stepped: bool = False) -> str:
    """``1, \\ldots, 5``, the neurons of a layer of ``count``: written out up to three (``1, 2``), never
    ``1, \\ldots, 2``; ``1(1)5`` where ``stepped`` (seed 002's ``∀ i = 1(1)p``)."""
    if stepped and count > 1:
        return stepped_range("1", str(count))
    if count <= 3:
        return ", ".join(str(i) for i in range(1, count + 1))
    return rf"1, \ldots, {count}"


def stepped_range(first: str, last: str) -> str:
    """Seed 002's ``1(1)L``: from ``first`` to ``last`` in steps of one, a compound ``last`` under a bar,
    ``1(1)\\overline{L-1}``."""
    bar = last if last.isalnum() else rf"\overline{{{last}}}"
    return f"{first}(1){bar}"


def for_every(letter: str, values: str, stepped: bool = False) -> str:
    """The range a line holds for, beside it: ``\\text{for } k = 1, \\ldots, L``, or seed 002's
    ``\\forall k = 1(1)L`` where ``stepped``."""
    return rf"\forall {letter} = {values}" if stepped else rf"\text{{for }} {letter} = {values}"


#: A sum of at least this many terms, a factor of a product (g'(z_j) (w_1j δ_1 + ... + w_mj δ_m)), is broken
#: into its terms, so that the product can break across lines.
LONG_SUM = 6


def terms(expr: sp.Basic, printer: NotationPrinter) -> list[str]:
    """The printed terms of a sum (in written order if it was built unevaluated); one term otherwise, but for a
    product of a long sum, whose terms, in the order of their neurons, open and close its brackets."""
    if isinstance(expr, sp.Add):
        unevaluated = sp.Add(*expr.args).args != expr.args
        ordered = expr.args if unevaluated else expr.as_ordered_terms()
        return [printer.doprint(term) for term in ordered]
    if isinstance(expr, sp.Mul) and not expr.could_extract_minus_sign():
        sums = [factor for factor in expr.args if isinstance(factor, sp.Add) and len(factor.args) >= LONG_SUM]
        if len(sums) == 1:
            rest = sp.Mul(*(factor for factor in expr.args if factor is not sums[0]))
            inner = [printer.doprint(term) for term in sorted(sums[0].args, key=by_neuron)]
            head = "" if rest == 1 else printer.doprint(rest) + " "
            return [rf"{head}\bigl({inner[0]}", *inner[1:-1], rf"{inner[-1]}\bigr)"]
    return [printer.doprint(expr)]


def by_neuron(term: sp.Basic) -> tuple[tuple[int, ...], str]:
    """A term's place among a sum's over neurons: by the numbers in its symbols' names, w_{2,1} δ_2 before
    w_{10,1} δ_10 (SymPy orders them as text)."""
    text = str(term)
    return tuple(int(number) for number in re.findall(r"\d+", text)), text
