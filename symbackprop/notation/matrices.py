"""How a notation printer writes matrix expressions: products and sums in the order built, ⊙, diag(·), ones
vectors, identities and the Jacobians of a layer's vectors. A mixin of
:class:`~symbackprop.notation.printer.NotationPrinter`, before SymPy's ``LatexPrinter``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sympy as sp

from ..model.symbols import LAST, describe, element

#: A letter with both a subscript and a superscript (a layer mark), ``δ^{L}_{1}``, ``w^{(2)}_{11}``.
_MARKED = re.compile(r"\^\{[^{}]*\}_\{|_\{[^{}]*\}\^\{")


#: The most rows, and the most columns, a matrix is written out with: a larger one shows its first two, dots and
#: its last (a wide layer's gradient is written as seed 002 writes one of any size n).
MOST = 6


def bracketed(rows: list[list[str]]) -> str:
    """A matrix written out from its entries' LaTeX: in brackets, its rows set apart where they hold fractions, a
    little where they hold superscripts (a row's layer marks clear of the subscripts above them); past :data:`MOST`
    rows or columns, its first two, dots and its last. Every matrix a document writes out goes through here."""
    rows = _elided(rows)
    lines = [" & ".join(row) for row in rows]
    separator = (r" \\[8pt] " if any(r"\frac" in line for line in lines) else
                 r" \\[3pt] " if any(_MARKED.search(line) for line in lines[1:]) else r" \\ ")
    return rf"\begin{{bmatrix}}{separator.join(lines)}\end{{bmatrix}}"


def _elided(rows: list[list[str]]) -> list[list[str]]:
    """``rows`` with those past the second and before the last, and likewise the columns, left to dots, where there
    are more than :data:`MOST`: every entry shown is the matrix's own, in its place."""
    wide = len(rows[0]) > MOST if rows else False
    if wide:
        rows = [elided(row, r"\ddots" if row[0] == r"\vdots" else r"\cdots") for row in rows]
    if len(rows) > MOST:
        dots = [r"\ddots" if wide and column == 2 else r"\vdots" for column in range(len(rows[0]))]
        rows = rows[:2] + [dots] + rows[-1:]
    return rows


def elided(entries: list[str], dots: str) -> list[str]:
    """``entries`` as written out: past :data:`MOST` of them, the first two, ``dots`` and the last."""
    return entries if len(entries) <= MOST else [*entries[:2], dots, entries[-1]]


class MatrixPrinting:
    """The ``_print_*`` methods of matrix expressions; ``_print`` and ``partial`` are the printer's."""

    _print: Any
    partial: Any
    labels: Any
    network: Any

    def _print_MatMul(self, expr: Any) -> str:
        """Matrix products without SymPy's costly sign extraction (it evaluates ``-expr``)."""
        scalars = [arg for arg in expr.args if not isinstance(arg, sp.MatrixExpr)]
        parts = []
        for arg in expr.args:
            if not isinstance(arg, sp.MatrixExpr):
                continue
            text = self._print(arg)
            compound = isinstance(arg, (sp.MatAdd, sp.HadamardProduct)) or text.lstrip().startswith("-")
            parts.append(rf"\left({text}\right)" if compound else text)
        body = " ".join(parts)
        coefficient = sp.Mul(*scalars)
        if coefficient == 1:
            return body
        if coefficient == -1:
            return f"- {body}"
        text = self._print(coefficient)
        return rf"\left({text}\right) {body}" if isinstance(coefficient, sp.Add) else f"{text} {body}"

    def _print_HadamardProduct(self, expr: Any) -> str:
        """``y ⊙ a`` (a compound factor in parentheses); a factor ``a^{∘-1}`` as entrywise division, ``y ⊘ a``,
        after the others."""
        divisors = [arg for arg in expr.args if isinstance(arg, sp.HadamardPower) and arg.exp == -1]
        factors = [arg for arg in expr.args if arg not in divisors]
        if divisors and factors:
            bases = [divisor.base for divisor in divisors]
            over = [self._print(base) if isinstance(base, sp.MatrixSymbol) else rf"\left({self._print(base)}\right)"
                    for base in bases]
            top = self._print(sp.HadamardProduct(*factors)) if len(factors) > 1 else self._print(factors[0])
            if len(factors) > 1 or isinstance(factors[0], (sp.MatMul, sp.MatAdd)):
                top = rf"\left({top}\right)"
            return " \\oslash ".join([top, *over])
        parts = []
        for arg in expr.args:
            text = self._print(arg)
            compound = isinstance(arg, (sp.MatMul, sp.MatAdd, sp.HadamardProduct))
            parts.append(rf"\left({text}\right)" if compound else text)
        return r" \odot ".join(parts)

    def _print_HadamardPower(self, expr: Any) -> str:
        base = self._print(expr.base)
        if not isinstance(expr.base, sp.MatrixSymbol) or "^" in base:
            base = rf"\left({base}\right)"
        return rf"{base}^{{\circ {self._print(expr.exp)}}}"

    def _print_MatAdd(self, expr: Any) -> str:
        terms = [self._print(arg) for arg in expr.args]
        terms = [t for t in terms if not t.lstrip().startswith("-")] + [t for t in terms if t.lstrip().startswith("-")]
        text = terms[0]
        for term in terms[1:]:
            text += f" - {term.lstrip()[1:].lstrip()}" if term.lstrip().startswith("-") else f" + {term}"
        return text

    def _print_DiagMatrix(self, expr: Any) -> str:  # a vector written out lists its entries: diag(σ'(z_1), σ'(z_2))
        entries = list(expr.args[0]) if isinstance(expr.args[0], sp.MatrixBase) else [expr.args[0]]
        printed = self._any_width(entries) or [self._print(e) for e in entries]
        return rf"\operatorname{{diag}}\left({', '.join(printed)}\right)"

    def _any_width(self, entries: Sequence[sp.Basic]) -> list[str] | None:
        """A whole layer's entries in a general formula (its layers relabelled) by the first and the last, the
        last's index the layer's count, whatever it is: ``σ'(z^L_1), …, σ'(z^L_{n_L})`` (seed 004's Jacobian), where
        each entry is the first with its neuron's index put in; None otherwise (the entries are written out)."""
        if not self.labels or not entries:
            return None
        firsts = [(symbol, info) for symbol in entries[0].free_symbols
                  if (info := describe(symbol.name)) is not None and info.is_element and info.indices == (1,)]
        if len(firsts) != 1:
            return None
        ((first, info),) = firsts
        assert info.layer is not None
        if len(entries) != self.network.layers[info.layer]:
            return None

        def entry(index: int | str) -> sp.Basic:
            return entries[0].subs(first, sp.Symbol(element(info.kind, info.layer, index), **first.assumptions0))

        if any(entries[position] != entry(position + 1) for position in range(len(entries))):
            return None
        return [self._print(entries[0]), r"\ldots", self._print(entry(LAST))]

    def _print_MatrixBase(self, expr: Any) -> str:  # written out, inside a line too: (δ_1 δ_2) [∂z_i/∂a_j]
        return bracketed([[self._print(entry) for entry in expr.row(r)] for r in range(expr.rows)])

    def _print_Partial(self, expr: Any) -> str:  # derive.forms.Partial: ∂u/∂v of a layer's vectors
        return self.partial(expr.args[0], [expr.args[1]])

    def _print_Named(self, expr: Any) -> str:  # derive.forms.Named: an expression under a brace with its name
        return rf"\underbrace{{{self._print(expr.args[0])}}}_{{{self._print(expr.args[1])}}}"

    def _print_OneMatrix(self, expr: Any) -> str:
        """A ones vector; its length is written only when it is symbolic (the batch size m)."""
        rows, cols = expr.shape
        if cols == 1:
            return rf"\mathbf{{1}}_{{{self._print(rows)}}}" if rows.free_symbols else r"\mathbf{1}"
        if rows == 1:
            return rf"\mathbf{{1}}_{{{self._print(cols)}}}^{{\top}}" if cols.free_symbols else r"\mathbf{1}^{\top}"
        return r"\mathbf{1}"

    def _print_Identity(self, expr: Any) -> str:
        return "1" if expr.shape == (1, 1) else "I"
