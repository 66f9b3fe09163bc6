"""Exercises: problem statements and their solutions as two documents, laid out as seed 001.

(a) asks for the error terms (the output layer and the recursion), (b) for the parameter gradients, (c) for the
vector form, and (d), for nets small enough to work by hand, for numbers: the gradients at a point whose values
``seed`` draws. The solutions are the engine's own steps; the numbers come from substituting the point into the
engine's gradients. The point is redrawn from the seed until no two rows or columns of any answer (a gradient, a
delta vector) are equal, so that a student who swaps indices gets different numbers.
"""

from __future__ import annotations

import random

import sympy as sp

from ..derive.derivation import Derivation
from ..model import symbols
from ..model.architecture import Architecture
from ..model.losses import LABEL
from ..notation.display import Display, Line
from ..notation.printer import INDICATOR_LATEX, NotationPrinter
from . import sections as sec
from .model import Document, describe, forward_blocks
from .options import DocumentOptions
from .sections import Block, Section, display, text
from .summary import bp_equations

#: The numeric part is asked only of nets with at most this many parameters.
NUMERIC_LIMIT = 24
DIGITS = 4


def _problem_equations(derivation: Derivation, printer: NotationPrinter) -> dict[str, Display]:
    """The results the problems ask to show, in general form."""
    network = derivation.network
    L = network.depth
    output = derivation.steps_of("element", symbols.element("delta", L, 1))
    general = sec.general_gradients(network, L, printer)
    parts = {"a": sec.quantity_display(output[-1:], printer)}
    if L > 1:
        parts["a2"] = sec.general_delta(network, L - 1, printer)
    parts["b"] = general
    bp = bp_equations(derivation, printer)
    parts["c"] = Display(tuple(Line(eq.lhs, "=", eq.final, rf"\text{{({eq.tag})}}") for eq in bp))
    return parts


#: Draws from the seed tried for a point at which every index mistake shows in the answers.
DRAWS = 64
_WEIGHTS = [sp.Rational(n, 10) for n in (-10, -5, -2, 2, 5, 10)]


def _inputs_pool(n: int) -> list[sp.Integer]:
    """At least ``n`` small integers other than 0 and 1 (an input of 1 would make a weight's gradient equal to its
    bias's): -2, -1, 2, 3, then -3, 4, ..."""
    k = max(2, (n + 2) // 2)
    return [sp.Integer(v) for v in range(-k, k + 2) if v not in (0, 1)]


def _targets_pool(n: int) -> list[sp.Rational]:
    """At least ``n`` distinct targets in [0, 1] (valid for every loss): 0 and 1, then 1/2, 1/3, 2/3, ..."""
    pool: list[sp.Rational] = []
    denominator = 1
    while len(pool) < max(n, 2):
        pool += [v for v in (sp.Rational(k, denominator) for k in range(denominator + 1)) if v not in pool]
        denominator += 1
    return pool


def _draw(network: Architecture, rng: random.Random) -> dict[sp.Symbol, sp.Expr]:
    """One point: distinct inputs, distinct targets (one-hot where the loss needs a distribution), weights."""
    point: dict[sp.Symbol, sp.Expr] = {}
    inputs = network.inputs_list()
    point.update(zip(inputs, rng.sample(_inputs_pool(len(inputs)), len(inputs))))
    for matrix in network.parameters.values():
        for symbol in matrix:
            point[symbol] = rng.choice(_WEIGHTS)
    n = network.layers[-1]
    if network.loss.sparse:
        point[LABEL] = sp.Integer(rng.randint(1, n))
    elif network.loss.targets_sum_to_one:  # one-hot: the derivation used sum y = 1, so the numbers must keep it
        hot = rng.randint(1, n)
        for j, symbol in enumerate(network.targets, start=1):
            point[symbol] = sp.Integer(int(j == hot))
    else:
        point.update(zip(network.targets, rng.sample(_targets_pool(n), n)))
    return point


def answers(derivation: Derivation, point: dict[sp.Symbol, sp.Expr]) -> dict[str, list[list[str]]]:
    """Every answer at ``point`` as the solutions print it (:data:`DIGITS` decimals): each gradient (``W1``,
    ``b1``...) and each delta vector (``delta1``...).

    The values are the engine's delta-form results evaluated layer by layer at 30 digits, forward then backward,
    which stays cheap where the closed form of a deep piecewise net takes seconds to evaluate.
    """
    network = derivation.network
    values: dict[sp.Basic, sp.Expr] = dict(point)
    for layer in range(1, network.depth + 1):
        zs = [sp.N(network.pre_activation(layer, j).xreplace(values), 30) for j in range(network.layers[layer])]
        values.update(zip(network.z(layer), zs))
        values.update(zip(network.a(layer), (sp.N(a, 30) for a in network.activation(layer).apply(zs))))
    for layer in range(network.depth, 0, -1):
        column = derivation.deltas[symbols.matrix("delta", layer)].xreplace(values)
        values.update(zip(network.delta(layer), (sp.N(v, 30) for v in column)))
    matrices = {**derivation.gradients, **derivation.deltas}
    return {name: [[_number(sp.N(matrix[i, j].xreplace(values), 30)) for j in range(matrix.cols)]
                   for i in range(matrix.rows)] for name, matrix in matrices.items()}


def collisions(matrix: list[list[str]]) -> int:
    """How many index mistakes would go unseen: pairs of equal rows, pairs of equal columns, and a square matrix
    equal to its transpose (swapped indices)."""
    columns = [list(column) for column in zip(*matrix)]
    count = sum(a == b for lines in (matrix, columns) for i, a in enumerate(lines) for b in lines[i + 1:])
    return count + (len(matrix) > 1 and matrix == columns)


def unseen_mistakes(network: Architecture, printed: dict[str, list[list[str]]]) -> int:
    """The :func:`collisions` of every answer matrix; with a bias vector also of ``[b | W]``, whose columns the
    bias-unit convention compares anyway (a weight's column equal to the bias's hides a forgotten ``a_k``)."""
    matrices = list(printed.values())
    if network.bias == "vector":
        matrices += [[b + w for b, w in zip(printed[symbols.matrix("b", l)], printed[symbols.matrix("W", l)],
                                            strict=True)]
                     for l in range(1, network.depth + 1)]
    return sum(collisions(matrix) for matrix in matrices)


def _point(derivation: Derivation, seed: int) -> dict[sp.Symbol, sp.Expr]:
    """Small exact values for the inputs, targets and parameters, drawn from ``seed`` until every answer matrix
    has distinct rows and distinct columns (and differs from its transpose), so that a swapped index shows
    (:func:`unseen_mistakes` is 0).

    At most :data:`DRAWS` draws; if none has every answer distinct, the first draw with the fewest coincidences
    is used (its inputs are still distinct, as in every draw).
    """
    rng = random.Random(seed)
    draws: list[tuple[int, dict[sp.Symbol, sp.Expr]]] = []
    for _ in range(DRAWS):
        point = _draw(derivation.network, rng)
        count = unseen_mistakes(derivation.network, answers(derivation, point))
        if count == 0:
            return point
        draws.append((count, point))
    return min(draws, key=lambda draw: draw[0])[1]


def _number(value: sp.Expr) -> str:
    text = f"{float(value):.{DIGITS}f}"
    return "0" if float(text) == 0 else text


def _values_line(symbols: list[sp.Symbol], point: dict[sp.Symbol, sp.Expr], printer: NotationPrinter) -> str:
    return ", ".join(f"{printer.doprint(s)} = {sp.latex(point[s])}" for s in symbols)


def _numeric(derivation: Derivation, printer: NotationPrinter, seed: int) -> tuple[Block, ...] | None:
    network = derivation.network
    if network.parameter_count > NUMERIC_LIMIT or network.generic:  # a generic network has no numbers
        return None
    point = _point(derivation, seed)
    params = [s for m in network.parameters.values() for s in m]
    given = [network.inputs_list(), params]
    if network.loss.sparse:
        label = f"\\ell = {point[LABEL]}"
    else:
        label = _values_line(list(network.targets), point, printer)
    statement = (f"Take ${_values_line(given[0], point, printer)}$, the target ${label}$ and the parameters "
                 f"${_values_line(given[1], point, printer)}$. Compute every gradient of the cost at this point, "
                 f"to {DIGITS} decimals.")
    printed = answers(derivation, point)
    lines = []
    for name, matrix in network.parameters.items():
        numbers = [number for row in printed[name] for number in row]
        for param, number in zip(matrix, numbers, strict=True):
            lhs = printer.doprint(sp.Derivative(sp.Symbol("c"), param, evaluate=False))
            lines.append(Line(lhs, "=", number))
    return (text(statement), display(Display(tuple(lines))))


def exercise_documents(
    derivation: Derivation, options: DocumentOptions, indicator: str = INDICATOR_LATEX
) -> tuple[Document, Document]:
    """``(problems, solutions)`` for ``derivation`` in ``options``' notation."""
    network = derivation.network
    printer = NotationPrinter(options.notation_preset, network, indicator=indicator, width=options.line_width)
    p = options.label_prefix
    parts = _problem_equations(derivation, printer)
    cost = printer.doprint(sp.Symbol("c"))
    problems: list[Section] = [Section("Set-up", f"{p}ex:setup", (
        text(f"In this problem you derive the gradient of the cost of {describe(network)} by backpropagation."),
        *forward_blocks(derivation, printer)))]
    statement_a = [text("Show that the error of the output layer is"), display(parts["a"])]
    if "a2" in parts:
        statement_a += [text("and that the error of a hidden layer follows from the next one's:"), display(parts["a2"])]
    problems.append(Section("(a) The error terms", f"{p}ex:a", tuple(statement_a)))
    problems.append(Section("(b) The gradients", f"{p}ex:b", (
        text(f"Show that the partial derivatives of ${cost}$ by the parameters are"), display(parts["b"]))))
    problems.append(Section("(c) Vector form", f"{p}ex:c", (
        text("Show that, layer by layer, these become"), display(parts["c"]))))
    numeric = _numeric(derivation, printer, options.seed)
    if numeric is not None:
        problems.append(Section("(d) Numbers", f"{p}ex:d", numeric[:1]))
    solutions = _solutions(derivation, printer, p, numeric)
    title = f"Exercises: backpropagation for a {network.spec} network"
    subtitle = f"{describe(network)}; {options.notation_preset.name} notation"
    return (Document(title, subtitle, tuple(problems), (), options.headings, p, options.fragment),
            Document(f"Solutions: backpropagation for a {network.spec} network", subtitle, tuple(solutions), (),
                     options.headings, p, options.fragment))


def _solutions(derivation: Derivation, printer: NotationPrinter, p: str,
               numeric: tuple[Block, ...] | None) -> list[Section]:
    network = derivation.network
    L = network.depth
    groups = sec.group(derivation.steps_of("element"))
    blocks_a: list[Block] = [text("By the chain rule, for the first output neuron (the others alike):"),
                             display(sec.quantity_display(groups[symbols.element("delta", L, 1)], printer))]
    if L > 1:
        blocks_a += [text("For a hidden neuron, every path through the next layer contributes:"),
                     display(sec.quantity_display(groups[symbols.element("delta", L - 1, 1)], printer))]
    first = [name for name, steps in groups.items() if steps[0].layer == L and symbols.kind_of(name) != "delta"]
    blocks_b = [text("A weight enters the cost only through the weighted input of its destination neuron:"),
                display(sec.stack(sec.quantity_display(groups[name], printer, pack=True) for name in first[:2]))]
    vector = sec.group(derivation.steps_of("vector"))
    transposed = printer.notation.weights_transposed
    shown = (symbols.matrix("delta", L), symbols.matrix("delta", L - 1), symbols.matrix("W", L), symbols.matrix("b", L))
    blocks_c = [display(sec.quantity_display(steps, printer, transpose=symbols.kind_of(name) == "W" and transposed))
                for name, steps in vector.items() if name in shown]
    solutions = [Section("(a) The error terms", f"{p}sol:a", tuple(blocks_a)),
                 Section("(b) The gradients", f"{p}sol:b", tuple(blocks_b)),
                 Section("(c) Vector form", f"{p}sol:c", tuple(blocks_c) or (text("See the vector form."),))]
    if numeric is not None:
        solutions.append(Section("(d) Numbers", f"{p}sol:d", numeric))
    return solutions
