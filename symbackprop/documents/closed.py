"""The closed form: every gradient written out in the inputs, the targets and the parameters, laid out to fit the page.

The expansion substitutes the forward pass and the error terms into each gradient layer by layer, as
:meth:`~symbackprop.derive.derivation.Derivation.closed_form` does, but holds every Piecewise (ReLU, its 0/1 derivative,
leaky ReLU, ELU) as an opaque :class:`_Cases` while it does: SymPy would otherwise fold each inner Piecewise into
the conditions of the outer ones (``ITE`` conditions that grow exponentially with the depth, 1.6 MB of text for
one gradient of a 2-3-3-2 ReLU net). A :class:`_Cases` prints as ``max(0, u)`` for ReLU and with indicator
brackets ``1[u > 0]`` otherwise (ReLU', the derivatives of leaky ReLU and ELU). Leaky ReLU and ELU themselves are
written by name, ``ELU(u)``: their cases repeat the argument up to three times, which compounds at every layer.

:class:`ClosedPrinter` prints what cannot be broken across lines in a breakable way: ``exp(u)`` instead of
``e^{u}`` and ``u (v)^{-1}`` instead of ``\\frac{u}{v}`` when ``u`` or ``v`` is long. Each gradient is then broken
by :func:`~symbackprop.notation.linebreak.break_formula` at any depth of parentheses.

What is shown (:func:`closed_form`): every entry, where written out they fill a page at most; past that, one
representative entry of each kind of parameter (:mod:`.likewise`) and a sentence saying how the others follow; and
where a representative written out is unreadable (:data:`ENTRY_LINES`), the error terms worked out in the forward
pass's ``z^l_j`` and ``a^l_j``, kept as they are, as a lecture prints it.

``--verify`` checks what is printed: :func:`verified` evaluates each entry with every case as it is written
(:func:`as_printed`: the maximum, or each value times its indicator), each ``z`` and ``a`` at its value, against
the true gradient; an entry shown as "likewise" as its representative with the neurons exchanged.

Closed forms grow exponentially with the depth: one that would fill more than :data:`CLOSED_FORM_MAX_PAGES` pages
is refused with a one-line :class:`~symbackprop.errors.SizeLimitError`, before anything is rendered.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.precedence import PRECEDENCE

from ..derive.derivation import Derivation
from ..derive.rewrite import negate
from ..derive.truth import VerificationError, draw_worlds
from ..derive.verify import POINTS, Verification, close
from ..errors import SizeLimitError
from ..model import symbols
from ..notation.display import Display, Line, visual_width
from ..notation.linebreak import break_formula, formula_width
from ..notation.printer import NotationPrinter
from .likewise import Group, groups, likewise, relabelled

#: Above this many pages of formulas the closed form is refused: a 2-3-3-2 net takes 20 to 45 (GELU, 120), 3-4-3-2
#: with tanh 90.
CLOSED_FORM_MAX_PAGES = 60
#: Written out in the inputs, targets and parameters, a closed form that fills at most this many pages shows every
#: entry; a longer one, one entry of each kind (:func:`~.likewise.groups`) and "likewise" for the others.
EVERY_ENTRY_PAGES = 1.0
#: A representative entry written out in more than this many display lines is written with the forward pass's z
#: and a instead (the error terms worked out): a lecture prints a^l_j, not the exponentials it stands for.
ENTRY_LINES = 6
#: Display lines of one line's height on a page of the standalone document (measured: 33 to 40).
LINES_PER_PAGE = 36
#: The height of a display line holding a fraction or big delimiters, in lines (measured: about 1.8).
TALL_LINE = 1.8
#: Expression-tree nodes per display line, at most (measured on tanh, sigmoid, ReLU, softmax, GELU nets: 18 to
#: 60): a closed form of more than this many nodes per line of the page limit is refused before it is printed.
NODES_PER_LINE = 80
#: Longest numerator or denominator, in visual_width units, still written as a fraction; longer ones are
#: written ``(v)^{-1}``, which can be broken.
FRACTION_WIDTH = 24.0
#: Longest exponent still written ``e^{u}``; longer ones are written ``\exp(u)``.
EXPONENT_WIDTH = 10.0


class _Cases(sp.Function):
    """A Piecewise held opaque while the closed form is composed: arguments ``value_1, condition_1, ...``."""

    is_real = True

    @classmethod
    def eval(cls, *args: Any) -> None:
        return None

    @property
    def pieces(self) -> list[tuple[sp.Basic, sp.Basic]]:
        return list(zip(self.args[::2], self.args[1::2], strict=True))

    def _notation_latex(self, printer: Any, exp: str | None = None) -> str:
        text, compound = _cases_latex(self.pieces, printer)
        if exp is not None:
            return rf"\left({text}\right)^{{{exp}}}"
        return rf"\left({text}\right)" if compound else text


def _bracket(conditions: Iterable[sp.Basic], printer: Any) -> str:
    r"""``1[c_1 \wedge c_2]``: the indicator of the conditions that are not True, with breakable brackets."""
    printed = [printer._print(c) for c in conditions if c != sp.true]
    inside = r" \wedge ".join(printed) if printed else r"\text{always}"
    if any(mark in inside for mark in ("\\frac", "\\sum", "\\left")):
        return rf"{printer.indicator}\left[{inside}\right]"
    return f"{printer.indicator}[{inside}]"


def _maximum(pieces: list[tuple[sp.Basic, sp.Basic]]) -> sp.Basic | None:
    """``u`` where the cases are ReLU's, ``0`` for ``u <= 0`` and ``u`` otherwise, printed ``max(0, u)``."""
    if len(pieces) == 2 and pieces[0][0] == 0 and pieces[1][1] == sp.true:
        condition, value = pieces[0][1], pieces[1][0]
        if isinstance(condition, sp.LessThan) and condition.rhs == 0 and condition.lhs == value:
            return value
    return None


def _terms(pieces: list[tuple[sp.Basic, sp.Basic]]) -> list[tuple[sp.Basic, list[sp.Basic]]]:
    """The cases as a sum: each value but 0, and the conditions under which it is taken (those before it fail, its
    own holds), its indicator's."""
    terms: list[tuple[sp.Basic, list[sp.Basic]]] = []
    before: list[sp.Basic] = []
    for value, condition in pieces:
        if value != 0:
            terms.append((value, [*(negate(c) for c in before), condition]))
        before.append(condition)
    return terms


def _cases_latex(pieces: list[tuple[sp.Basic, sp.Basic]], printer: Any) -> tuple[str, bool]:
    """A Piecewise as ``max(0, u)`` (ReLU), or a sum of its values times indicators; and whether it is a sum."""
    if (value := _maximum(pieces)) is not None:
        return rf"\max\left(0, {printer._print(value)}\right)", False
    terms: list[str] = []
    for value, conditions in _terms(pieces):
        bracket = _bracket(conditions, printer)
        if value == 1:
            terms.append(bracket)
        else:
            factor = printer._print(value)
            if isinstance(value, sp.Add):
                factor = rf"\left({factor}\right)"
            terms.append(f"{factor} {bracket}")
    if not terms:
        return "0", False
    text = terms[0]
    for term in terms[1:]:
        text += f" - {term[1:].lstrip()}" if term.startswith("-") else f" + {term}"
    return text, len(terms) > 1


class _Indicator(sp.Function):
    """1 where its condition holds, 0 where it fails, held whole while the condition is not a truth value."""

    is_real = True

    @classmethod
    def eval(cls, condition: sp.Basic) -> sp.Integer | None:
        return sp.S.One if condition == sp.true else sp.S.Zero if condition == sp.false else None


def as_printed(cases: _Cases) -> sp.Expr:
    """What :func:`_cases_latex` writes for ``cases``, as an expression: ``max(0, u)``, or each value times its
    indicator; at a point (where every condition is a truth value), the number the printed cases stand for."""
    pieces = cases.pieces
    if (value := _maximum(pieces)) is not None:
        return sp.Max(0, value, evaluate=False)
    return sp.Add(*(value * _Indicator(sp.And(*conditions)) for value, conditions in _terms(pieces)))


def _mask(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every Piecewise held as a :class:`_Cases`."""
    if not expr.has(sp.Piecewise):
        return expr
    return expr.replace(
        lambda node: isinstance(node, sp.Piecewise),
        lambda node: _Cases(*(part for pair in node.args for part in pair)),
    )


def expanded_gradients(derivation: Derivation) -> dict[str, list[sp.Expr]]:
    """Each gradient entry, in the order of ``network.parameters[name]``, as a function of x, y and the
    parameters, with every Piecewise held as a :class:`_Cases` (see the module docstring).

    Raises:
        SizeLimitError: above the parameter limit of :meth:`~symbackprop.derive.derivation.Derivation.closed_form`.
    """
    derivation.check_closed_form()
    network = derivation.network

    # leaky ReLU, ELU by name: their cases repeat the argument up to three times, at every layer
    named: dict[sp.Basic, sp.Basic] = {}
    for layer in range(1, network.depth + 1):
        activation, zs = network.activation(layer), network.z(layer)
        if activation.name != "relu" and any(out.has(sp.Piecewise) for out in activation.apply(list(zs))):
            named.update({a: sp.Function(activation.name, real=True)(z) for a, z in zip(network.a(layer), zs)})

    def hold(symbol: sp.Symbol, value: sp.Basic) -> sp.Basic:
        return named.get(symbol, _mask(value))

    values = derivation.substitutions(hold)
    return {name: [_mask(entry).xreplace(values) for entry in grad] for name, grad in derivation.gradients.items()}


def verified(derivation: Derivation, printer: NotationPrinter, points: int = POINTS, seed: int = 0) -> Verification:
    """Every entry of the closed form as :func:`closed_form` writes it for ``printer`` (each case as
    :func:`as_printed` writes it, each activation written by name as its formula), against the true gradient at
    ``points`` random points (found apart from the engine, :class:`~symbackprop.derive.truth.World`): one step per
    entry. An entry shown only as "likewise" is its representative relabelled (:func:`~.likewise.relabelled`), so
    that the sentence is checked too.

    Raises:
        VerificationError: an entry that differs from the truth, or that is not a number at the point.
        SizeLimitError: above the parameter limit of the closed form, or a closed form too large to print.
    """
    written, rng = closed_form(derivation, printer), random.Random(seed)
    depth = derivation.network.depth
    entries = [(entry, _written_out(relabelled(value, group.representative, entry, depth)))
               for group, value in zip(written.groups, written.values, strict=True) for entry in group.entries]
    for _ in range(points):
        world = draw_worlds(derivation, rng, 1)[0]
        for param, entry in entries:
            value = world.at(entry)
            truth = world.truth[param]
            if not close(value, truth):
                raise VerificationError(f"closed form, the gradient of {param}: the entry printed is {value}, the "
                                        f"true derivative {truth}")
    return Verification(len(entries), len(entries) * points, points, 0, 0)


def _written_out(expr: sp.Basic) -> sp.Basic:
    """``expr`` with each of its cases as printed (:func:`as_printed`), the innermost first, each indicator and
    maximum held whole until the point's numbers are put in."""
    return expr.replace(lambda node: isinstance(node, _Cases), as_printed)


def tree_size(expr: sp.Basic, memo: dict[sp.Basic, int] | None = None) -> int:
    """The number of nodes of ``expr`` written out as a tree (shared subexpressions counted each time)."""
    memo = {} if memo is None else memo

    def size(node: sp.Basic) -> int:
        known = memo.get(node)
        if known is None:
            known = 1 + sum(size(arg) for arg in node.args)
            memo[node] = known
        return known

    return size(expr)


def _refuse(spec: str, pages: float, estimated: bool) -> SizeLimitError:
    how = "at least" if estimated else "about"
    return SizeLimitError(
        f"the closed form of {spec} would fill {how} {round(pages):,} pages and is limited to "
        f"{CLOSED_FORM_MAX_PAGES}; use the delta form (forms element, vector or batch) instead"
    )


def pages(lines: Iterable[Line]) -> float:
    """The pages ``lines`` fill in the standalone document, about (:data:`LINES_PER_PAGE`, :data:`TALL_LINE`)."""
    tall = ("\\frac", "\\Big", "\\left")
    height = sum(TALL_LINE if any(mark in line.lhs + line.rhs for mark in tall) else 1.0 for line in lines)
    return height / LINES_PER_PAGE


def check_size(gradients: dict[str, list[sp.Expr]], spec: str) -> None:
    """Refuse, before printing, a closed form far too large to print (see :data:`NODES_PER_LINE`).

    Raises:
        SizeLimitError: naming the estimated pages and the limit.
    """
    memo: dict[sp.Basic, int] = {}
    nodes = sum(tree_size(entry, memo) for entries in gradients.values() for entry in entries)
    if nodes > CLOSED_FORM_MAX_PAGES * LINES_PER_PAGE * NODES_PER_LINE:
        raise _refuse(spec, nodes / NODES_PER_LINE / LINES_PER_PAGE, estimated=True)


class ClosedPrinter(NotationPrinter):
    """A :class:`~symbackprop.notation.printer.NotationPrinter` that writes long exponentials and fractions so that
    :func:`~symbackprop.notation.linebreak.break_formula` can break them: ``\\exp(u)`` and ``u (v)^{-1}``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._printed: dict[sp.Basic, str] = {}

    @classmethod
    def like(cls, printer: NotationPrinter) -> ClosedPrinter:
        return cls(printer.notation, printer.network, printer.labels, printer.indicator, printer.sigma, printer.width)

    def _print(self, expr: Any, **kwargs: Any) -> str:
        """Printed once per subexpression: :meth:`_print_Mul` prints its parts to measure them, at every depth."""
        if kwargs or not isinstance(expr, sp.Basic):
            return str(super()._print(expr, **kwargs))
        text = self._printed.get(expr)
        if text is None:
            text = self._printed[expr] = str(super()._print(expr))
        return text

    def _print_ExpBase(self, expr: Any, exp: str | None = None) -> str:
        argument = self._print(expr.args[0])
        if visual_width(argument) <= EXPONENT_WIDTH:
            return str(super()._print_ExpBase(expr, exp))
        text = rf"\exp\left({argument}\right)"
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text

    def _print_Mul(self, expr: Any) -> str:
        coefficient, rest = expr.as_coeff_Mul()
        factors = sp.Mul.make_args(rest)
        below = [f for f in factors if f.is_Pow and f.exp.is_number and f.exp.is_negative and not f.base.is_number]
        if not below and (not coefficient.is_Rational or coefficient.q == 1):
            return str(super()._print_Mul(expr))
        above = [f for f in factors if f not in below and f != 1]
        p, q = (coefficient.p, coefficient.q) if coefficient.is_Rational else (coefficient, 1)
        numerator = self._print(sp.Mul(abs(p), *above))
        denominator = self._print(sp.Mul(q, *(f.base ** -f.exp for f in below)))
        if max(visual_width(numerator), visual_width(denominator)) <= FRACTION_WIDTH:
            return str(super()._print_Mul(expr))
        if coefficient.is_negative:
            return f"- {self._print_Mul(-expr)}"
        parts = []
        if q != 1:
            parts.append(rf"\frac{{{self._print(p)}}}{{{q}}}")
        elif coefficient != 1:
            parts.append(self._print(coefficient))
        parts.extend(self.parenthesize(f, PRECEDENCE["Mul"]) for f in above)
        for f in below:
            parts.append(rf"\left({self._print(f.base)}\right)^{{{self._print(f.exp)}}}")
        return " ".join(parts)


def _by_name(values: Iterable[sp.Expr]) -> set[str]:
    """The activations that the closed form writes by name."""
    return {type(f).__name__ for value in values for f in value.atoms(sp.core.function.AppliedUndef)}


def _printed(closed: ClosedPrinter, width: float, param: sp.Symbol, value: sp.Basic) -> list[Line]:
    """``∂C/∂param = value``, broken to fit the page."""
    lhs = closed.doprint(sp.Derivative(sp.Symbol("c"), param, evaluate=False))
    room = width - formula_width(lhs) - 3.0
    pieces = break_formula(closed.doprint(value), room, room - 4.0)
    return [Line(lhs, "=", pieces[0]), *(Line("", "", rf"\quad {piece}") for piece in pieces[1:])]


@dataclass(frozen=True)
class Written:
    """The closed form as a document writes it: its introduction (prose), and for each group of entries
    (:func:`~.likewise.groups`) its representative's expression (every Piecewise a :class:`_Cases`), its display
    and the sentence after it ("likewise for every j, k", or nothing)."""

    intro: str
    groups: tuple[Group, ...]
    values: tuple[sp.Expr, ...]
    displays: tuple[Display, ...]
    likewise: tuple[str, ...]


def _abbreviated(derivation: Derivation, chosen: Iterable[Group]) -> list[sp.Expr]:
    """Each group's representative with the error terms worked out, the forward pass's z and a kept."""
    values = derivation.substitutions(lambda symbol, value: _mask(value), forward=False)
    return [_mask(derivation.gradients[group.name][list(derivation.network.parameters[group.name]).index(
        group.representative)]).xreplace(values) for group in chosen]


def _kept(values: Iterable[sp.Expr], printer: NotationPrinter) -> str:
    """The forward pass's quantities an abbreviated closed form keeps, ``$z^{1}_{j}$, $a^{1}_{j}$ and ...``."""
    kept = set()
    for value in values:
        for symbol in value.free_symbols:
            info = symbols.describe(symbol.name)
            if info is not None and info.kind in ("z", "a") and info.layer is not None:
                kept.add((info.layer, info.kind == "a", info.kind))
    shown = [f"${printer.doprint(sp.Symbol(symbols.element(kind, layer, 'j'), real=True))}$"
             for layer, _, kind in sorted(kept)]
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else "".join(shown)


def closed_form(derivation: Derivation, printer: NotationPrinter) -> Written:
    """The closed form a document shows: every entry written out in the inputs, targets and parameters where that
    fills at most :data:`EVERY_ENTRY_PAGES`; else one representative entry per group (:func:`~.likewise.groups`),
    written out likewise where each fills at most :data:`ENTRY_LINES` lines, else with the error terms worked out
    and the forward pass's z and a kept as they are (:meth:`Derivation.substitutions` with ``forward=False``).

    Raises:
        SizeLimitError: above the parameter limit, or a closed form of more than :data:`CLOSED_FORM_MAX_PAGES`
            pages written out (refused before printing where the size of the expressions alone shows it).
        SymbackpropError: a network with the generic cost (:meth:`Derivation.check_closed_form`).
    """
    network = derivation.network
    gradients = expanded_gradients(derivation)
    check_size(gradients, network.spec)
    closed = ClosedPrinter.like(printer)
    full = {param: (value, _printed(closed, printer.width, param, value)) for name, entries in gradients.items()
            for param, value in zip(network.parameters[name], entries, strict=True)}
    filled = pages(line for _, lines in full.values() for line in lines)
    if filled > CLOSED_FORM_MAX_PAGES:
        raise _refuse(network.spec, filled, estimated=False)
    chosen = groups(network, every=filled <= EVERY_ENTRY_PAGES)
    values = [full[group.representative][0] for group in chosen]
    intro = "Every gradient written out in the inputs, the targets and the parameters alone."
    if len(chosen) < network.parameter_count:
        intro = ("Each gradient written out in the inputs, the targets and the parameters alone, one entry of each "
                 "kind: the others follow from it with the neurons numbered otherwise.")
    if any(len(full[group.representative][1]) > ENTRY_LINES for group in chosen):
        values = _abbreviated(derivation, chosen)
        intro = (f"Written out in the inputs, the targets and the parameters alone, the gradients would fill about "
                 f"{max(round(filled), 1)} pages; below, the error terms are worked out and the forward pass's "
                 f"{_kept(values, printer)} are kept as it computes them. One entry of each kind is shown: the "
                 f"others follow from it with the neurons numbered otherwise.")
    displays = tuple(Display(tuple(_printed(closed, printer.width, group.representative, value)), breakable=True)
                     for group, value in zip(chosen, values, strict=True))  # (breakable: longer than a page)
    if any(value.has(_Cases) for value in values):
        intro += f" Here ${printer.indicator}[P]$ is 1 when the condition $P$ holds and 0 otherwise."
    named = sorted({f"${act.latex}$" for act in network.activations if act.name in _by_name(values)})
    if named:
        intro += f" {' and '.join(named)} {'is' if len(named) == 1 else 'are'} as defined in the appendix."
    return Written(intro, tuple(chosen), tuple(values), displays,
                   tuple(likewise(group, network, closed) for group in chosen))
