"""Rewrites applied before and after printing, so that expressions read as lecture notes write them.

Before printing: ``1/(1 + e^{-u})`` becomes σ(u) and the 0/1 step of ReLU' an indicator ``1_{z > 0}`` (both as
print-only functions, whose ``_notation_latex`` method the printer calls). After printing: SymPy's ``\\left(``
``\\right)`` become plain parentheses wherever what they hold is one line high.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.logic.boolalg import ITE

_DELIMITER = re.compile(r"\\(left|right)(\(|\)|\[|\]|\\\{|\\\}|\||\.)")
_TALL = ("\\frac", "\\sum", "\\prod", "\\begin", "\\int", "\\binom", "\\left", "\\right")


def shrink_parens(latex: str) -> str:
    r"""Write ``\left( ... \right)`` as plain parentheses when what they hold is one line high.

    SymPy sizes every parenthesis with ``\left``/``\right``, which makes them tall around any sub- or
    superscript (``\left(a^{(2)}_{1}\right)``); lecture notes use plain ones except around fractions and sums.
    """
    while True:
        shrunk = _shrink_innermost(latex)
        if shrunk == latex:
            return latex
        latex = shrunk


def _shrink_innermost(latex: str) -> str:
    """One pass of :func:`shrink_parens` over the pairs that hold no other sized delimiter."""
    pairs: dict[int, tuple[int, int]] = {}
    stack: list[tuple[int, int]] = []
    for match in _DELIMITER.finditer(latex):
        if match.group(1) == "left":
            stack.append((match.start(), match.end()))
        elif stack:
            start, end = stack.pop()
            pairs[start] = (end, match.start())
    replacements: list[tuple[int, int, str]] = []
    for start, (inner_start, inner_end) in pairs.items():
        opening, closing = latex[inner_start - 1], latex[inner_end + 6:inner_end + 7]
        inner = latex[inner_start:inner_end]
        if opening == "(" and closing == ")" and not any(tall in inner for tall in _TALL):
            spaces = len(inner) - len(inner.rstrip(" "))  # SymPy's "x \right)": no space left before ")"
            replacements.append((start, inner_start, "("))
            replacements.append((inner_end - spaces, inner_end + 7, ")"))
    for start, end, text in sorted(replacements, reverse=True):
        latex = latex[:start] + text + latex[end:]
    return latex



class _SigmaFunction(sp.Function):
    """σ(u), the logistic function, for printing only."""

    nargs = 1

    def _notation_latex(self, printer: Any, exp: str | None = None) -> str:
        text = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return rf"{text}^{{{exp}}}" if exp is not None else text


class _IndicatorFunction(sp.Function):
    """1_{condition}, for printing only."""

    nargs = 1

    def _notation_latex(self, printer: Any, exp: str | None = None) -> str:
        text = f"{printer.indicator}_{{{printer._print(self.args[0])}}}"
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text


class _Unsupported(Exception):
    """A condition :func:`as_indicators` does not rewrite; the Piecewise is left as it is."""


def negate(condition: sp.Basic) -> sp.Basic:
    """The negation of a condition, pushed down to relationals where it can be (De Morgan, ``ITE``)."""
    if condition == sp.true:
        return sp.false
    if condition == sp.false:
        return sp.true
    if isinstance(condition, sp.core.relational.Relational):
        return condition.negated
    if isinstance(condition, sp.Not):
        return condition.args[0]
    if isinstance(condition, sp.And):
        return sp.Or(*(negate(arg) for arg in condition.args))
    if isinstance(condition, sp.Or):
        return sp.And(*(negate(arg) for arg in condition.args))
    if isinstance(condition, ITE):
        test, then, otherwise = condition.args
        return ITE(test, negate(then), negate(otherwise))
    return sp.Not(condition)


def _indicator(condition: sp.Basic) -> sp.Expr:
    """``1_{condition}`` as a product (or sum) of indicators of relationals; :class:`_Unsupported` otherwise."""
    if condition == sp.true:
        return sp.S.One
    if condition == sp.false:
        return sp.S.Zero
    if isinstance(condition, sp.core.relational.Relational):
        return _IndicatorFunction(condition)
    if isinstance(condition, sp.Not) and not isinstance(negate(condition.args[0]), sp.Not):
        return _indicator(negate(condition.args[0]))
    if isinstance(condition, sp.And):
        return sp.Mul(*(_indicator(arg) for arg in condition.args))
    if isinstance(condition, sp.Or) and all(isinstance(arg, sp.core.relational.Relational) for arg in condition.args):
        return _IndicatorFunction(condition)
    if isinstance(condition, ITE):  # exactly one of test, not test holds: 1_t 1_a + 1_{not t} 1_b
        test, then, otherwise = condition.args
        return _indicator(test) * _indicator(then) + _indicator(negate(test)) * _indicator(otherwise)
    raise _Unsupported(condition)


def as_indicators(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every 0/1 step ``Piecewise((0, z <= 0), (1, True))`` (ReLU') written as ``1_{z > 0}``.

    A condition that is not a relational (SymPy writes ``ITE``, ``And``, ``Or``, ``Not`` when a step's argument
    itself holds a Piecewise) becomes a product of indicators of relationals where it can; any other step is left
    as its Piecewise, which prints as cases.
    """

    def is_step(node: sp.Basic) -> bool:
        if not isinstance(node, sp.Piecewise) or len(node.args) != 2 or node.args[1][1] != sp.true:
            return False
        return {node.args[0][0], node.args[1][0]} == {sp.S.Zero, sp.S.One}

    def to_indicator(node: sp.Piecewise) -> sp.Basic:
        value, condition = node.args[0]
        try:
            return _indicator(condition if value == 1 else negate(condition))
        except _Unsupported:
            return node

    return expr.replace(is_step, to_indicator)


def as_sigmoid(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every ``1/(1 + e^{-u})`` (and ``(1 + e^{-u})^{-n}``) written as σ(u)^n."""

    def is_sigmoid(node: sp.Basic) -> bool:
        if not (isinstance(node, sp.Pow) and node.exp.is_Integer and node.exp < 0):
            return False
        base = node.base
        return isinstance(base, sp.Add) and len(base.args) == 2 and sp.S.One in base.args and any(
            isinstance(t, sp.exp) and t.args[0].could_extract_minus_sign() for t in base.args
        )

    def to_sigma(node: sp.Pow) -> sp.Basic:
        (term,) = [t for t in node.base.args if isinstance(t, sp.exp)]
        return _SigmaFunction(-term.args[0]) ** (-node.exp)

    return expr.replace(is_sigmoid, to_sigma)
