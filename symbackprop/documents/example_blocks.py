"""The worked example (:mod:`.example`) as a document: titled blocks of lines in backprop's order, and the LaTeX or
Markdown its template makes of them.

:func:`render_example` writes the forward pass, the output layer's error terms and gradients, each layer below down
to the first, each update p <- p - eta dC/dp, and the loss after the step. Each quantity is its formula (an error
term's led by the derivation's chain rule), the formula with the numbers substituted, and the value. What is given
(parameters, inputs, targets) prints as given; a result prints to a fixed number of significant digits, trailing
zeros kept; a computed value that a later line uses carries there the fewest more digits that give that line's result
as printed (:data:`~.example_lines.CARRIED`). Sparse labels count from 0 in the data, the label ell from 1 in the
formulas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import sympy as sp

from ..derive.chain import partial
from ..errors import UnknownNameError
from ..model import symbols
from ..model.architecture import Architecture
from ..model.losses import LABEL
from ..notation.matrices import MOST, bracketed
from ..notation.presets import get_notation
from ..notation.printer import INDICATOR_LATEX, INDICATOR_MARKDOWN, NotationPrinter
from .example import WorkedExample
from .example_lines import (
    CARRIED,
    COST,
    GIVEN,
    Block,
    Line,
    Quantity,
    ValuePrinter,
    as_tuple,
    bracket_negatives,
    cost_line,
    counted,
    exact_as_printed,
    fewest_digits,
    given_latex,
    in_neuron_order,
    in_seed_order,
    number_latex,
    one_example,
    ordered,
    parameter_symbol,
    per_example,
    printed,
    reproducing,
    rounded,
    update_digits,
)
from .example_steps import Derived, derived, in_derivation_order
from .routes import route
from .words import BIAS_NAMES, describe


def render_example(example: WorkedExample, fmt: str = "md", notation: str = "nielsen", digits: int = 4,
                   context: Mapping[str, Any] | None = None) -> str:
    """The worked example as a LaTeX document (``fmt="tex"``) or Markdown (``"md"``), step by step, from
    ``context``, what :func:`example_context` gives the template (by default made here).

    Raises:
        UnknownNameError: an unknown format or notation.
    """
    from .render import environment

    context = example_context(example, fmt, notation, digits) if context is None else context
    return environment("latex" if fmt == "tex" else "markdown").get_template(f"example.{fmt}.j2").render(**context)


def example_context(example: WorkedExample, fmt: str = "md", notation: str = "nielsen", digits: int = 4
                    ) -> dict[str, Any]:
    """What the template of ``fmt`` receives: title, subtitle and blocks, each line's results kept as data (raises
    as :func:`render_example`)."""
    if fmt not in ("tex", "md"):
        raise UnknownNameError("example format", fmt, ("json", "md", "tex"))
    preset = get_notation(notation)  # each activation by its name: the numbers are this network's (tanh, not g_1)
    printer = NotationPrinter(preset, example.network, indicator=INDICATOR_LATEX if fmt == "tex" else
                              INDICATOR_MARKDOWN).with_names()
    blocks = build_blocks(example, printer, digits)
    net = example.network
    title = f"A worked example: one gradient-descent step on the {net.spec} network"
    described = describe(net)
    subtitle = (f"{described[0].upper()}{described[1:]}, with {BIAS_NAMES[net.bias]}; "
                f"{counted(example.examples, 'training example', 'one')}; learning rate {example.lr:g}; {preset.title}")
    return {"title": title, "subtitle": subtitle, "blocks": blocks, "loss": number_latex(example.loss, digits)}


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


#: Examples shown step by step; the rest enter the sums of the gradients only.
MAX_SHOWN = 3


def _line(printer: NotationPrinter, numbers: ValuePrinter, lhs: sp.Basic, rhs: sp.Basic, value: float,
          quantity: Quantity, steps: Derived | None = None) -> Line:
    """``lhs [= steps] = rhs [note] = rhs with numbers = value``, the numbers with the digits that give the value."""
    (shown,) = reproducing([numbers], rhs, value)
    result = printed(quantity, value, numbers.digits)
    steps = steps or Derived()
    return Line(printer.doprint(lhs), in_derivation_order(rhs, printer.doprint, printer.notation.times),
                bracket_negatives(in_derivation_order(rhs, shown.marked, r" \cdot ")), result.text, numbers=(result,),
                derived=steps.steps, note=steps.note, derived_notes=steps.notes, identities=steps.identities)


def _given(example: WorkedExample, printer: NotationPrinter, digits: int) -> Block:
    net, lines = example.network, []
    for name, matrix in net.parameters.items():
        values = np.atleast_2d(example.params[name])
        transposed = symbols.kind_of(name) == "W" and printer.notation.weights_transposed  # input-major's W^(l)
        entries = [[given_latex(v) for v in row] for row in (values.T if transposed else values)]
        lines.append(Line(printer.stored(sp.MatrixSymbol(name, matrix.rows, matrix.cols)), "", "",
                          bracketed(entries)))  # past six rows or columns its first two, dots and its last
    for i in range(example.examples):
        which = rf"\qquad \text{{example {i + 1}}}" if example.examples > 1 else ""  # which example of the batch
        lines.append(Line(as_tuple([printer.doprint(x) for x in net.inputs_list()]), "", "",
                          as_tuple([given_latex(v) for v in example.X[i]]) + which))
        if net.loss.sparse:
            lines.append(Line(r"\ell", "", "", str(int(example.Y[i]) + 1) + which))
        else:
            lines.append(Line(as_tuple([printer.doprint(y) for y in net.targets]), "", "",
                              as_tuple([given_latex(v) for v in example.Y[i]]) + which))
    wide = max(net.layers[0], net.layers[-1], *(max(shape) for shape in net.parameter_shapes.values())) > MOST
    elided = (f"A matrix of more than {MOST} rows or columns, or a list of more than {MOST} numbers, shows its first "
              "two and its last; the JSON (--format json) holds every number. ") if wide else ""
    title = "Parameters and the training example" + ("s" if example.examples > 1 else "")
    exact = exact_as_printed([*(v for p in example.params.values() for v in np.ravel(p)), *np.ravel(example.X),
                              *(() if net.loss.sparse else np.ravel(example.Y))])
    return Block(title, tuple(lines), elided + GIVEN[exact] + CARRIED.format(digits=digits))


def _of_example(example: WorkedExample, index: int) -> str:
    """``, example 2`` in a title where the batch has more than one example."""
    return f", example {index + 1}" if example.examples > 1 else ""


def _forward(example: WorkedExample, printer: NotationPrinter, numbers: ValuePrinter, index: int) -> Block:
    """The forward pass of example ``index``, layer 1 to L, and its loss c."""
    net, derivation = example.network, example.derivation
    equations = {eq.name: in_neuron_order(eq.rhs) for eq in derivation.forward}
    lines = [_line(printer, numbers, symbol, equations[symbol.name], numbers.values[symbol],
                   Quantity("value", symbol, index)) for l in range(1, net.depth + 1) for symbol in net.z(l) + net.a(l)]
    lines.append(_line(printer, numbers, sp.Symbol("c"), derivation.loss, float(example.losses[index]),
                       Quantity("loss", example=index)))
    return Block(f"Forward pass and loss{_of_example(example, index)}", tuple(lines))


def _cost_block(example: WorkedExample, printer: NotationPrinter, digits: int) -> Block:
    """The cost of a batch of more than one example, and which examples were shown."""
    m, shown = example.examples, min(example.examples, MAX_SHOWN)
    text = "" if shown == m else (f"The first {counted(shown, 'example')} of the {m} are shown step by step; "
                                  "every example enters the cost and the gradients.")
    return Block("The cost of the batch", (cost_line(printer, example.losses, example.loss, digits),), text)


def _layer_name(net: Architecture, layer: int, printer: NotationPrinter) -> str:
    """``output layer`` or ``hidden layer l``, numbered as the notation numbers it (ng's first hidden: 2)."""
    return "output layer" if layer == net.depth else f"hidden layer {printer.notation.bare_layer('z', layer)}"


def _layer_parameters(net: Architecture, layer: int) -> list[str]:
    """The names of the layer's parameters, weights first: ``["W2", "b2"]`` (no b for ``bias = none``)."""
    names = (symbols.matrix("W", layer), symbols.matrix("b", layer))
    return [name for name in names if name in net.parameters]


def _delta_lines(example: WorkedExample, printer: NotationPrinter, numbers: ValuePrinter, layer: int, index: int
                 ) -> tuple[Line, ...]:
    """delta of every neuron of the layer, in example ``index``: how the derivation finds it, then its numbers."""
    deltas = zip(example.network.delta(layer), example.derivation.deltas[symbols.matrix("delta", layer)])
    return tuple(_line(printer, numbers, symbol, expr, numbers.values[symbol], Quantity("value", symbol, index),
                       derived(example.derivation, symbol, expr, printer)) for symbol, expr in deltas)


def _gradient_lines(example: WorkedExample, printer: NotationPrinter, numbers: list[ValuePrinter], name: str,
                    digits: int) -> list[Line]:
    """dC/dp for every element p of the parameter ``name``: its formula, its numbers (for up to
    2 * MAX_SHOWN examples) and its value."""
    m, matrix = example.examples, example.network.parameters[name]
    mean = r"\frac{1}{m}\sum_{x} " if m > 1 else ""
    source_first = route(printer.notation).source_times_delta
    lines = []
    for position, (symbol, expr) in enumerate(zip(matrix, example.derivation.gradients[name])):
        factors = in_seed_order(expr, source_first)
        value = float(example.gradients[name].reshape(-1)[position])
        shown = [ordered(expr, factors, p.marked, r" \cdot ") for p in reproducing(numbers, expr, value)] \
            if m <= 2 * MAX_SHOWN else []
        substituted = (rf"\frac{{1}}{{{m}}}\left({' + '.join(shown)}\right)" if m > 1 else shown[0]) if shown else ""
        formula = ordered(expr, factors, printer.doprint, printer.notation.times)
        result = printed(Quantity("gradient", symbol), value, digits)
        lines.append(Line(printer.doprint(partial(COST, symbol)), mean + formula, bracket_negatives(substituted),
                          result.text, numbers=(result,)))
    return lines


def _backward(example: WorkedExample, printer: NotationPrinter, numbers: list[ValuePrinter], layer: int,
              digits: int) -> list[Block]:
    """One layer of the backward pass: its error terms (per example shown), then its weights' and biases'
    gradients."""
    net, names = example.network, _layer_parameters(example.network, layer)
    where = f"Backward pass, {_layer_name(net, layer, printer)}"
    of = "gradients of " + ", ".join(f"${printer.stored(parameter_symbol(net, name))}$" for name in names)
    if example.examples > 1:  # an example's error terms are its own cost's: goodfellow's ∂L(θ)_x/∂a, not ∂L(θ)/∂a
        printer = per_example(printer)
    delta = printer.doprint(sp.MatrixSymbol(symbols.matrix("delta", layer), net.layers[layer], 1))
    deltas = [_delta_lines(example, printer, values, layer, i) for i, values in enumerate(numbers[:MAX_SHOWN])]
    gradients = tuple(line for name in names for line in _gradient_lines(example, printer, numbers, name, digits))
    if example.examples == 1:
        return [Block(f"{where}: ${delta}$ and {of}", deltas[0] + gradients)]
    return [*(Block(f"{where}: ${delta}$ of example {i + 1}", lines) for i, lines in enumerate(deltas)),
            Block(f"{where}: {of}", gradients)]


def _step(example: WorkedExample, printer: NotationPrinter, digits: int) -> Block:
    """p <- p - eta dC/dp = numbers = value for every parameter, from the output layer down."""
    net, eta, rate = example.network, printer.doprint(sp.Symbol("eta")), given_latex(example.lr)
    lines = []
    for name in (name for layer in range(net.depth, 0, -1) for name in _layer_parameters(net, layer)):
        for position, symbol in enumerate(net.parameters[name]):
            old, gradient, new = (float(values[name].reshape(-1)[position])
                                  for values in (example.params, example.gradients, example.updated))
            parameter, more = printer.doprint(symbol), update_digits(old, gradient, new, example.lr, digits)
            step = printed(Quantity("gradient", symbol), gradient, more, parenthesize=True)
            result = printed(Quantity("updated", symbol), new, digits)
            lines.append(Line(parameter, rf"{parameter} - {eta}\, {printer.doprint(partial(COST, symbol))}",
                              rf"{given_latex(old)} - {rate} \cdot {step.text}", result.text,
                              relation=r"\leftarrow", inline=True, numbers=(step, result)))
    return Block(f"One gradient-descent step with learning rate {example.lr:g}", tuple(lines))


def _after(example: WorkedExample, printer: NotationPrinter, digits: int) -> Block:
    """The loss after the step (a second forward pass) against the loss before it, and which way it went."""
    cost, before, after = printer.doprint(COST), example.loss, example.loss_after
    lines = (cost_line(printer, example.losses_after, after, digits, after=True),) if example.examples > 1 else ()
    change = "went down" if after < before else "went up" if after > before else "did not change"
    # both losses with the digits that show the change, two of its digits right; the change the printed ones make
    more = fewest_digits(digits, lambda more: number_latex(abs(rounded(after, more) - rounded(before, more)), 2)
                         == number_latex(abs(after - before), 2))
    moved = (printed(Quantity("change"), abs(rounded(after, more) - rounded(before, more)), more),)
    shown = (printed(Quantity("cost after"), after, more), printed(Quantity("cost"), before, more)) + moved
    by = f" by ${moved[0].text}$" if after != before else ""
    text = (f"A forward pass with the updated parameters gives ${cost} = {shown[0].text}$, against "
            f"${cost} = {shown[1].text}$ before the step: the loss {change}{by}.")
    return Block("The loss after the step", lines, text, shown if after != before else shown[:2])


def build_blocks(example: WorkedExample, printer: NotationPrinter, digits: int) -> list[Block]:
    """Every block of the document, in backprop's order: what is given, the forward pass of each example shown,
    the cost of the batch, the backward pass from the output layer down to layer 1 (each layer's error terms,
    then its gradients), the gradient-descent step and the loss after it."""
    net, m = example.network, example.examples
    printer = one_example(printer) if m == 1 else printer  # the cost of one example is its loss: E_n, not E
    given = frozenset([*(p for matrix in net.parameters.values() for p in matrix), *net.inputs_list(),
                       *(y for y in net.targets if isinstance(y, sp.Symbol)), LABEL])
    numbers = [ValuePrinter(printer, symbol_values(example, i), digits, given) for i in range(min(m, 2 * MAX_SHOWN))]
    blocks = [_given(example, printer, digits)]
    blocks += [_forward(example, printer, numbers[i], i) for i in range(min(m, MAX_SHOWN))]
    if m > 1:
        blocks.append(_cost_block(example, printer, digits))
    for layer in range(net.depth, 0, -1):
        blocks += _backward(example, printer, numbers, layer, digits)
    return _natural_log(blocks + [_step(example, printer, digits), _after(example, printer, digits)])


#: Said once, after the first display that takes a log: the numbers check only with the natural logarithm.
NATURAL_LOG = r"Here $\log$ is the natural logarithm."


def _natural_log(blocks: list[Block]) -> list[Block]:
    """``blocks`` with :data:`NATURAL_LOG` after the first display that prints a log (a loss's, softplus's)."""
    for i, block in enumerate(blocks):
        if any(r"\log" in rhs for _, _, rhs in block.rows):
            return [*blocks[:i], replace(block, text=" ".join(filter(None, (block.text, NATURAL_LOG)))),
                    *blocks[i + 1:]]
    return blocks
