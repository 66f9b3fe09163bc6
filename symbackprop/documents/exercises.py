"""Exercises: problem statements and their solutions as two documents, laid out as seed 001.

The set-up states the network in general (``a_j = g_ℓ(z_j)``, the weighted input, the cost as a mean, the error
term); (a) asks for the error terms (the output layer and the recursion), (b) for the parameter gradients, (c) for
the vector form, all for any activations g_ℓ and any cost c, as :mod:`.exercise_general` takes them from the
derivation of the same architecture with generic activations and loss; the solutions are that derivation's
arguments, and "for this network" the concrete one's. (d), for nets small enough to work by hand, asks for
numbers: the gradient of every weight and bias of this network at a point whose values ``seed`` draws; they come
from substituting the point into the engine's gradients. The point is redrawn from the seed until no two rows or
columns of any answer (a gradient, a delta vector) are equal, so that a student who swaps indices gets different
numbers.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import sympy as sp

from ..derive.derivation import Derivation
from ..derive.truth import VerificationError, World
from ..errors import SymbackpropError
from ..model import symbols
from ..model.architecture import Architecture
from ..model.losses import LABEL
from ..notation.display import Display, Line
from ..notation.matrices import bracketed
from ..notation.printer import INDICATOR_LATEX, NotationPrinter
from .exercise_general import generic_derivation, problem_blocks, setup_blocks, solution_blocks
from .model import Document, figure_note
from .options import DocumentOptions
from .sections import Block, Section, display, text
from .words import describe

#: The parts asked of every network, and their titles.
PARTS = (("a", "The error terms"), ("b", "The gradients"), ("c", "Vector form"))
#: The numeric part is asked only of nets with at most this many parameters.
NUMERIC_LIMIT = 32  # seed 001's 3-4-2 network (26) and seed 002's 3-3-3-2 (32) among them
DIGITS = 4


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
    values = _forward(network, point)
    for layer in range(network.depth, 0, -1):
        column = derivation.deltas[symbols.matrix("delta", layer)].xreplace(values)
        values.update(zip(network.delta(layer), (sp.N(v, 30) for v in column)))
    matrices = {**derivation.gradients, **derivation.deltas}
    return {name: [[_number(sp.N(matrix[i, j].xreplace(values), 30)) for j in range(matrix.cols)]
                   for i in range(matrix.rows)] for name, matrix in matrices.items()}


def _forward(network: Architecture, point: dict[sp.Symbol, sp.Expr]) -> dict[sp.Basic, sp.Expr]:
    """``point`` with every weighted input and activation of the forward pass at it, at 30 digits."""
    values: dict[sp.Basic, sp.Expr] = dict(point)
    for layer in range(1, network.depth + 1):
        zs = [sp.N(network.pre_activation(layer, j).xreplace(values), 30) for j in range(network.layers[layer])]
        values.update(zip(network.z(layer), zs))
        values.update(zip(network.a(layer), (sp.N(a, 30) for a in network.activation(layer).apply(zs))))
    return values


def forward_answers(network: Architecture, point: dict[sp.Symbol, sp.Expr]) -> dict[str, list[list[str]]]:
    """Each layer's weighted inputs and activations at ``point`` as the solutions print them (``z1``, ``a1``...):
    the forward pass's working, which a student can check theirs against before the error terms."""
    values = _forward(network, point)
    return {name: [[_number(values[s])] for s in vector] for name, vector in _forward_vectors(network).items()}


def _forward_vectors(network: Architecture) -> dict[str, list[sp.Symbol]]:
    """Each layer's weighted inputs and activations, by the name the solutions print them under (``z1``, ``a1``)."""
    return {symbols.matrix(kind, layer): vector(layer) for layer in range(1, network.depth + 1)
            for kind, vector in (("z", network.z), ("a", network.a))}


def checked_answers(derivation: Derivation, seed: int) -> int:
    """The numeric part's answers, as printed (each weighted input and activation of the forward pass, each error
    term and each parameter's gradient), against the truth at the same point (found apart from the engine,
    :class:`~symbackprop.derive.truth.World`): how many were checked (none without a numeric part).

    Raises:
        VerificationError: an answer that is not the true gradient to :data:`DIGITS` decimals.
    """
    network = derivation.network
    if not has_numbers(network):
        return 0
    point = _point(derivation, seed)
    printed, world = answers(derivation, point), World(derivation, point)
    shown = {**network.parameters, **{symbols.matrix("delta", layer): sp.Matrix(network.delta(layer))
                                       for layer in range(1, network.depth + 1)}}
    forward = forward_answers(network, point)
    passed = {name: sp.Matrix(vector) for name, vector in _forward_vectors(network).items()}
    for said, truth, matrices in ((printed, world.truth, shown), (forward, world.values, passed)):
        for name, matrix in matrices.items():
            for i, j in ((i, j) for i in range(matrix.rows) for j in range(matrix.cols)):
                if said[name][i][j] != (true := _number(truth[matrix[i, j]])):
                    raise VerificationError(f"the numeric part's answer for {matrix[i, j]} is {said[name][i][j]}, "
                                            f"but the truth there is {true}")
    return sum(len(matrix) for matrix in (*shown.values(), *passed.values()))


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


def check_seed(network: Architecture, options: DocumentOptions, in_file: bool = False) -> None:
    """A seed asked for varies the numbers of the exercises' numeric part: refused where there is none to vary. The
    message names the option as it was given: ``--seed``, or a spec file's ``seed = 3`` (``in_file``).

    Raises:
        SymbackpropError: no exercises asked for, or a network without a numeric part.
    """
    seed = f"seed = {options.seed}" if in_file else "--seed"
    leave = f"leave {'seed' if in_file else '--seed'} out"
    if not options.exercise:
        add = "exercise = true (or --exercise)" if in_file else "--exercise"
        raise SymbackpropError(f"{seed} varies the numbers of the exercises' numeric part; add {add}")
    if has_numbers(network):
        return
    if network.generic:
        raise SymbackpropError(f"{seed} varies the numbers of the exercises' numeric part, and a network with a "
                               f"generic activation or cost has none; {leave}")
    raise SymbackpropError(f"{seed} varies the numbers of the exercises' numeric part, which only networks of at "
                           f"most {NUMERIC_LIMIT} parameters get (this one has {network.parameter_count}); {leave}")


def has_numbers(network: Architecture) -> bool:
    """Whether the exercises get a numeric part: a network small enough, with a concrete activation and cost (a
    generic one has no numbers)."""
    return network.parameter_count <= NUMERIC_LIMIT and not network.generic


def _numeric(derivation: Derivation, printer: NotationPrinter, seed: int) -> tuple[tuple[Block, ...], Block] | None:
    """Part (d): this network at a point that ``seed`` draws, every weight and bias given a value (each layer's
    matrices written out, in the notation's orientation), and the gradient of every one of them as the answer:
    ``(what is asked, the answer)``; None for a net too large or generic."""
    network = derivation.network
    if not has_numbers(network):
        return None
    point = _point(derivation, seed)
    if network.loss.sparse:
        label = f"\\ell = {point[LABEL]}"
    else:
        label = _values_line(list(network.targets), point, printer)
    cost = printer.cost_letter()
    inputs = _values_line(network.inputs_list(), point, printer)
    parameters = "weight" if network.bias == "none" else "weight and every bias"
    targets = "target" if network.loss.sparse or len(network.targets) == 1 else "targets"
    asked = (text(f"Take the inputs ${inputs}$, the {targets} ${label}$ and the parameters"),
             display(_parameters_display(network, point, printer)),
             text(f"Compute the partial derivative of ${cost}$ with respect to every {parameters} at this point, to "
                  f"{DIGITS} decimals."))  # (the network and its cost as the set-up states them)
    answered = _answer_display(network, answers(derivation, point), printer, forward_answers(network, point))
    return asked, display(answered)


def _parameters_display(network: Architecture, point: dict[sp.Symbol, sp.Expr], printer: NotationPrinter) -> Display:
    """Each layer's parameters at ``point``, written out as the notation stores them (input-major's W^(l) from the
    layer below, seed 003's v as a row), a layer's weights and biases on one line; a shared bias a number."""
    def given(name: str) -> list[list[str]]:
        matrix = network.parameters[name]
        return [[sp.latex(point[s]) for s in matrix.row(i)] for i in range(matrix.rows)]

    return Display(tuple(_layer_line(network, layer, lambda name: printer.stored(_parameter(network, name)), given,
                                     printer) for layer in range(1, network.depth + 1)), breakable=True)


def _answer_display(network: Architecture, printed: dict[str, list[list[str]]], printer: NotationPrinter,
                    forward: dict[str, list[list[str]]]) -> Display:
    """The forward pass layer by layer (each layer's weighted inputs and activations, ``forward``), then the answers
    from the output layer down, as backpropagation finds them: the layer's error terms (the working a student can
    check theirs against), then the gradients of its weights and biases, each a matrix in the notation's
    orientation, as the question gives the parameters; a page break may fall between lines."""
    def gradient(name: str) -> str:
        return printer.doprint(sp.Derivative(sp.Symbol("c"), _parameter(network, name), evaluate=False))

    def vector(kind: str, layer: int) -> str:
        return printer.doprint(sp.MatrixSymbol(symbols.matrix(kind, layer), network.layers[layer], 1))

    lines = [Line(vector("z", l), "=", rf"{bracketed(forward[symbols.matrix('z', l)])},\quad {vector('a', l)} = "
                                       rf"{bracketed(forward[symbols.matrix('a', l)])}")
             for l in range(1, network.depth + 1)]
    for layer in range(network.depth, 0, -1):
        delta = symbols.matrix("delta", layer)
        lines += [Line(printer.doprint(sp.MatrixSymbol(delta, network.layers[layer], 1)), "=",
                       bracketed(printed[delta])),
                  _layer_line(network, layer, gradient, printed.__getitem__, printer)]
    return Display(tuple(lines), breakable=True)


def _parameter(network: Architecture, name: str) -> sp.Basic:
    """A parameter as a whole: its matrix symbol, or the symbol of a layer's one shared bias."""
    matrix = network.parameters[name]
    return matrix[0] if symbols.kind_of(name) == "b" and matrix.shape == (1, 1) else sp.MatrixSymbol(name,
                                                                                                      *matrix.shape)


def _layer_line(network: Architecture, layer: int, label: Callable[[str], str],
                rows: Callable[[str], list[list[str]]], printer: NotationPrinter) -> Line:
    """``W = [...], b = [...]``: a layer's weights and biases (or what ``label`` names for each, of entries
    ``rows`` as the engine holds them) on one line, each written out in the notation's orientation."""
    said = [(label(name), _written_out(name, rows(name), printer))
            for name in (symbols.matrix(kind, layer) for kind in ("W", "b")) if name in network.parameters]
    return Line(said[0][0], "=", r",\quad ".join([said[0][1], *(f"{lhs} = {rhs}" for lhs, rhs in said[1:])]))


def _written_out(name: str, rows: list[list[str]], printer: NotationPrinter) -> str:
    """A parameter's matrix (or its gradient's) of entries ``rows`` as the engine holds them, written in the
    notation's orientation (input-major's W^(l) transposed); a layer's one shared bias a number."""
    if symbols.kind_of(name) == "W" and printer.notation.weights_transposed:
        rows = [list(column) for column in zip(*rows, strict=True)]
    if symbols.kind_of(name) == "b" and len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return bracketed(rows)


def exercise_documents(
    derivation: Derivation, options: DocumentOptions, indicator: str = INDICATOR_LATEX
) -> tuple[Document, Document]:
    """``(problems, solutions)`` for ``derivation`` in ``options``' notation: (a) to (c) for any activations and
    any cost, from the derivation of the same architecture with generic activations and loss
    (:mod:`.exercise_general`); (d) for this network."""
    network = derivation.network
    generic = generic_derivation(network)
    notation, width = options.notation_preset, options.line_width
    printers = (NotationPrinter(notation, generic.network, indicator=indicator, width=width,
                                per_layer=network.hidden_differ),
                NotationPrinter(notation, network, indicator=indicator, width=width))
    p = options.label_prefix
    asked = problem_blocks(generic, printers[0])
    answered = solution_blocks(derivation, generic, printers, p)
    # (unnumbered, as the parts it sets up: (a), (b), ...)
    # seed 003's letters have no layer marks: a general layer's vector form cannot be written in them, and the seed
    # argues neuron by neuron
    parts = PARTS[:2] if notation.single else PARTS
    said = "(a) and (b)" if notation.single else "(a) to (c)"
    problems = [Section("Set-up", f"{p}ex:setup", setup_blocks(derivation, generic, printers[0], said),
                        numbered=False)]
    solutions: list[Section] = []
    for part, title in parts:
        problems.append(Section(f"({part}) {title}", f"{p}ex:{part}", asked[part], numbered=False))
        solutions.append(Section(f"({part}) {title}", f"{p}sol:{part}", answered[part], numbered=False))
    numeric = _numeric(derivation, printers[1], options.seed)
    if numeric is not None:
        last, (asked_numbers, answer) = "abcd"[len(parts)], numeric  # the part after the general ones
        problems.append(Section(f"({last}) Numbers", f"{p}ex:{last}", asked_numbers, numbered=False))
        found = text("At the point the question gives, the forward pass finds each layer's weighted inputs and "
                     "activations; backpropagation then finds, from the output layer down, each layer's error terms, "
                     "then the gradients of its parameters:")
        solutions.append(Section(f"({last}) Numbers", f"{p}sol:{last}", (found, answer), numbered=False))
    described = describe(network)
    subtitle = (f"{described[0].upper()}{described[1:]}", notation.heading)

    def document(kind: str, parts: list[Section]) -> Document:  # signed as the derivation is
        return Document(f"{kind}: backpropagation for a {network.spec} network", subtitle, tuple(parts), (),
                        options.headings, p, options.fragment, figure_note(options.formats), options.author,
                        date=options.date)

    return document("Exercises", problems), document("Solutions", solutions)
