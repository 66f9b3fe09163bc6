"""The appendix: each activation's derivative worked out line by line (seed 002 §6.1), from the model.

The lines are :func:`symbackprop.model.derivatives.worked`'s, each with the note for its rule: ``g(z) = ...`` from
the definition, then ``g'(z) = ...`` down to the textbook form the engine uses (the logistic sigmoid by the chain
rule, tanh by the quotient rule, the piecewise maps case by case). This module only lays them out: it prints each
line in the written order the model gave it. Softmax, a vector map, gets its Jacobian from
:func:`~symbackprop.model.activations.softmax_jacobian`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import sympy as sp

from ..model import symbols
from ..model.activations import (
    ACTIVATIONS,
    A,
    Activation,
    DerivativeStep,
    Z,
    derivative,
    get_activation,
    softmax_jacobian,
)
from ..model.architecture import Architecture
from ..model.derivatives import Worked, check, check_softmax, equal, softmax_entry, softmax_matrix, worked
from ..notation.display import Display, Line, chain, join_terms
from ..notation.printer import NotationPrinter
from .notes import note
from .routes import route
from .sections import Block, Section, display, text
from .summary import labels
from .words import activation_word

TITLES = {
    "sigmoid": "The logistic sigmoid", "tanh": "The hyperbolic tangent", "relu": "ReLU",
    "leaky_relu": "Leaky ReLU", "linear": "The identity", "softplus": "Softplus", "elu": "ELU",
    "silu": "SiLU (swish)", "gelu": "GELU", "softmax": "Softmax",
}


def appendix_sections(network: Architecture, printer: NotationPrinter, prefix: str,
                      names: Sequence[str] | None = None) -> list[Section]:
    """One appendix section holding a subsection per activation: those named in ``names`` (in the table's order;
    any of the table but the generic g), by default the distinct activations of ``network`` in layer order."""
    shown = _activations(network, names)
    if not shown:
        return []
    parts = []
    for act, layer in shown:
        blocks = _softmax_blocks(network, printer) if not act.elementwise else _derivative_blocks(act, layer, printer)
        parts.append(Section(TITLES.get(act.name, act.name), f"{prefix}sec:derivative-{act.name}", blocks))
    names = [activation_word(act.name, act.param) for act, _ in shown]
    named = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    intro = text(f"The derivative{'s' if len(names) > 1 else ''} of {named}, worked out step by step.")
    derivatives = Section("Derivatives of the activation functions", f"{prefix}sec:derivatives", (intro,),
                          tuple(parts))
    if route(printer.notation).appendix_titled:
        return [Section("Appendix", f"{prefix}sec:appendix", (), (derivatives,))]
    return [derivatives]


def proven(network: Architecture, names: Sequence[str] | None = None) -> int:
    """Prove every equality the appendix of :func:`appendix_sections` displays, each activation's worked
    derivative and the softmax's Jacobian (for the outputs it shows), and return how many.

    Raises:
        WorkedDerivativeError: a line SymPy does not prove equal to the one before.
    """
    return sum(check(worked(act)) if act.elementwise else check_softmax(_softmax_width(network))
               for act, _ in _activations(network, names))


def _softmax_width(network: Architecture) -> int:
    """The outputs the softmax's part shows: the network's, at least two (an appendix may show softmax for a
    network whose output has one neuron)."""
    return max(network.layers[-1], 2)


def _activations(network: Architecture, names: Sequence[str] | None) -> list[tuple[Activation, int | None]]:
    """The activations to work out, each with the first layer of ``network`` that has it (its parameter and its
    letter there), or ``None`` for one the network does not use. A name in ``names`` (``leaky_relu``) is the
    network's activation of that name where it has one; a name with its parameter (``leaky_relu(0.3)``) is that
    activation."""
    seen: dict[str, tuple[Activation, int]] = {}
    for layer, act in enumerate(network.activations, start=1):
        if not act.generic:  # g' is a symbol: nothing to work out
            seen.setdefault(act.label, (act, layer))
    if names is None:
        return list(seen.values())
    used: dict[str, tuple[Activation, int | None]] = {act.name: (act, layer) for act, layer in reversed(seen.values())}
    asked = {act.name: act for act in map(get_activation, names)}
    return [used[name] if name in used and asked[name] == ACTIVATIONS[name] else seen.get(asked[name].label,
            (asked[name], None)) for name in ACTIVATIONS if name in asked and not asked[name].generic]


class LinePrinter(NotationPrinter):
    """Prints a worked line as the model wrote it: sums and products built unevaluated in their written order (a sum
    SymPy built lists its positive terms first: e^z - e^-z, 1 - u), a derivative as ``d/dz (...)`` (one variable),
    ``1/(1 + e^{-u})`` left as it is (σ is named where a line means it)."""

    def __init__(self, printer: NotationPrinter, variable: str) -> None:
        super().__init__(printer.notation, printer.network, indicator=printer.indicator, sigma=False,
                         width=printer.width)
        self.variable = variable

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        return self.variable if expr == Z else super()._print_Symbol(expr, style=style)

    def terms(self, expr: sp.Basic) -> list[str]:
        """The printed terms of a sum, in the order :meth:`_print_Add` writes them; one term otherwise."""
        if not isinstance(expr, sp.Add):
            return [self.doprint(expr)]
        ordered = expr.args
        if sp.Add(*ordered).args == ordered:  # not written by hand: positive terms first, else SymPy's order
            ordered = tuple(sorted(ordered, key=lambda term: term.could_extract_minus_sign()))
        return [self.doprint(term) for term in ordered]

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        return join_terms(self.terms(expr))

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        inner = self._print(expr.expr)
        if not (isinstance(expr.expr, sp.Function) and len(expr.expr.args) == 1):
            inner = rf"\left({inner}\right)"
        return rf"\frac{{d}}{{d{self._print(expr.variables[0])}}} {inner}"

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not isinstance(expr, sp.Mul):  # SymPy prints a negative power (1/u) through here
            return super()._print_Mul(expr)
        written = sp.Mul(*expr.args).args != expr.args  # built unevaluated, in an order SymPy would change
        if not written and not any(isinstance(factor, sp.Derivative) for factor in expr.args):
            return super()._print_Mul(expr)  # SymPy's layout: negative powers as a fraction
        *above, below = expr.args
        if below.is_Pow and below.exp.is_negative and not any(factor.is_Pow or factor.is_Mul for factor in above):
            numerator = self._print(sp.Mul(*above, evaluate=False))  # z/√2 as written, not √2 z/2
            return rf"\frac{{{numerator}}}{{{self._print(sp.Pow(below.base, -below.exp, evaluate=False))}}}"
        parts = []
        for position, factor in enumerate(expr.args):
            if position == 0 and factor == -1:
                parts.append("-")
                continue
            factor_text = self._print(factor)
            if isinstance(factor, sp.Add) or (position and factor_text.lstrip().startswith("-")):
                factor_text = rf"\left({factor_text}\right)"
            parts.append(factor_text)
        return parts[0] + self.notation.times.join(parts[1:]) if parts[0] == "-" else self.notation.times.join(parts)


def _derivative_blocks(act: Activation, layer: int | None, printer: NotationPrinter) -> tuple[Block, ...]:
    """``g(z) = ...`` and ``g'(z) = ...``, line by line; a first line that only repeats ``g(z)`` is left out."""
    lines_of = worked(act)
    seed = route(printer.notation)
    z = seed.appendix_variable or printer.doprint(Z)
    shown = LinePrinter(printer, z)
    in_g = layer is None and seed.appendix_in_g and printer.network.depth > 1
    symbol = printer.function_symbol(act.name, 1 if in_g else layer)  # seed 002: g(z) = σ(z), for any activation
    rows = _rows(lines_of.function, shown, z)
    name_line = f"{act.latex}({z})"
    if rows[0][0] == [f"{symbol}({z})"]:
        rows.pop(0)
    elif symbol != act.latex and rows[0][0] != [name_line]:
        rows.insert(0, ([name_line], ""))
    lines = list(chain(f"{symbol}({z})", rows, printer.width).lines)
    derived = _rows(lines_of.derivative, shown, z)
    if seed.appendix_in_g and symbol != act.latex:  # seed 002's last line in the letter: g(z)(1 - g(z))
        last = _in_letter(lines_of.derivative[-1].expr, act, symbol)
        if last is not None:
            derived[-1] = (shown.terms(last), rf"\text{{in terms of }} {symbol}({z})")
    lines.extend(chain(f"{symbol}'({z})", derived, printer.width).lines)
    return (*_kink(lines_of, printer, z), display(Display(tuple(lines))), *_remarks(lines_of, symbol, printer, z))


def _rows(steps: Sequence[DerivativeStep], printer: LinePrinter, z: str) -> list[tuple[list[str], str]]:
    return [(printer.terms(step.expr), note(step.rule, step.activation, z)) for step in steps]


class _InLetter(sp.Function):
    """An activation at the variable written in the notation's letter for it, ``g(z)``, for printing only."""

    nargs = 1
    letter = "g"

    def _notation_latex(self, printer: NotationPrinter, exp: str | None = None) -> str:
        text = f"{self.letter}({printer._print(self.args[0])})"
        return f"({text})^{{{exp}}}" if exp is not None else text


def _in_letter(expr: sp.Basic, act: Activation, symbol: str) -> sp.Basic | None:
    """``expr``, the derivative's last line, with the activation at the variable written as ``symbol`` (seed 002's
    σ(z)(1 - σ(z)) as g(z)(1 - g(z)), the same line, g(z) = σ(z) being its first), in its written order; None where
    the line holds no function that is the activation itself (SiLU's z σ(z) keeps its σ)."""
    applied = {function for function in expr.atoms(sp.Function)
               if function.args == (Z,) and equal(function, act(Z), random.Random(0))}
    if len(applied) != 1:
        return None
    letter = type("in_letter", (_InLetter,), {"letter": symbol})
    with sp.evaluate(False):
        return expr.xreplace({applied.pop(): letter(Z)})


def _kink(lines_of: Worked, printer: NotationPrinter, z: str) -> list[Block]:
    """Where a piecewise map has no derivative, and which the lines below take there: said before them, as their
    first case includes the point."""
    if lines_of.kink is None:
        return []
    kink = printer.doprint(lines_of.kink)
    return [text(f"The function has no derivative at ${z} = {kink}$, where its cases meet; by the usual convention "
                 "the derivative there is that of the first case:")]


def _remarks(lines_of: Worked, symbol: str, printer: NotationPrinter, z: str) -> list[Block]:
    """What the derivative means for backpropagation (in the output a)."""
    engine = derivative(lines_of.activation)
    if not engine.in_output:
        return []
    a, in_output = printer.doprint(A), printer.doprint(engine.textbook)
    return [text(f"In terms of the neuron's output ${a} = {symbol}({z})$ this is ${in_output}$, the form "
                 "backpropagation uses.")]


class Written(sp.Symbol):
    """A symbol printed as its name, verbatim: a letter of the notation with its index (``\\hat{y}_{1}``), which
    the printer must not read as an engine symbol (bishop's output ``y_1`` is not the target)."""

    def _notation_latex(self, printer: NotationPrinter) -> str:
        return self.name


def _softmax_blocks(network: Architecture, printer: NotationPrinter) -> tuple[Block, ...]:
    """The softmax Jacobian entry by entry, in the notation's letters: its pre-activation (z, bishop's and
    goodfellow's a) and its output (a; bishop's y, goodfellow's ŷ), summed over an index that is not the
    notation's layer letter (goodfellow's layers are k: its seed sums over i')."""
    n = _softmax_width(network)
    raw, in_output, outputs = softmax_jacobian(n)
    notation = printer.notation
    output = printer.relabel(labels(notation, "a", network.depth, "L"))

    def entry(kind: str, index: int | str) -> Written:  # the output layer's, as the document writes it: a^L_1
        return Written(output.doprint(sp.Symbol(symbols.element(kind, network.depth, index), real=True)))

    zs = [entry("z", i) for i in range(1, n + 1)]
    a_s = [entry("a", i) for i in range(1, n + 1)]
    rename = dict(zip(sp.symbols(f"z1:{n + 1}", real=True), zs, strict=True)) | dict(zip(outputs, a_s, strict=True))
    raw_printer = NotationPrinter(notation, network, indicator=printer.indicator, sigma=False)
    a1, z1, z2 = a_s[0], zs[0], zs[1]
    k = "k" if notation.layer_letter != "k" else "i'"
    softmax = rf"\frac{{e^{{{printer.doprint(z1)}}}}}{{\sum_{{{k}=1}}^{{{n}}} e^{{{entry('z', k)}}}}}"
    lines = [Line(printer.doprint(a1), "=", softmax, r"\text{definition}")]
    for column, why in ((0, r"\text{same index}"), (1, r"\text{different indices}")):
        lhs = rf"\frac{{\partial {printer.doprint(a1)}}}{{\partial {printer.doprint([z1, z2][column])}}}"
        lines.append(Line(lhs, "=", raw_printer.doprint(raw[0, column].xreplace(rename)), why))
        lines.append(Line("", "=", printer.doprint(in_output[0, column].xreplace(rename)), r"\text{in the outputs}"))
    general = rf"\frac{{\partial {entry('a', 'i')}}}{{\partial {entry('z', 'j')}}}"
    rule = softmax_entry(entry("a", "i"), entry("a", "j"), Written(f"{printer.indicator}_{{i=j}}"))
    lines.append(Line(general, "=", printer.doprint(rule), r"\text{both cases}"))  # the rule check_softmax proves
    vector = sp.MatrixSymbol(symbols.matrix("a", network.depth), n, 1)
    matrix = output.doprint(softmax_matrix(vector))
    return (display(Display(tuple(lines))),
            text(f"In matrix form the Jacobian is ${matrix}$, with ${output.doprint(vector)}$ the output vector."))


def output_letter(printer: NotationPrinter) -> str:
    """The letter of the network's output: the notation's own (bishop's y, goodfellow's ŷ), else its activation
    letter (a; never its pre-activation letter, which bishop and goodfellow write a)."""
    return printer.notation.letter("out") or printer.notation.letter("a")

