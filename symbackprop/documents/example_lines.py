"""The displayed lines of a worked example (:mod:`symbackprop.documents.example`): numbers printed for LaTeX,
formulas printed with numbers in place of their symbols, and the lines and titled blocks the templates lay out.

A :class:`Line` is ``lhs = formula = formula with numbers = value``, each part on a row of its own under the
first, or all on one row (``inline``); its relation may be other than ``=`` (``\\leftarrow`` for an update).
A :class:`Block` is a titled group of lines with an optional paragraph after them. Each line and paragraph keeps, as
data beside its text, every result it prints (:class:`Printed`: which :class:`Quantity`, to how many significant
digits, as which text), for :mod:`.example_check` to compare with the truth. :func:`example_labels` names every
quantity of the example's JSON in a notation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy as sp

from ..derive.chain import partial
from ..model import symbols
from ..model.architecture import Architecture
from ..model.params import kind_of
from ..notation.display import LINE_WIDTH, note_room, product, visual_width
from ..notation.linebreak import break_formula, formula_width
from ..notation.matrices import elided
from ..notation.presets import get_notation
from ..notation.printer import NotationPrinter
from ..notation.written import by_neuron

#: The batch cost C = (1/m) sum c, whose gradient the step follows.
COST = sp.Symbol("C")

_EXPONENT = re.compile(r"^(-?[0-9.]+)e([+-])0*([0-9]+)$")


def number_latex(value: float, digits: int = 4, parenthesize: bool = False) -> str:
    """``value`` to ``digits`` significant digits in LaTeX, trailing zeros kept (0.9380); 0 as ``0``; negatives in
    brackets if ``parenthesize``."""
    text = "0" if value == 0 else f"{value:#.{digits}g}".replace(".e", "e").rstrip(".")
    return _latex(text, parenthesize)


#: The most significant figures a given value prints with: one given with more (a float drawn at random) is rounded.
GIVEN_FIGURES = 6


def given_latex(value: float, parenthesize: bool = False) -> str:
    """A given value (a parameter, an input, a target) as it was given: its shortest decimal (0.9221, 1, 0.5), or
    :data:`GIVEN_FIGURES` significant figures where it has more."""
    text = repr(given_value(value))
    return _latex("0" if value == 0 else text[:-2] if text.endswith(".0") else text, parenthesize)


def given_value(value: float) -> float:
    """A given value as :func:`given_latex` prints it."""
    return rounded(float(value), GIVEN_FIGURES)


def exact_as_printed(values: Sequence[float]) -> bool:
    """Whether each given value prints as exactly the number it is (none rounded to :data:`GIVEN_FIGURES`)."""
    return all(given_value(v) == float(v) for v in values)


def _latex(text: str, parenthesize: bool) -> str:
    match = _EXPONENT.match(text)
    if match:
        mantissa, sign, power = match.groups()
        text = rf"{mantissa} \times 10^{{{'-' if sign == '-' else ''}{power}}}"
    return rf"\left({text}\right)" if parenthesize and text.startswith("-") else text


#: At most this many more significant digits for a line's operands, so that they give its result as printed.
MORE_DIGITS = 4
#: The rule by which a line's operands carry more digits than the results print, as the document states it, after
#: what it says of the given values (:data:`GIVEN`).
CARRIED = ("results are rounded to {digits} significant figures, and a line that uses one carries the further "
           "figures its own result needs.")
#: What the document says of the given values: exact as printed, or rounded to :data:`GIVEN_FIGURES`.
GIVEN = {True: "Given values are exact as printed; ",
         False: f"Given values are printed to at most {GIVEN_FIGURES} significant figures; "}


def rounded(value: float, digits: int) -> float:
    """``value`` as :func:`number_latex` prints it to ``digits`` significant digits."""
    return float(f"{value:.{digits}g}")


def fewest_digits(digits: int, agrees: Callable[[int], bool]) -> int:
    """The fewest significant digits, from ``digits`` to :data:`MORE_DIGITS` more, for which ``agrees``: a line's
    operands printed so that a student redoing it gets its result as printed (a small difference of rounded numbers
    may not); ``digits`` where none does."""
    return next((more for more in range(digits, digits + MORE_DIGITS + 1) if agrees(more)), digits)


def reproducing(numbers: Sequence[ValuePrinter], expr: sp.Basic, value: float) -> list[ValuePrinter]:
    """``numbers`` (one per example; more than one: their mean), printing their values with the fewest digits for
    which ``expr`` at each example's values as printed gives ``value`` as printed (to ``numbers``' digits)."""
    digits = numbers[0].digits
    wanted = number_latex(value, digits)
    operands = [s for s in expr.free_symbols if s in numbers[0].values and s not in numbers[0].given]  # (the line's
    # computed operands: a given value is exact as printed)

    def agrees(more: int) -> bool:
        try:
            got = [float(expr.xreplace({s: rounded(v, more) if s in operands else given_value(v)
                                        for s, v in p.values.items()})) for p in numbers]
        except (TypeError, ValueError):  # a function SymPy does not evaluate: the line as it is
            return more == digits
        return number_latex(sum(got) / len(got), digits) == wanted

    more = fewest_digits(digits, agrees)
    return list(numbers) if more == digits else [ValuePrinter(p, p.values, more, p.given) for p in numbers]


def counted(count: int, noun: str, one: str = "1") -> str:
    """``1 example``, ``2 examples``: a count and its noun, singular or plural; ``one`` for a count of 1."""
    return f"{one} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True)
class Quantity:
    """A result a worked example prints, as data: what it is, of which symbol and of which example.

    Attributes:
        kind: ``value`` (a z, a or delta of one example), ``loss`` (c of one example), ``cost`` (C of the batch),
            ``gradient`` (dC/dp), ``updated`` (p - lr dC/dp), ``loss after`` and ``cost after`` (c and C at the
            updated parameters), ``change`` (the loss's change as the text states it: the difference of the two
            costs as printed there, to ``digits``).
        symbol: the z, a or delta (``value``), or the parameter (``gradient``, ``updated``); None otherwise.
        example: 0-based, for ``value``, ``loss`` and ``loss after``; None otherwise.
    """

    kind: str
    symbol: sp.Symbol | None = None
    example: int | None = None


@dataclass(frozen=True)
class Printed:
    """One number as a document prints it: the quantity, its significant digits, and its text (LaTeX, as
    :func:`number_latex` writes it)."""

    quantity: Quantity
    digits: int
    text: str


def printed(quantity: Quantity, value: float, digits: int, parenthesize: bool = False) -> Printed:
    """``value`` of ``quantity`` printed to ``digits`` significant digits, and the record of it."""
    return Printed(quantity, digits, number_latex(value, digits, parenthesize))


@dataclass(frozen=True)
class Line:
    """One displayed equation: lhs relation [derived =] formula = formula with numbers = value (formula parts may be
    empty).

    Attributes:
        relation: LaTeX between the lhs and the first part: ``=``, or ``\\leftarrow`` for an update.
        inline: all parts on one row, joined by ``=``; otherwise each part on a row of its own.
        numbers: the results the line prints (not what is given): the last its value, the others among its
            numbers.
        derived: the derivation's steps that lead to the formula (an error term's chain rule, and what it gives
            before it is simplified: :func:`derived`), shown first; derived_notes: the note of each (or "").
        identities: equalities the line displays beside the derivation's steps (a step the example works out
            itself), each checked by ``--verify``.
        note: why the formula follows from the rows before it (LaTeX: since σ'(z) = a (1 - a)), set
            after the formula's row, or on a row of its own below it where both do not fit; or none.
    """

    lhs: str
    formula: str
    substituted: str
    value: str
    relation: str = "="
    inline: bool = False
    numbers: tuple[Printed, ...] = ()
    derived: tuple[str, ...] = ()
    note: str = ""
    derived_notes: tuple[str, ...] = ()
    identities: tuple[tuple[sp.Expr, sp.Expr], ...] = ()

    @property
    def parts(self) -> tuple[str, ...]:
        """The right-hand sides to show, in order: empty ones and repeats left out."""
        parts: list[str] = []
        for part in (*self.derived, self.formula, self.substituted, self.value):
            if part and (not parts or parts[-1] != part):
                parts.append(part)
        return tuple(parts)

    @property
    def notes(self) -> dict[str, str]:
        """Each part's note: the derived rows' and the formula's."""
        return dict(zip(self.derived, self.derived_notes)) | ({self.formula: self.note} if self.note else {})

    @property
    def rows(self) -> tuple[tuple[str, str, str], ...]:
        """(lhs, relation, rhs) rows of an aligned display: later parts continue under the first with ``=``; a part
        too wide for the page (a sum over ten inputs) broken across rows, each after the first indented."""
        if self.inline:
            return ((self.lhs, self.relation, " = ".join(self.parts)),)
        rows: list[tuple[str, str, str]] = []
        room = max(LINE_WIDTH - visual_width(self.lhs) - 2.0, LINE_WIDTH / 2)  # (a wide lhs: still half a page)
        for i, part in enumerate(self.parts):
            first, *rest = break_formula(part, room, room - 2.0) if formula_width(part) > room else [part]
            rows.append((self.lhs, self.relation, first) if i == 0 else ("", "=", first))
            rows += [("", "", rf"\quad {piece}") for piece in rest]
            why = self.notes.get(part, "")
            if why:
                beside = not rest and formula_width(first) + note_room(why) <= room
                rows[-1:] = [(*rows[-1][:2], rf"{rows[-1][2]} \qquad {why}")] if beside else \
                    [rows[-1], ("", "", rf"\qquad {why}")]
        return tuple(rows)


@dataclass(frozen=True)
class Block:
    """A titled group of equations, and a paragraph after them (plain text with ``$...$`` math) or none; ``numbers``
    are the results the paragraph prints."""

    title: str
    lines: tuple[Line, ...]
    text: str = ""
    numbers: tuple[Printed, ...] = ()

    @property
    def rows(self) -> tuple[tuple[str, str, str], ...]:
        """(lhs, relation, rhs) rows of an aligned display, line after line."""
        return tuple(row for line in self.lines for row in line.rows)


class ValuePrinter(NotationPrinter):
    """The notation printer with every symbol of ``values`` printed as its number (those ``given`` as given, the
    others to ``digits``) and products as a dot.

    :meth:`marked` leaves negative numbers marked, for text still to be joined; :meth:`doprint` brackets them
    (:func:`bracket_negatives`).
    """

    def __init__(self, printer: NotationPrinter, values: Mapping[sp.Basic, float], digits: int,
                 given: frozenset[sp.Basic] = frozenset()) -> None:
        super().__init__(printer.notation, printer.network, indicator=printer.indicator, named=printer.named,
                         per_layer=printer.per_layer)
        self.values, self.digits, self.given = values, digits, given
        self._settings["mul_symbol_latex"] = r" \cdot "

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr in self.values:
            value = self.values[expr]
            text = given_latex(value) if expr in self.given else number_latex(value, self.digits)
            return rf"\negative{{{text}}}" if text.startswith("-") else text
        return super()._print_Symbol(expr, style)

    def marked(self, expr: sp.Basic) -> str:
        return super().doprint(expr)

    def doprint(self, expr: Any) -> str:
        return bracket_negatives(self.marked(expr))


#: A negative number in printed text, its brackets decided by :func:`bracket_negatives`; one level of braces inside
#: (a power of ten, ``-1.1 \times 10^{-5}``).
_NEGATIVE = re.compile(r"\\negative\{((?:[^{}]|\{[^{}]*\})*)\}")


def bracket_negatives(latex: str) -> str:
    r"""Brackets around each marked negative number, except where it opens the text or a bracket or brace and
    is not the base of a power, as lecture notes write them: ``(-0.41 - 0.51)^{2}``, ``-0.44 \cdot (-1.85)``,
    ``\tanh(-0.167)``, but ``1 - (-0.92)^{2}`` and ``0.58 \cdot (-0.52)``."""
    def bracket(match: re.Match[str]) -> str:
        opens = match.start() == 0 or latex[match.start() - 1] in "({"
        power = latex.startswith("^", match.end())
        return match.group(1) if opens and not power else f"({match.group(1)})"

    return _NEGATIVE.sub(bracket, latex)


def example_labels(net: Architecture, notation: str = "nielsen", examples: int = 1) -> dict[str, Any]:
    r"""The LaTeX of every quantity of the worked example's JSON in ``notation``, under the same keys: the cost
    (``"loss"``, ``"loss_after"``), the layers' vectors (``"z1": "z^{1}"``), the error terms
    (``"delta1": "\delta^{1}"``), the gradients (``"W1": "\frac{\partial C}{\partial W^{1}}"``) and the
    parameters (``"W1": "W^{1}"``). A matrix the notation stores transposed (input-major's W) is labelled as the
    transpose, since the JSON holds it in the shape of ``net.parameters``. The error terms of a batch of
    ``examples`` are each example's own (:func:`per_example`)."""
    printer = NotationPrinter(get_notation(notation), net)
    own = per_example(printer) if examples > 1 else printer
    layers = range(1, net.depth + 1)
    parameters = {name: parameter_symbol(net, name) for name in net.parameters}
    cost = printer.doprint(COST)

    def vector(kind: str, layer: int, printer: NotationPrinter = printer) -> str:
        return printer.doprint(sp.MatrixSymbol(symbols.matrix(kind, layer), net.layers[layer], 1))

    return {
        "loss": cost,
        "forward": {symbols.matrix(kind, l): vector(kind, l) for l in layers for kind in ("z", "a")},
        "delta": {symbols.matrix("delta", l): vector("delta", l, own) for l in layers},
        "gradients": {name: gradient_label(printer, p) for name, p in parameters.items()},
        "updated": {name: printer.doprint(p) for name, p in parameters.items()},
        "loss_after": cost,
    }


def parameter_symbol(net: Architecture, name: str) -> sp.Basic:
    """A parameter as its JSON value stands for it: the shared bias's symbol (a number), else the matrix."""
    matrix = net.parameters[name]
    if net.bias == "shared" and kind_of(name) == "b":
        return matrix[0]
    return sp.MatrixSymbol(name, matrix.rows, matrix.cols)


def gradient_label(printer: NotationPrinter, parameter: sp.Basic) -> str:
    """dC/dp in the notation; its transpose where the notation stores p transposed, as the JSON does not."""
    gradient = partial(COST, parameter)
    transposed = isinstance(parameter, sp.MatrixSymbol) and printer.doprint(parameter) != printer.stored(parameter)
    return printer.doprint(sp.Transpose(gradient) if transposed else gradient)


def per_example(printer: NotationPrinter) -> NotationPrinter:
    """``printer`` writing the cost as one example's, :func:`cost_text`: an example's error terms, where the notation
    writes them as derivatives (goodfellow's ∂L(θ)_x/∂a), are not the batch cost's."""
    letters = MappingProxyType({**printer.notation.letters, "cost": cost_text(printer)})
    return printer.with_notation(replace(printer.notation, letters=letters))


def one_example(printer: NotationPrinter) -> NotationPrinter:
    """``printer`` writing the cost of a batch of one example as that example's loss (bishop's E_n, not E)."""
    letters = MappingProxyType({**printer.notation.letters, "total_cost": printer.doprint(sp.Symbol("c"))})
    return printer.with_notation(replace(printer.notation, letters=letters))


def cost_text(printer: NotationPrinter) -> str:
    """The per-example cost c; C_x where the notation writes c and C alike (Nielsen)."""
    per_example, total = printer.doprint(sp.Symbol("c")), printer.doprint(COST)
    return per_example if per_example != total else f"{total}_{{x}}"


def cost_line(printer: NotationPrinter, losses: np.ndarray, value: float, digits: int, after: bool = False) -> Line:
    """C = (1/m) sum_x c = (1/m)(c_1 + ... + c_m) = value, each c with the digits that give the value; ``after``:
    the cost at the updated parameters."""
    more = fewest_digits(digits, lambda more: number_latex(sum(rounded(float(c), more) for c in losses) / len(losses),
                                                           digits) == number_latex(value, digits))
    loss, cost = ("loss after", "cost after") if after else ("loss", "cost")
    terms = [printed(Quantity(loss, example=i), float(c), more, parenthesize=True) for i, c in enumerate(losses)]
    total = printed(Quantity(cost), value, digits)
    return Line(printer.doprint(COST), rf"\frac{{1}}{{m}}\sum_{{x}} {cost_text(printer)}",
                rf"\frac{{1}}{{{len(losses)}}}\left({' + '.join(term.text for term in terms)}\right)", total.text,
                numbers=(*terms, total))


def as_tuple(entries: list[str]) -> str:
    """``(x_1, x_2, x_3)``; past :data:`MOST` entries its first two, dots and its last, as a matrix's rows; one entry
    as it is, ``r = 0.2``."""
    return entries[0] if len(entries) == 1 else "(" + ", ".join(elided(entries, r"\ldots")) + ")"


def in_neuron_order(expr: sp.Expr) -> sp.Expr:
    """A weighted input's sum with its terms in the order of their neurons, w_{1,9} x_9 before w_{1,10} x_10
    (SymPy orders them as text; a bias unit's weight w_{j0} first), a bias last; any other expression as it is."""
    if not isinstance(expr, sp.Add):
        return expr

    def bias(term: sp.Basic) -> bool:
        return isinstance(term, sp.Symbol) and symbols.kind_of(term.name) == "b"

    return sp.Add(*sorted(expr.args, key=lambda term: (bias(term), by_neuron(term))), evaluate=False)


def in_seed_order(expr: sp.Basic, source_first: bool) -> list[sp.Basic] | None:
    """A weight's gradient, an error term times its source, as factors in the order the notation's seed writes them
    (``a δ`` where ``source_first``, ``δ a`` otherwise), in every layer alike; None for any other expression."""
    if not isinstance(expr, sp.Mul):
        return None
    deltas = [f for f in expr.args if (info := symbols.describe(getattr(f, "name", ""))) and info.kind == "delta"]
    if len(deltas) != 1:
        return None
    rest = [f for f in expr.args if f is not deltas[0]]
    return [*rest, *deltas] if source_first else [*deltas, *rest]


def ordered(expr: sp.Basic, factors: list[sp.Basic] | None, show: Callable[[sp.Basic], str], times: str) -> str:
    """``expr`` printed by ``show``, as the product of ``factors`` in their order where there are any
    (:func:`in_seed_order`)."""
    return show(expr) if factors is None else product(factors, show, times)


def update_digits(old: float, gradient: float, new: float, lr: float, digits: int) -> int:
    """The digits of an update's gradient with which ``old - lr * gradient`` (``old`` given, as printed) gives
    ``new`` as printed."""
    return fewest_digits(digits, lambda more: number_latex(given_value(old) - lr * rounded(gradient, more), digits)
                         == number_latex(new, digits))
