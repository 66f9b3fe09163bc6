"""One representative entry per kind of parameter, and how every other entry follows from it.

A gradient's entries differ only in which neurons they concern: the entry of ``w^l_{jk}`` is that of ``w^l_{11}``
with neurons 1 and j of layer l exchanged, and neurons 1 and k of layer l - 1 (the network is the same network
with its neurons numbered otherwise). :func:`groups` picks the representatives (a bias unit's weights ``w^l_{j0}``
apart: their input is the constant 1, no neuron to exchange), :func:`relabelled` writes an entry from its
representative, which is how the closed form's check (:func:`~symbackprop.documents.closed.verified`) proves the
sentence "likewise for every j, k" for every entry, and :func:`likewise` says that sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..model import symbols
from ..model.architecture import Architecture
from ..model.losses import LABEL
from ..notation.printer import NotationPrinter
from ..notation.written import neuron_values

#: The letters of a representative's indices that vary, by position: a weight's neuron, then its input.
LETTERS = ("j", "k")


@dataclass(frozen=True)
class Group:
    """The entries of one parameter matrix that one of them stands for: ``entries[0]``, the representative."""

    name: str
    entries: tuple[sp.Symbol, ...]

    @property
    def representative(self) -> sp.Symbol:
        return self.entries[0]


def groups(network: Architecture, every: bool = False) -> list[Group]:
    """One group per parameter matrix, in the order of ``network.parameters`` (a bias unit's weights a group of
    their own, after the others); with ``every``, one group per entry."""
    found: list[Group] = []
    for name, params in network.parameters.items():
        if every:
            found.extend(Group(name, (param,)) for param in params)
            continue
        kinds: dict[bool, list[sp.Symbol]] = {}
        for param in params:
            info = symbols.describe(param.name)
            kinds.setdefault(info is not None and 0 in info.indices, []).append(param)
        found.extend(Group(name, tuple(kinds[unit])) for unit in (False, True) if unit in kinds)
    return found


def _layers(info: symbols.SymbolInfo, depth: int) -> tuple[int, ...]:
    """The layer whose neurons each index of a symbol counts: a weight's row its layer, its column the layer
    before; an input's layer 0, a target's the output layer."""
    if info.kind == "W":
        assert info.layer is not None
        return info.layer, info.layer - 1
    if info.kind == "x":
        return (0,)
    if info.kind == "y":
        return (depth,)
    assert info.layer is not None
    return (info.layer,)


def _exchanges(representative: sp.Symbol, entry: sp.Symbol, depth: int) -> dict[int, tuple[int, int]]:
    """Layer -> the two neurons exchanged there, to make ``entry`` out of ``representative``."""
    start, end = symbols.describe(representative.name), symbols.describe(entry.name)
    assert start is not None and end is not None
    return {layer: (int(i), int(j)) for layer, i, j in zip(_layers(start, depth), start.indices, end.indices)
            if i != j}


def _moved(symbol: sp.Symbol, exchanges: dict[int, tuple[int, int]], depth: int) -> sp.Symbol:
    info = symbols.describe(symbol.name)
    if info is None or not info.indices or info.kind not in (*symbols.LAYER_KINDS, "x", "y"):
        return symbol
    indices: list[symbols.Index] = []
    for layer, index in zip(_layers(info, depth), info.indices):
        first, second = exchanges.get(layer, (None, None))
        indices.append(second if index == first else first if index == second else index)  # type: ignore[arg-type]
    if indices == list(info.indices):
        return symbol
    return sp.Symbol(symbols.element(info.kind, info.layer, *indices), **symbol.assumptions0)


def relabelled(expr: sp.Basic, representative: sp.Symbol, entry: sp.Symbol, depth: int) -> sp.Basic:
    """``expr``, written for ``representative``, with the neurons exchanged that make it ``entry``'s: every
    symbol's index, and a sparse label's indicator ``δ_{jℓ}`` of an output exchanged."""
    exchanges = _exchanges(representative, entry, depth)
    if not exchanges:
        return expr
    moved = {s: _moved(s, exchanges, depth) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    expr = expr.xreplace({s: t for s, t in moved.items() if s != t})
    if depth in exchanges:
        first, second = exchanges[depth]

        def label(node: sp.KroneckerDelta) -> sp.Basic:
            i, j = node.args
            swap = {first: second, second: first}
            i = sp.Integer(swap.get(int(i), int(i))) if i.is_Integer else i
            j = sp.Integer(swap.get(int(j), int(j))) if j.is_Integer else j
            return sp.KroneckerDelta(i, j)

        expr = expr.replace(lambda node: isinstance(node, sp.KroneckerDelta) and LABEL in node.free_symbols, label)
    return expr


def likewise(group: Group, network: Architecture, printer: NotationPrinter) -> str:
    """The sentence after a representative: for which indices the other entries follow, and how; empty for a
    group of one entry."""
    if len(group.entries) == 1:
        return ""
    start = symbols.describe(group.representative.name)
    assert start is not None
    infos = [symbols.describe(entry.name) for entry in group.entries]
    varying = [position for position in range(len(start.indices))
               if len({info.indices[position] for info in infos if info is not None}) > 1]
    indices: list[symbols.Index] = list(start.indices)
    ranges, exchanged = [], []
    layers = _layers(start, network.depth)
    for position in varying:
        letter = LETTERS[position]
        indices[position] = letter
        values = [int(info.indices[position]) for info in infos if info is not None]
        assert min(values) == 1  # (a bias unit's column 0 is a group of its own)
        ranges.append(f"${letter} = {neuron_values(max(values))}$")
        layer = printer.notation.bare_layer("a", layers[position])  # (as the notation counts: ng's input is 1)
        exchanged.append(f"neurons ${start.indices[position]}$ and ${letter}$ of layer ${layer}$")
    general = sp.Symbol(symbols.element(start.kind, start.layer, *indices), **group.representative.assumptions0)
    lhs = printer.doprint(sp.Derivative(sp.Symbol("c"), general, evaluate=False))
    return (f"Likewise for every {' and '.join(ranges)}: ${lhs}$ is the entry above with "
            f"{', and '.join(exchanged)} exchanged.")
