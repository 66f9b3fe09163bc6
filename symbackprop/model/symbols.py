"""Symbol names: the one module that spells a network symbol's name, and the one function that reads it back.

The names are the package's public contract (the README's conventions; :mod:`.architecture`). Every other
module builds them with :func:`element` and :func:`matrix` and reads them with :func:`describe`, never with an
f-string or a regular expression of its own.

* Entries (scalar symbols): ``x_k``, ``y_j``, ``W{l}_{j}_{k}``, ``b{l}_{j}``, ``b{l}`` (a shared bias),
  ``z{l}_{j}``, ``a{l}_{j}``, ``delta{l}_{j}``. Layers are numbered from 0 (the input); indices are 1-based
  numbers (``W2_1_3`` is w^2_{13}; column 0 of ``W{l}`` holds the bias unit's weights), or one lower-case letter
  in a general formula (``delta2_j``).
* Vectors and matrices, also the keys of parameters, deltas and forms: ``x``, ``y``, ``W{l}``, ``b{l}``,
  ``z{l}``, ``a{l}``, ``delta{l}``, ``abar{l}`` (a^l with the bias unit's 1 on top), ``grad_a{l}`` (dc/da^l)
  for one example; ``X``, ``Y``, ``Z{l}``, ``A{l}``, ``Delta{l}``, ``Abar{l}``, ``Grad_A{l}`` for a batch,
  examples as columns (:func:`batch` names a kind's batch counterpart).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

#: Kinds with a layer number and up to two indices: ``W2_1_3``, ``b2_1``, ``delta2_1``; with none ``W2`` is the
#: matrix (a parameter key) and ``b2`` also the scalar of a shared bias.
LAYER_KINDS = ("W", "b", "z", "a", "delta")
#: Kinds of whole layers only: a layer number, no indices.
MATRIX_KINDS = ("Z", "A", "Delta", "abar", "Abar", "grad_a", "Grad_A")
#: Kinds without a layer: ``x_1`` and ``y_1`` (entries), ``x``, ``y``, ``X``, ``Y`` (vectors and matrices).
DATA_KINDS = ("x", "y", "X", "Y")
#: A one-example kind -> the kind of the same quantity for a batch, examples as columns.
BATCH = MappingProxyType(
    {"x": "X", "y": "Y", "z": "Z", "a": "A", "delta": "Delta", "abar": "Abar", "grad_a": "Grad_A"}
)

#: The index of a layer's last neuron, whatever the layer's count (``z2_last``, printed z^L_{n_L}).
LAST = "last"
_INDEX = rf"[0-9]+|ell|{LAST}|[a-z]'?"  # a number, a letter of a general neuron (primed: another one), ell, or the last
_NAME = re.compile(
    rf"(?P<kind>{'|'.join(LAYER_KINDS)})(?P<layer>[0-9]+)(?:_(?P<i>{_INDEX}))?(?:_(?P<k>{_INDEX}))?"
    rf"|(?P<whole>{'|'.join(MATRIX_KINDS)})(?P<whole_layer>[0-9]+)"
    rf"|(?P<data>x|y)(?:_(?P<j>{_INDEX}))?"
    r"|(?P<batch>X|Y)"
)

Index = int | str


@dataclass(frozen=True)
class SymbolInfo:
    """What a network symbol's name stands for.

    Attributes:
        kind: one of :data:`LAYER_KINDS`, :data:`MATRIX_KINDS`, :data:`DATA_KINDS`.
        layer: the layer number; None for ``x``, ``y``, ``X``, ``Y``.
        indices: 1-based neuron indices, as ints; a letter (``"j"``) stays a string.
    """

    kind: str
    layer: int | None
    indices: tuple[Index, ...]

    @property
    def is_element(self) -> bool:
        """Whether the name is that of a scalar symbol (``W2_1_3``, ``x_1``, ``b2``), not of a vector."""
        return self.kind in LAYER_KINDS or bool(self.indices)

    @property
    def is_matrix(self) -> bool:
        """Whether the name is that of a vector or matrix (``W2``, ``delta2``, ``Z2``, ``x``, ``Y``)."""
        return not self.indices


def element(kind: str, layer: int | None, *indices: Index) -> str:
    """The name of one scalar symbol: ``element("W", 2, 1, 3)`` is ``W2_1_3``, ``element("x", None, 1)``
    ``x_1``, ``element("b", 2)`` the shared bias ``b2``.

    Raises:
        ValueError: a kind that has no entries, a layer given to ``x`` or ``y`` or missing for another kind, or
            the wrong number of indices.
    """
    if kind in ("x", "y"):
        if layer is not None or len(indices) != 1:
            raise ValueError(f"{kind}: an entry has no layer and one index, got layer {layer!r}, indices {indices!r}")
        return f"{kind}_{indices[0]}"
    if kind not in LAYER_KINDS:
        raise ValueError(f"no entries of kind {kind!r}; kinds with entries: x, y, {', '.join(LAYER_KINDS)}")
    if layer is None or len(indices) > 2:
        raise ValueError(f"{kind}: an entry has a layer and at most two indices, got layer {layer!r}, "
                         f"indices {indices!r}")
    return f"{kind}{layer}" + "".join(f"_{index}" for index in indices)


def matrix(kind: str, layer: int | None = None) -> str:
    """The name of a vector or matrix, also a key of parameters and forms: ``matrix("W", 2)`` is ``W2``,
    ``matrix("Delta", 2)`` ``Delta2``, ``matrix("x")`` ``x``.

    Raises:
        ValueError: an unknown kind, a layer given to ``x``, ``y``, ``X``, ``Y`` or missing for another kind.
    """
    if kind in DATA_KINDS:
        if layer is not None:
            raise ValueError(f"{kind} has no layer, got {layer!r}")
        return kind
    if kind not in LAYER_KINDS and kind not in MATRIX_KINDS:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(LAYER_KINDS + MATRIX_KINDS + DATA_KINDS)}")
    if layer is None:
        raise ValueError(f"{kind} needs a layer")
    return f"{kind}{layer}"


def batch(kind: str) -> str:
    """The kind of a one-example quantity for a batch: ``delta`` -> ``Delta``, ``x`` -> ``X``.

    Raises:
        ValueError: a kind with no batch counterpart (the parameters ``W`` and ``b`` are the same for a batch).
    """
    if kind not in BATCH:
        raise ValueError(f"{kind!r} has no batch kind; kinds that have one: {', '.join(BATCH)}")
    return BATCH[kind]


def describe(name: str) -> SymbolInfo | None:
    """What the symbol name ``name`` stands for, or None for a name of no network symbol (``c``, ``ell``, ``m``)."""
    m = _NAME.fullmatch(name)
    if m is None:
        return None
    if m.group("kind"):
        indices = tuple(_index(m.group(g)) for g in ("i", "k") if m.group(g) is not None)
        return SymbolInfo(m.group("kind"), int(m.group("layer")), indices)
    if m.group("whole"):
        return SymbolInfo(m.group("whole"), int(m.group("whole_layer")), ())
    if m.group("data"):
        j = m.group("j")
        return SymbolInfo(m.group("data"), None, () if j is None else (_index(j),))
    return SymbolInfo(m.group("batch"), None, ())


def counted_layers(name: str) -> dict[str, int]:
    """The layer whose neurons each letter index of the symbol ``name`` counts: j of ``delta2_j`` layer 2, k of
    ``W2_j_k`` layer 1 (a weight's source), k of ``x_k`` layer 0; j of a target ``y_j`` the output layer, ``-1``
    (the last of a network's layers)."""
    info = describe(name)
    if info is None:
        return {}
    home = 0 if info.kind == "x" else -1 if info.layer is None else info.layer
    layers = [home, home - 1] if info.kind == "W" else [home]
    return {index: layer for index, layer in zip(info.indices, layers) if isinstance(index, str)}


def kind_of(name: str) -> str | None:
    """``describe(name).kind``, or None for a name of no network symbol."""
    info = describe(name)
    return None if info is None else info.kind


def _index(text: str) -> Index:
    return int(text) if text.isdigit() else text
