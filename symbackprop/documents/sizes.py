"""The sizes the documents state, ``W^1 ∈ ℝ^{3×2}``, ``X ∈ ℝ^{n×m}``, ``ŷ ∈ ℝ^p``, as data: each is printed from a
:class:`Size` (:func:`space`), and ``--verify`` compares the same entry with the shape of its matrix in the
derivation's forward pass (:func:`verified`), in the notation's layout (input-major stores W source × destination).

A size is a number, or a letter the document defines beside it: :data:`FEATURES` (``n``, the inputs), :data:`OUTPUTS`
(``p``) and the batch's ``m`` (:data:`~symbackprop.derive.forms.M`, the derivation's own). The check puts in the
network's ``n`` and ``p``; ``m`` stays the letter the forward pass's batch matrices have.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..derive.derivation import Derivation
from ..derive.forms import M, batch_form
from ..derive.truth import VerificationError
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.presets import Notation

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
    rows, columns = (sp.latex(part) for part in (size.rows, size.columns))
    if size.columns == 1 and not size.unit:
        return r"\mathbb{R}" if size.rows == 1 else rf"\mathbb{{R}}^{{{rows}}}"
    return rf"\mathbb{{R}}^{{{rows} \times {columns}}}"


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
    below = found.get(symbols.matrix("Abar", 0))
    if symbols.matrix("X") not in found and below is not None:  # bias units: X under the bias unit's row of ones
        found[symbols.matrix("X")] = (below[0] - 1, below[1])
    return found


def verified(derivation: Derivation, notation: Notation) -> int:
    """Each of :func:`statements` against the shape of its matrix in ``derivation``'s forward pass (in
    ``notation``'s layout), its letters n and p the network's: how many.

    Raises:
        VerificationError: a stated size that is not its matrix's, naming it and both shapes.
    """
    network = derivation.network
    actual = shapes(derivation)
    letters = {FEATURES: network.layers[0], OUTPUTS: network.layers[-1]}
    for size in statements(network, notation):
        shape = actual.get(size.name)
        if shape is not None and notation.weights_transposed and symbols.kind_of(size.name) == "W":
            shape = (shape[1], shape[0])
        stated = tuple(sp.sympify(part).xreplace(letters) for part in (size.rows, size.columns))
        if shape is None or stated != tuple(shape):
            raise VerificationError(f"the size {size.name} \\in {space(size)} is stated, but {size.name} is "
                                    f"{'not in the forward pass' if shape is None else ' x '.join(map(str, shape))}")
    return len(statements(network, notation))
