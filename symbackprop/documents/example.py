"""Worked numeric examples: the derivation's formulas with numbers in them, as lecture notes print them.

:func:`worked_example` derives the network once, evaluates its scalar form (every element expression of that
derivation, generated as a function) on given parameters and examples and keeps every value
(:meth:`~symbackprop.codegen.compile.CompiledGradient.trace`): forward z and a, the loss, delta per layer, the
gradients of C = (1/m) sum c and the parameters after one gradient-descent step p - lr dC/dp. The documents show
the formulas of the same derivation.

:func:`example_json` gives the documented schema::

    {"loss": C, "forward": {"z1": [[...], ...], "a1": ..., ...}, "delta": {"delta1": ..., ...},
     "gradients": {"W1": [[...]], "b1": [...], ...}, "updated": {"W1": ..., "b1": ..., ...}}

forward values and deltas with one row per example (deltas are dc/dz of each example, not divided by m),
gradients and updated parameters in the shapes of ``net.parameters`` with b flat (a number for a shared bias),
as in the parameter files. :func:`render_example` writes LaTeX or Markdown in which each quantity is shown as
its formula, the formula with the numbers substituted, and the value. Sparse labels count from 0 in the data
and the label ell counts from 1 in the formulas, as in the derivation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..codegen.compile import SCALAR_MAX_PARAMETERS, Trace, compile_network
from ..derive.chain import partial
from ..derive.derivation import Derivation
from ..derive.engine import derive
from ..errors import DataError, SizeLimitError, UnknownNameError
from ..model import symbols
from ..model.architecture import Architecture
from ..model.losses import LABEL
from ..model.params import check_batch_shapes, check_parameter_shapes, check_target_values, parameters_to_data
from ..notation.presets import get_notation
from ..notation.printer import INDICATOR_LATEX, INDICATOR_MARKDOWN, NotationPrinter


@dataclass(frozen=True)
class WorkedExample:
    """Every number of one gradient-descent step on a batch.

    Attributes:
        network: the architecture.
        params: the parameters, in the shapes of ``net.parameters``.
        X: (m, n_0) inputs; Y: the targets as given ((m, n_L), or (m,) labels from 0).
        lr: the learning rate.
        derivation: the element-form derivation whose formulas were evaluated.
        trace: every value of the evaluation: x, y (one-hot rows for labels), z, a and delta per layer.
        losses: c of each example; loss: C = mean of c.
        gradients: dC/dp in the shapes of ``net.parameters``; updated: p - lr dC/dp.
    """

    network: Architecture
    params: Mapping[str, np.ndarray]
    X: np.ndarray
    Y: np.ndarray
    lr: float
    derivation: Derivation
    trace: Trace
    losses: np.ndarray
    loss: float
    gradients: Mapping[str, np.ndarray]
    updated: Mapping[str, np.ndarray]

    @property
    def examples(self) -> int:
        return int(self.X.shape[0])

    def layer_values(self, kind: str, layer: int) -> np.ndarray:
        """(m, n_l) values of ``z``, ``a`` or ``delta`` of one layer."""
        return np.asarray({"z": self.trace.z, "a": self.trace.a, "delta": self.trace.delta}[kind][layer])


def check_example_size(net: Architecture) -> None:
    """Refuse a network too large for a worked example, before any number is drawn or computed.

    Raises:
        SpecError: a generic network (no numbers to compute).
        SizeLimitError: more than :data:`~symbackprop.compile.SCALAR_MAX_PARAMETERS` parameters.
    """
    net.check_concrete("a worked example")
    if net.parameter_count > SCALAR_MAX_PARAMETERS:
        raise SizeLimitError(f"worked examples print every element and are limited to {SCALAR_MAX_PARAMETERS} "
                             f"parameters; {net.spec} has {net.parameter_count:,}")


def _check_learning_rate(lr: Any) -> float:
    """``lr`` as a float, if it is a finite number > 0.

    Raises:
        DataError: anything else (nan, inf, 0, negative), naming what was given.
    """
    try:
        value = float(lr)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise DataError(f"learning rate must be a finite number > 0, got {lr}")
    return value


def _check_finite(net: Architecture, example: WorkedExample) -> None:
    """Raise on the first quantity, in the order of the computation, that is not a finite number."""
    layers = range(1, net.depth + 1)
    quantities: list[tuple[str, str, np.ndarray]] = []
    quantities += [("forward value", symbols.matrix(kind, l), example.layer_values(kind, l))
                   for l in layers for kind in "za"]
    quantities += [("per-example loss", "c", example.losses), ("loss", "C", np.asarray(example.loss))]
    quantities += [("error term", symbols.matrix("delta", l), example.layer_values("delta", l))
                   for l in reversed(layers)]
    quantities += [("gradient", f"dC/d{k}", v) for k, v in example.gradients.items()]
    quantities += [("updated parameter", k, v) for k, v in example.updated.items()]
    for kind, name, values in quantities:
        bad = values[~np.isfinite(values)]
        if bad.size:
            what = "is not a number (nan)" if np.isnan(bad[0]) else f"overflows to {bad[0]}"
            remedy = "a smaller learning rate" if kind == "updated parameter" else "smaller inputs or parameters"
            raise DataError(f"the {kind} {name} {what}; use {remedy}")


def worked_example(net: Architecture, params: Mapping[str, Any], X: Any, Y: Any, lr: float = 0.5) -> WorkedExample:
    """Evaluate the derived formulas on ``params`` and the batch (X, Y), and take one gradient-descent step.

    Raises:
        DataError: parameters, inputs or targets of the wrong shape or with invalid labels/targets; a learning
            rate that is not a finite number > 0; a value that overflows (names the first).
        SizeLimitError: a network too large for a worked example (:func:`check_example_size`).
    """
    check_example_size(net)
    lr = _check_learning_rate(lr)
    check_parameter_shapes(net, params, "params")
    check_batch_shapes(net, X, Y, "X, Y")
    check_target_values(net, np.asarray(Y), "Y")
    canonical = {k: np.asarray(params[k], dtype=np.float64).reshape(shape) for k, shape in net.parameter_shapes.items()}
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y)
    derivation = derive(net, forms=("element",), progress=False)
    grad = compile_network(net, "numpy", "scalar", derivation=derivation)
    with np.errstate(all="ignore"):  # overflow is reported below, by name, not as RuntimeWarnings
        trace = grad.trace(canonical, X, Y)
        gradients = {k: np.asarray(trace.gradients[k], dtype=np.float64) for k in net.parameter_shapes}
        updated = {k: canonical[k] - lr * gradients[k] for k in net.parameter_shapes}
    example = WorkedExample(net, canonical, X, Y, lr, derivation, trace, np.asarray(trace.losses),
                            float(trace.loss), gradients, updated)
    _check_finite(net, example)
    return example


def example_json(example: WorkedExample) -> dict[str, Any]:
    """The worked example in the documented JSON schema (see the module docstring)."""
    net = example.network
    layers = range(1, net.depth + 1)
    return {
        "loss": example.loss,
        "forward": {symbols.matrix(kind, l): example.layer_values(kind, l).tolist()
                    for l in layers for kind in ("z", "a")},
        "delta": {symbols.matrix("delta", l): example.layer_values("delta", l).tolist() for l in layers},
        "gradients": parameters_to_data(net, example.gradients),
        "updated": parameters_to_data(net, example.updated),
    }


# ------------------------------------------------------------------------------------------- rendering
_EXPONENT = re.compile(r"^(-?[0-9.]+)e([+-])0*([0-9]+)$")


def number_latex(value: float, digits: int = 4, parenthesize: bool = False) -> str:
    """``value`` to ``digits`` significant digits in LaTeX; negatives in brackets if ``parenthesize``."""
    text = f"{value:.{digits}g}"
    match = _EXPONENT.match(text)
    if match:
        mantissa, sign, power = match.groups()
        text = rf"{mantissa} \times 10^{{{'-' if sign == '-' else ''}{power}}}"
    if text == "-0":
        text = "0"
    return rf"\left({text}\right)" if parenthesize and text.startswith("-") else text


@dataclass(frozen=True)
class Line:
    """One displayed equation: lhs = formula = formula with numbers = value (formula parts may be empty)."""

    lhs: str
    formula: str
    substituted: str
    value: str

    @property
    def parts(self) -> tuple[str, ...]:
        """The right-hand sides to show, in order: empty ones and repeats left out."""
        parts: list[str] = []
        for part in (self.formula, self.substituted, self.value):
            if part and (not parts or parts[-1] != part):
                parts.append(part)
        return tuple(parts)


@dataclass(frozen=True)
class Block:
    """A titled group of equations."""

    title: str
    lines: tuple[Line, ...]

    @property
    def rows(self) -> tuple[tuple[str, str], ...]:
        """(lhs, rhs) rows of an aligned display: a line's later parts continue under its first."""
        return tuple((line.lhs if i == 0 else "", part) for line in self.lines for i, part in enumerate(line.parts))


def render_example(example: WorkedExample, fmt: str = "md", notation: str = "nielsen", digits: int = 4) -> str:
    """The worked example as a LaTeX document (``fmt="tex"``) or Markdown (``"md"``), step by step.

    Raises:
        UnknownNameError: an unknown format or notation.
    """
    from .render import environment

    if fmt not in ("tex", "md"):
        raise UnknownNameError("example format", fmt, ("json", "md", "tex"))
    kind = "latex" if fmt == "tex" else "markdown"
    printer = NotationPrinter(get_notation(notation), example.network,
                              indicator=INDICATOR_LATEX if fmt == "tex" else INDICATOR_MARKDOWN)
    blocks = build_blocks(example, printer, digits)
    title = f"A worked example: one gradient-descent step on the {example.network.spec} network"
    subtitle = (f"activations {', '.join(a.label for a in example.network.activations)}; loss "
                f"{example.network.loss.name}; bias {example.network.bias}; {example.examples} example(s); "
                f"learning rate {example.lr:g}")
    template = environment(kind).get_template(f"example.{fmt}.j2")
    return template.render(title=title, subtitle=subtitle, blocks=blocks, loss=number_latex(example.loss, digits))


def symbol_values(example: WorkedExample, index: int) -> dict[sp.Basic, float]:
    """Every symbol's value in example ``index`` (0-based): parameters, x, y (the indicators [ell = j] for labels),
    z, a, delta and the label ell."""
    net, trace = example.network, example.trace
    values: dict[sp.Basic, float] = {}
    for name, matrix in net.parameters.items():
        for position, symbol in enumerate(matrix):
            values[symbol] = float(example.params[name].reshape(-1)[position])
    rows = [(net.inputs_list(), trace.inputs), (list(net.targets), trace.targets)]
    for l in range(1, net.depth + 1):
        rows += [(net.z(l), trace.z[l]), (net.a(l), trace.a[l]), (net.delta(l), trace.delta[l])]
    for entries, array in rows:
        values.update(zip(entries, (float(v) for v in np.asarray(array)[index])))
    if net.loss.sparse:
        values[LABEL] = float(int(example.Y[index]) + 1)
    return values


class ValuePrinter(NotationPrinter):
    """The notation printer with every symbol of ``values`` printed as its number and products as a dot.

    :meth:`marked` leaves negative numbers marked, for text still to be joined; :meth:`doprint` brackets them
    (:func:`bracket_negatives`).
    """

    def __init__(self, printer: NotationPrinter, values: Mapping[sp.Basic, float], digits: int) -> None:
        super().__init__(printer.notation, printer.network, indicator=printer.indicator)
        self.values, self.digits = values, digits
        self._settings["mul_symbol_latex"] = r" \cdot "

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr in self.values:
            text = number_latex(self.values[expr], self.digits)
            return rf"\negative{{{text}}}" if text.startswith("-") else text
        return super()._print_Symbol(expr, style)

    def marked(self, expr: sp.Basic) -> str:
        return super().doprint(expr)

    def doprint(self, expr: Any) -> str:
        return bracket_negatives(self.marked(expr))


#: A negative number in printed text, its brackets decided by :func:`bracket_negatives`.
_NEGATIVE = re.compile(r"\\negative\{([^{}]*)\}")


def bracket_negatives(latex: str) -> str:
    r"""Brackets around each marked negative number, except where it opens the text or a bracket or brace and
    is not the base of a power, as lecture notes write them: ``(-0.41 - 0.51)^{2}``, ``-0.44 \cdot (-1.85)``,
    ``\tanh(-0.167)``, but ``1 - (-0.92)^{2}`` and ``0.58 \cdot (-0.52)``."""
    def bracket(match: re.Match[str]) -> str:
        opens = match.start() == 0 or latex[match.start() - 1] in "({"
        power = latex.startswith("^", match.end())
        return match.group(1) if opens and not power else f"({match.group(1)})"

    return _NEGATIVE.sub(bracket, latex)


#: Examples shown step by step; the rest enter the sums of the gradients only.
MAX_SHOWN = 3


def _line(printer: NotationPrinter, numbers: ValuePrinter, lhs: sp.Basic, rhs: sp.Basic, value: float) -> Line:
    return Line(printer.doprint(lhs), printer.doprint(rhs), numbers.doprint(rhs), number_latex(value, numbers.digits))


def _given(example: WorkedExample, printer: NotationPrinter, digits: int) -> Block:
    net, lines = example.network, []
    for name, matrix in net.parameters.items():
        rows = example.params[name]
        body = r" \\ ".join(" & ".join(number_latex(v, digits) for v in row) for row in rows)
        lines.append(Line(printer.doprint(sp.MatrixSymbol(name, matrix.rows, matrix.cols)), "", "",
                          rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"))
    for i in range(example.examples):
        xs = ", ".join(printer.doprint(x) for x in net.inputs_list())
        lines.append(Line(f"({xs})", "", "", "(" + ", ".join(number_latex(v, digits) for v in example.X[i]) + ")"))
        if net.loss.sparse:
            lines.append(Line(r"\ell", "", "", str(int(example.Y[i]) + 1)))
        else:
            ys = ", ".join(printer.doprint(y) for y in net.targets)
            lines.append(Line(f"({ys})", "", "", "(" + ", ".join(number_latex(v, digits) for v in example.Y[i]) + ")"))
    return Block("Parameters and examples", tuple(lines))


def _cost_text(printer: NotationPrinter) -> str:
    """The per-example cost c; C_x where the notation writes c and C alike (Nielsen)."""
    per_example, total = printer.doprint(sp.Symbol("c")), printer.doprint(sp.Symbol("C"))
    return per_example if per_example != total else f"{total}_{{x}}"


def _forward_and_backward(example: WorkedExample, printer: NotationPrinter, index: int, digits: int) -> list[Block]:
    net, derivation = example.network, example.derivation
    values = symbol_values(example, index)
    numbers = ValuePrinter(printer, values, digits)
    equations = {eq.name: eq.rhs for eq in derivation.forward}
    forward = []
    for l in range(1, net.depth + 1):
        for symbol in net.z(l) + net.a(l):
            forward.append(_line(printer, numbers, symbol, equations[symbol.name], values[symbol]))
    cost = _cost_text(printer)
    forward.append(Line(cost, printer.doprint(derivation.loss), numbers.doprint(derivation.loss),
                        number_latex(float(example.losses[index]), digits)))
    backward = []
    for l in range(net.depth, 0, -1):
        for symbol, expr in zip(net.delta(l), derivation.deltas[symbols.matrix("delta", l)]):
            backward.append(_line(printer, numbers, symbol, expr, values[symbol]))
    suffix = f", example {index + 1}" if example.examples > 1 else ""
    return [Block(f"Forward pass and loss{suffix}", tuple(forward)),
            Block(f"Backward pass: the error terms{suffix}", tuple(backward))]


def _gradients(example: WorkedExample, printer: NotationPrinter, digits: int) -> list[Block]:
    net, m, derivation = example.network, example.examples, example.derivation
    per_example = [ValuePrinter(printer, symbol_values(example, i), digits) for i in range(m)]
    mean = r"\frac{1}{m}\sum_{x} " if m > 1 else ""
    scale = rf"\frac{{1}}{{{m}}}" if m > 1 else ""
    cost = sp.Symbol("C")
    terms = " + ".join(number_latex(float(c), digits, parenthesize=True) for c in example.losses)
    gradients = [Line(printer.doprint(cost), rf"\frac{{1}}{{m}}\sum_{{x}} {_cost_text(printer)}",
                      rf"{scale}\left({terms}\right)", number_latex(example.loss, digits))] if m > 1 else []
    steps = []
    eta = number_latex(example.lr, digits)
    for name, matrix in net.parameters.items():
        for position, (symbol, expr) in enumerate(zip(matrix, derivation.gradients[name])):
            shown = [p.marked(expr) for p in per_example] if m <= 2 * MAX_SHOWN else []
            substituted = bracket_negatives(rf"{scale}\left({' + '.join(shown)}\right)" if m > 1 else shown[0]
                                            ) if shown else ""
            g = float(example.gradients[name].reshape(-1)[position])
            lhs = printer.doprint(partial(cost, symbol))
            gradients.append(Line(lhs, mean + printer.doprint(expr), substituted, number_latex(g, digits)))
            w = float(example.params[name].reshape(-1)[position])
            steps.append(Line(rf"{printer.doprint(symbol)} - \eta\, {lhs}", "", rf"{number_latex(w, digits)} - "
                              rf"{eta} \cdot {number_latex(g, digits, parenthesize=True)}",
                              number_latex(float(example.updated[name].reshape(-1)[position]), digits)))
    return [Block("The cost and its gradient", tuple(gradients)),
            Block(f"One gradient-descent step with learning rate {example.lr:g}", tuple(steps))]


def build_blocks(example: WorkedExample, printer: NotationPrinter, digits: int) -> list[Block]:
    """Every block of the document: what is given, forward and backward per example, gradients, the step."""
    blocks = [_given(example, printer, digits)]
    for index in range(min(example.examples, MAX_SHOWN)):
        blocks += _forward_and_backward(example, printer, index, digits)
    return blocks + _gradients(example, printer, digits)
