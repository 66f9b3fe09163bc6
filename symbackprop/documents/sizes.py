"""The sizes the documents state, ``W^1 ∈ ℝ^{3×2}``, ``X ∈ ℝ^{n×m}``, ``ŷ ∈ ℝ^p``, as data: each is printed from a
:class:`Size` (:func:`space`), and ``--verify`` compares the same entry with the shape of its matrix in the
derivation's forward pass (:func:`verified`), in the notation's layout (input-major stores W source × destination).

A size is a number, or a letter the document defines beside it: :data:`FEATURES` (``n``, the inputs), :data:`OUTPUTS`
(``p``) and the batch's ``m`` (:data:`~symbackprop.derive.forms.M`, the derivation's own). The check puts in the
network's ``n`` and ``p``; ``m`` stays the letter the forward pass's batch matrices have.

A general layer's sizes, ``a^l`` ``(n_l × 1)``, ``W^l`` ``(n_l × n_{l-1})``, are :class:`General` entries in
:data:`LAYER` (the layer letter, l, ℓ, k, standing for the number the notation gives that kind's layer) and
:data:`WIDTH` (``n_q``: the neurons of the layer the notation numbers q, as it numbers the activations): ng's
``W^(l)`` is ``n_{l+1} × (n_l + 1)``, its bias unit's column with it. The check (:func:`general_verified`) puts in
every layer's number and widths, and compares with that layer's matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from ..derive.derivation import Derivation
from ..derive.forms import M, batch_form
from ..derive.truth import VerificationError
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.presets import Notation
from .routes import route

#: The letters a stated size may hold: the number of input features and of outputs.
FEATURES, OUTPUTS = sp.Symbol("n", integer=True, positive=True), sp.Symbol("p", integer=True, positive=True)
#: The name of the batch's ones vector ``1_m`` among the forward pass's matrices.
ONES = "ones"


@dataclass(frozen=True)
class Size:
    """A statement ``matrix ∈ ℝ^{rows × columns}``.

    Attributes:
        name: the engine's name of the matrix (``W1``, ``b1``, ``X``, ``Y``, ``a3``), or :data:`ONES`.
        rows: its rows as printed (a number, :data:`FEATURES`, :data:`OUTPUTS`, ``M``).
        columns: its columns.
        unit: whether one column is written ``× 1`` (the ones vector's ``m × 1``), not left out (``ℝ^3``).
    """

    name: str
    rows: sp.Expr
    columns: sp.Expr
    unit: bool = False


def space(size: Size) -> str:
    """``\\mathbb{R}^{3 \\times 2}`` for ``size``: ``ℝ^{3}`` for one column (unless written), ``ℝ`` for one entry."""
    if size.columns == 1 and not size.unit:
        return r"\mathbb{R}" if size.rows == 1 else rf"\mathbb{{R}}^{{{sp.latex(size.rows)}}}"
    return rf"\mathbb{{R}}^{{{times(size)}}}"


def times(size: Size) -> str:
    """``3 \\times 2``: ``size``'s rows by its columns."""
    return rf"{sp.latex(size.rows)} \times {sp.latex(size.columns)}"


def parameters(network: Architecture, notation: Notation) -> tuple[Size, ...]:
    """Each parameter's size, as the notation stores it (input-major's W source × destination)."""
    found = []
    for name, (rows, columns) in network.parameter_shapes.items():
        if notation.weights_transposed and symbols.kind_of(name) == "W":
            rows, columns = columns, rows
        found.append(Size(name, sp.Integer(rows), sp.Integer(columns)))
    return tuple(found)


def inputs(network: Architecture, general: bool) -> Size:
    """The input matrix, ``n × m`` (``general``: in seed 002's letter n) or ``3 × m``."""
    return Size(symbols.matrix("X"), FEATURES if general else sp.Integer(network.layers[0]), M)


def prediction(network: Architecture) -> Size:
    """The network's output, ``ŷ ∈ ℝ^p``."""
    return Size(symbols.matrix("a", network.depth), OUTPUTS, sp.Integer(1))


def onehot(network: Architecture, notation: Notation) -> Size:
    """The one-hot label matrix, ``p × m`` where the notation has a letter for the outputs' count."""
    rows = OUTPUTS if notation.output_count else sp.Integer(network.layers[-1])
    return Size(symbols.matrix("Y"), rows, M)


def ones() -> Size:
    """The batch's ones vector, ``m × 1``."""
    return Size(ONES, M, sp.Integer(1), unit=True)


def bias(network: Architecture, layer: int, size: sp.Expr) -> Size:
    """A layer's bias vector, of ``size`` entries as printed."""
    return Size(symbols.matrix("b", layer), size, sp.Integer(1))


def statements(network: Architecture, notation: Notation) -> tuple[Size, ...]:
    """Every size of this network the documents in ``notation`` can state (:func:`verified` checks them all)."""
    found = [*parameters(network, notation), inputs(network, True), inputs(network, False), prediction(network)]
    if network.loss.sparse:  # the one-hot matrix of the labels
        found.append(onehot(network, notation))
    if network.bias in ("vector", "shared"):
        found.append(ones())
    return tuple(found)


def shapes(derivation: Derivation) -> dict[str, tuple[sp.Expr, sp.Expr]]:
    """The shape of each matrix of the forward pass, one example's and the batch's (the batch form derived here if
    the derivation has none), by name; the ones vector as :data:`ONES`."""
    batch = derivation.batch or batch_form(derivation.network)[0]
    found: dict[str, tuple[sp.Expr, sp.Expr]] = {}
    exprs = [*batch.values(), *(side for eq in derivation.forward_vector for side in (eq.lhs, eq.rhs))]
    for expr in exprs:
        for matrix in sp.sympify(expr).atoms(sp.MatrixSymbol, sp.OneMatrix):
            if isinstance(matrix, sp.OneMatrix):
                if matrix.shape == (M, 1):  # the batch's (a shared bias has a layer's own, 1_n)
                    found[ONES] = matrix.shape
            else:
                found[matrix.name] = matrix.shape
    for inputs, below in (("X", "Abar"), ("x", "abar")):  # bias units: X (x) under the bias unit's row of ones
        augmented = found.get(symbols.matrix(below, 0))
        if symbols.matrix(inputs) not in found and augmented is not None:
            found[symbols.matrix(inputs)] = (augmented[0] - 1, augmented[1])
    return found


def verified(derivation: Derivation, notation: Notation) -> int:
    """Each of :func:`statements` against the shape of its matrix in ``derivation``'s forward pass (in
    ``notation``'s layout), its letters n and p the network's; the matrix BP4 writes out (:func:`written_out`); each
    general size at every layer (:func:`general_verified`): how many.

    Raises:
        VerificationError: a stated size that is not its matrix's, naming it and both shapes.
    """
    network = derivation.network
    actual, every = shapes(derivation), statements(network, notation)
    letters = {FEATURES: network.layers[0], OUTPUTS: network.layers[-1]}
    for size in every:
        shape = _stored(actual.get(size.name), symbols.kind_of(size.name), notation)
        stated = tuple(sp.sympify(part).xreplace(letters) for part in (size.rows, size.columns))
        if shape is None or stated != tuple(shape):
            raise VerificationError(f"the size {size.name} \\in {space(size)} is stated, but {size.name} is "
                                    f"{'not in the forward pass' if shape is None else ' x '.join(map(str, shape))}")
    return len(every) + _written_verified(derivation, notation) + general_verified(derivation, notation, actual)


def _written_verified(derivation: Derivation, notation: Notation) -> int:
    """:func:`written_out`, where the documents state it, against the matrix the derivation writes out (as the
    notation displays it, input-major's transposed): 1, or 0 where they do not state it."""
    size = written_out(derivation, notation)
    matrix = None if size is None else _written(derivation, size.name)
    if size is None or matrix is None:
        return 0
    shape = (matrix.cols, matrix.rows) if notation.weights_transposed else matrix.shape
    if (size.rows, size.columns) != shape:
        raise VerificationError(f"the gradient by {size.name} is stated to be written out as a {times(size)} matrix, "
                                f"but it is {' x '.join(map(str, shape))}")
    return 1


def written_out(derivation: Derivation, notation: Notation) -> Size | None:
    """BP4's gradient by the output layer's weights as seed 004 writes it out, "a 2 × 3 matrix": W^L's entry of
    :func:`parameters` (the gradient has its matrix's shape), where the derivation writes the matrix out; None where
    it does not, or the notation derives BP4 otherwise."""
    network = derivation.network
    name = symbols.matrix("W", network.depth)
    if not route(notation).general_vector or _written(derivation, name) is None:
        return None
    return next(size for size in parameters(network, notation) if size.name == name)


def _written(derivation: Derivation, name: str) -> sp.MatrixBase | None:
    """The first matrix written out entry by entry among the vector-form steps of ``name``'s gradient."""
    steps = derivation.steps_of("vector") if "vector" in derivation.forms else ()
    return next((step.result for step in steps if step.quantity == name and isinstance(step.result, sp.MatrixBase)),
                None)


#: A general layer's number as the notation prints it (l, ℓ, k), and ``n_q``, the neurons of the layer it numbers q.
LAYER, WIDTH = sp.Symbol("l", integer=True), sp.Function("n")
#: The quantities that are derivatives by a layer's vector, each by which: it has that vector's shape, and numbers
#: its layer as that vector does (where the notation does not number it itself).
BY = {"delta": "z", "grad_a": "a"}


@dataclass(frozen=True)
class General:
    """A general layer's statement ``W^l (n_l × n_{l-1})``: the size of ``kind``'s matrix at every layer.

    Attributes:
        kind: the engine's kind (``a``, ``z``, ``delta``, ``b``, ``grad_a``, ``W``).
        rows: its rows as printed, in :data:`LAYER` and :data:`WIDTH` (and numbers: the bias unit's ``+ 1``).
        columns: its columns.
        first: the first engine layer it holds for (the activations' 0: ``a^0 = x``).
    """

    kind: str
    rows: sp.Expr
    columns: sp.Expr
    first: int = 1


def relative(notation: Notation, offset: int) -> str:
    """``l``, ``l+1``, ``l-1`` in the notation's layer letter."""
    letter = notation.layer_letter
    return letter if offset == 0 else f"{letter}{offset:+d}"


def count(expr: sp.Expr, notation: Notation) -> str:
    """A general size's rows or columns as printed: ``1``, ``n_{l-1}``, ``(n_{l} + 1)`` (in a product)."""
    if expr.is_Integer:
        return str(expr)
    if isinstance(expr, sp.Add):
        units, width = expr.as_coeff_Add()
        return f"({count(width, notation)} + {units})"
    if isinstance(expr, WIDTH):
        return f"n_{{{relative(notation, int(expr.args[0] - LAYER))}}}"
    raise ValueError(f"a general size is a number, a width n_q or a width plus a number, not {expr}")


def general_times(size: General, notation: Notation) -> str:
    """``n_{l} \\times n_{l-1}``: ``size``'s rows by its columns, in ``notation``'s layer letter."""
    return f"{count(size.rows, notation)} \\times {count(size.columns, notation)}"


def shared(stated: Sequence[General], notation: Notation) -> str:
    """The size several general entries share, as one statement prints it (``z^l, a^l, δ^l (n_l × 1)``).

    Raises:
        ValueError: entries of different sizes, which one statement cannot print.
    """
    printed = {general_times(size, notation) for size in stated}
    if len(printed) != 1:
        raise ValueError(f"one statement of the sizes of {', '.join(size.kind for size in stated)}, which differ")
    return printed.pop()


def general(network: Architecture, notation: Notation) -> dict[str, General]:
    """The general layer's sizes the documents in ``notation`` can state, by kind: a layer's vectors, ``n_l × 1``
    (its bias vector where the notation numbers it as the weighted inputs; the gradient by its activations where
    the notation writes one); its weight matrix, mapping the layer below to it (ng's W^(l) maps l to l+1), with a
    column for the bias unit where there is one, stored source × destination where the notation does."""
    vector = (WIDTH(LAYER), sp.Integer(1))
    shift = notation.layer_offset.get("z", 0) - notation.layer_offset.get("W", 0)
    rows, columns = WIDTH(LAYER + shift), WIDTH(LAYER + shift - 1) + int(network.bias == "neuron")
    found = {"a": General("a", *vector, first=0), "z": General("z", *vector), "delta": General("delta", *vector)}
    if network.bias == "vector" and shift == 0:
        found["b"] = General("b", *vector)
    if notation.has_layout("vector.grad"):
        found["grad_a"] = General("grad_a", *vector)
    found["W"] = General("W", *((columns, rows) if notation.weights_transposed else (rows, columns)))
    return found


def general_verified(derivation: Derivation, notation: Notation,
                     forward: dict[str, tuple[sp.Expr, sp.Expr]] | None = None) -> int:
    """Each of :func:`general` at every layer of ``derivation``'s network: its layer's number and the widths put
    in, against the shape of that layer's matrix (in ``notation``'s layout); a derivative by a vector, against
    that vector's where the derivation has no matrix of its own (the gradient by a hidden layer's activations).
    Returns how many general sizes. ``forward``: :func:`shapes` of the derivation, where the caller has them.

    Raises:
        VerificationError: a general size that is not its matrix's at some layer, naming it, the layer and both.
    """
    network, actual = derivation.network, _layer_shapes(derivation, forward or shapes(derivation))
    offsets, below = notation.layer_offset, notation.layer_offset.get("a", 0)  # n_q: a^q's rows, as printed
    stated = general(network, notation)
    for size in stated.values():
        numbered = offsets.get(size.kind, offsets.get(BY.get(size.kind, ""), 0))
        for layer in range(size.first, network.depth + 1):
            number = layer + numbered
            put = _put(size, number, network.layers, below)
            shape = _shape(actual, size.kind, layer, notation)
            if put is None or shape is None or put != shape:
                said = "a layer the network does not have" if put is None else " x ".join(map(str, put))
                raise VerificationError(
                    f"the general size {size.kind} ({general_times(size, notation)}) is stated, but with "
                    f"{notation.layer_letter} = {number} it is {said} and {symbols.matrix(size.kind, layer)} is "
                    f"{'not in the derivation' if shape is None else ' x '.join(map(str, shape))}")
    return len(stated)


def _put(size: General, number: int, layers: tuple[int, ...], below: int) -> tuple[sp.Expr, ...] | None:
    """``size`` at the layer the notation numbers ``number``: its rows and columns with ``n_q`` the width of the
    layer whose activations it numbers q (``below``: the notation's number of the input's); None where one of them
    is a layer the network does not have."""
    found = []
    for part in (size.rows, size.columns):
        at = part.xreplace({LAYER: number})
        engine = [int(width.args[0]) - below for width in at.atoms(WIDTH)]
        if any(not 0 <= layer < len(layers) for layer in engine):
            return None
        found.append(at.replace(WIDTH, lambda q: sp.Integer(layers[int(q) - below])))
    return tuple(found)


def _layer_shapes(derivation: Derivation,
                  forward: dict[str, tuple[sp.Expr, sp.Expr]]) -> dict[str, tuple[sp.Expr, sp.Expr]]:
    """The ``forward`` pass's shapes (:func:`shapes`), with the vectors of the vector form's steps (δ^l, the
    output's gradient ∇_a C); the input as the activations below the first layer, ``a0``."""
    found = dict(forward)
    steps = derivation.steps_of("vector") if "vector" in derivation.forms else ()
    for step in steps:
        for side in (step.lhs, step.result):
            found.update((matrix.name, matrix.shape) for matrix in sp.sympify(side).atoms(sp.MatrixSymbol)
                         if matrix.name not in found)
    if symbols.matrix("x") in found:
        found.setdefault(symbols.matrix("a", 0), found[symbols.matrix("x")])
    return found


def _shape(actual: dict[str, tuple[sp.Expr, sp.Expr]], kind: str, layer: int,
           notation: Notation) -> tuple[sp.Expr, ...] | None:
    """The shape of ``kind``'s matrix at ``layer`` as ``notation`` stores it; a derivative's by a vector, that
    vector's where the derivation has none of its own."""
    shape = actual.get(symbols.matrix(kind, layer))
    if shape is None and kind in BY:
        shape = actual.get(symbols.matrix(BY[kind], layer))
    return _stored(shape, kind, notation)


def _stored(shape: tuple[sp.Expr, ...] | None, kind: str | None, notation: Notation) -> tuple[sp.Expr, ...] | None:
    """The shape of a matrix of ``kind`` as ``notation`` stores it: a weight matrix transposed where the notation
    stores W source × destination (input-major)."""
    if shape is None:
        return None
    return (shape[1], shape[0]) if notation.weights_transposed and kind == "W" else tuple(shape)
