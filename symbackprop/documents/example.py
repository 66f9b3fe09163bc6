"""Worked numeric examples: the derivation's formulas with numbers in them, as lecture notes print them.

:func:`worked_example` derives the network once, evaluates its scalar form (every element expression of that
derivation, generated as a function) on given parameters and examples and keeps every value
(:meth:`~symbackprop.codegen.compile.CompiledGradient.trace`): forward z and a, the loss, delta per layer, the
gradients of C = (1/m) sum c, the parameters after one gradient-descent step p - lr dC/dp, and the trace of the
same function at the updated parameters (the loss after the step). The documents show the formulas of the same
derivation.

:func:`example_json` gives the documented schema::

    {"loss": C, "forward": {"z1": [[...], ...], "a1": ..., ...}, "delta": {"delta1": ..., ...},
     "gradients": {"W1": [[...]], "b1": [...], ...}, "updated": {"W1": ..., "b1": ..., ...},
     "loss_after": C after the step, "labels": {the same keys: LaTeX in a notation}}

forward values and deltas one row per example (dc/dz of each example, not divided by m), gradients and updated
parameters shaped as ``net.parameters``, b flat (a number for a shared bias), as in the parameter files.
:func:`render_example` writes LaTeX or Markdown in backprop's order: the forward pass, the output layer's error
terms and gradients, each layer below down to the first, each update p <- p - eta dC/dp, the loss after the step.
Each quantity is its formula (an error term's led by the derivation's chain rule), the formula with the numbers
substituted, and the value. Sparse labels count from 0 in the data, the label ell from 1 in the formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..codegen.compile import SCALAR_MAX_PARAMETERS, Trace, compile_network
from ..derive.chain import partial
from ..derive.derivation import Derivation
from ..derive.engine import derive
from ..errors import DataError, SizeLimitError, UnknownNameError, cut
from ..model import symbols
from ..model.architecture import Architecture
from ..model.losses import LABEL
from ..model.params import check_batch_shapes, check_parameter_shapes, check_target_values, parameters_to_data
from ..notation.matrices import MOST, bracketed
from ..notation.presets import get_notation
from ..notation.printer import INDICATOR_LATEX, INDICATOR_MARKDOWN, NotationPrinter
from .example_lines import (
    COST,
    Block,
    Derived,
    Line,
    Quantity,
    ValuePrinter,
    as_tuple,
    bracket_negatives,
    cost_line,
    counted,
    derived,
    example_labels,
    fewest_digits,
    in_neuron_order,
    in_seed_order,
    number_latex,
    ordered,
    parameter_symbol,
    per_example,
    printed,
    reproducing,
    rounded,
    update_digits,
)
from .example_zeros import with_exact_zeros
from .routes import route
from .words import BIAS_NAMES, describe


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
        gradients: dC/dp in the shapes of ``net.parameters``, 0 where the derivation proves it
            (:mod:`.example_zeros`), not the trace's rounding noise; updated: p - lr dC/dp.
        after: the trace of the same evaluation at the updated parameters (the forward pass after the step).
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
    after: Trace

    @property
    def examples(self) -> int:
        return int(self.X.shape[0])

    @property
    def losses_after(self) -> np.ndarray:
        """c of each example at the updated parameters."""
        return np.asarray(self.after.losses, dtype=np.float64)

    @property
    def loss_after(self) -> float:
        """C at the updated parameters: the loss after the step."""
        return float(self.after.loss)

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
        written, shown = isinstance(lr, str) and not lr.lstrip().startswith("-"), str(lr).strip() and cut(str(lr), 40)
        underflow = value == 0 and written and any(digit in lr for digit in "123456789")
        overflow = value == math.inf and written and not any(word in lr.lower() for word in ("inf", "nan"))
        raise DataError(f"learning rate must be a finite number > 0, got {shown or repr(lr)}"
                        + (" (below the smallest float, about 5e-324: 0)" if underflow else "")
                        + (" (above the largest float, about 1.8e308)" if overflow else ""))
    return value


def _check_finite(net: Architecture, example: WorkedExample) -> None:
    """Raise on the first quantity, in the order of the computation, that is not a finite number; from the loss on,
    where the loss takes the log of outputs the output activation can make 0 or negative, that (a SpecError)."""
    layers = range(1, net.depth + 1)
    quantities: list[tuple[str, str, np.ndarray]] = []
    quantities += [("forward value", symbols.matrix(kind, l), example.layer_values(kind, l))
                   for l in layers for kind in "za"]
    quantities += [("per-example loss", "c", example.losses), ("loss", "C", np.asarray(example.loss))]
    quantities += [("error term", symbols.matrix("delta", l), example.layer_values("delta", l))
                   for l in reversed(layers)]
    quantities += [("gradient", f"dC/d{k}", v) for k, v in example.gradients.items()]
    quantities += [("updated parameter", k, v) for k, v in example.updated.items()]
    quantities += [("loss after the step", "C", np.asarray(example.loss_after))]
    for kind, name, values in quantities:
        bad = values[~np.isfinite(values)]
        if bad.size:
            if kind != "forward value":  # a log of an output the loss is not defined at (bce after tanh): say so
                net.check_defined("a worked example")
            what = "is not a number (nan)" if np.isnan(bad[0]) else f"overflows to {bad[0]}"
            after = kind in ("updated parameter", "loss after the step")
            remedy = "a smaller learning rate" if after else "smaller inputs or parameters"
            raise DataError(f"the {kind} {name} {what}; use {remedy}")


def worked_example(net: Architecture, params: Mapping[str, Any], X: Any, Y: Any, lr: float | str = 0.5
                   ) -> WorkedExample:
    """Evaluate the derived formulas on ``params`` and the batch (X, Y), take one gradient-descent step, and
    evaluate them again at the updated parameters (the loss after the step).

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
        gradients = with_exact_zeros(derivation, {k: trace.gradients[k] for k in net.parameter_shapes})
        updated = {k: canonical[k] - lr * gradients[k] for k in net.parameter_shapes}
        after = grad.trace(updated, X, Y)
    example = WorkedExample(net, canonical, X, Y, lr, derivation, trace, np.asarray(trace.losses),
                            float(trace.loss), gradients, updated, after)
    _check_finite(net, example)
    return example


def example_json(example: WorkedExample, notation: str = "nielsen") -> dict[str, Any]:
    """The worked example in the documented JSON schema (see the module docstring), labelled in ``notation``.

    Raises:
        UnknownNameError: an unknown notation.
    """
    net = example.network
    layers = range(1, net.depth + 1)
    return {
        "loss": example.loss,
        "forward": {symbols.matrix(kind, l): example.layer_values(kind, l).tolist()
                    for l in layers for kind in ("z", "a")},
        "delta": {symbols.matrix("delta", l): example.layer_values("delta", l).tolist() for l in layers},
        "gradients": parameters_to_data(net, example.gradients),
        "updated": parameters_to_data(net, example.updated),
        "loss_after": example.loss_after,
        "labels": example_labels(net, notation, example.examples),
    }


# ------------------------------------------------------------------------------------------- rendering
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
                f"{counted(example.examples, 'example')}; learning rate {example.lr:g}; {preset.title}")
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
    return Line(printer.doprint(lhs), printer.doprint(rhs), shown.doprint(rhs), result.text, numbers=(result,),
                derived=steps.steps if steps else (), note=steps.note if steps else "")


def _given(example: WorkedExample, printer: NotationPrinter, digits: int) -> Block:
    net, lines = example.network, []
    for name, matrix in net.parameters.items():
        values = np.atleast_2d(example.params[name])
        transposed = symbols.kind_of(name) == "W" and printer.notation.weights_transposed  # input-major's W^(l)
        entries = [[number_latex(v, digits) for v in row] for row in (values.T if transposed else values)]
        lines.append(Line(printer.stored(sp.MatrixSymbol(name, matrix.rows, matrix.cols)), "", "",
                          bracketed(entries)))  # past six rows or columns its first two, dots and its last
    for i in range(example.examples):
        which = rf"\qquad \text{{example {i + 1}}}" if example.examples > 1 else ""  # which example of the batch
        lines.append(Line(as_tuple([printer.doprint(x) for x in net.inputs_list()]), "", "",
                          as_tuple([number_latex(v, digits) for v in example.X[i]]) + which))
        if net.loss.sparse:
            lines.append(Line(r"\ell", "", "", str(int(example.Y[i]) + 1) + which))
        else:
            lines.append(Line(as_tuple([printer.doprint(y) for y in net.targets]), "", "",
                              as_tuple([number_latex(v, digits) for v in example.Y[i]]) + which))
    wide = max(net.layers[0], net.layers[-1], *(max(shape) for shape in net.parameter_shapes.values())) > MOST
    return Block("Parameters and examples", tuple(lines),
                 f"A matrix of more than {MOST} rows or columns, or a list of more than {MOST} numbers, shows its "
                 "first two and its last; the JSON (--format json) holds every number." if wide else "")


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
    """``the output layer`` or ``hidden layer l``, numbered as the notation numbers it (ng's first hidden: 2)."""
    return "the output layer" if layer == net.depth else f"hidden layer {printer.notation.bare_layer('z', layer)}"


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
    of = "the gradients of " + ", ".join(f"${printer.stored(parameter_symbol(net, name))}$" for name in names)
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
    net, eta, rate = example.network, printer.doprint(sp.Symbol("eta")), number_latex(example.lr, digits)
    lines = []
    for name in (name for layer in range(net.depth, 0, -1) for name in _layer_parameters(net, layer)):
        for position, symbol in enumerate(net.parameters[name]):
            old, gradient, new = (float(values[name].reshape(-1)[position])
                                  for values in (example.params, example.gradients, example.updated))
            parameter, more = printer.doprint(symbol), update_digits(old, gradient, new, example.lr, digits)
            step = printed(Quantity("gradient", symbol), gradient, more, parenthesize=True)
            result = printed(Quantity("updated", symbol), new, digits)
            lines.append(Line(parameter, rf"{parameter} - {eta}\, {printer.doprint(partial(COST, symbol))}",
                              rf"{number_latex(old, more)} - {rate} \cdot {step.text}", result.text,
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
    numbers = [ValuePrinter(printer, symbol_values(example, i), digits) for i in range(min(m, 2 * MAX_SHOWN))]
    blocks = [_given(example, printer, digits)]
    blocks += [_forward(example, printer, numbers[i], i) for i in range(min(m, MAX_SHOWN))]
    if m > 1:
        blocks.append(_cost_block(example, printer, digits))
    for layer in range(net.depth, 0, -1):
        blocks += _backward(example, printer, numbers, layer, digits)
    return blocks + [_step(example, printer, digits), _after(example, printer, digits)]
