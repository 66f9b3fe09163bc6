"""Schematic figures of one general neuron, as the seeds draw them beside their arguments: neuron j of a layer l
with an input i of layer l-1 and the neurons k of layer l+1 it feeds (seed 003's internal neuron); the same with
the error terms flowing back from layer l+1 to j (seed 003's back-propagation diagram); neuron j of layer L-1
reaching the cost through every neuron of layer L (seed 001's "schematically"); and the chain of functions from a
weight to the cost (seed 001's "functions are computed in chains").

Each is a :class:`~.figure.Figure` for the same TikZ template as the network figure; every label is printed by the
notation printer from the engine's symbols with letter indices, at a general layer relabelled l (or L).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import sympy as sp

from ..derive import general, schemas
from ..model import symbols
from ..notation.printer import NotationPrinter
from .figure import Caption, Edge, Figure, Node
from .routes import route
from .sections import Block, text
from .summary import labels
from .tables import GENERAL, relative

#: Horizontal distance between two columns and vertical between two rows (cm).
GAP, ROW = 3.0, 0.75
#: From the centre of a column's lowest neuron down to the caption under it (cm): clear of a neuron its label
#: widens past the compact size (a_{k+1,m}).
CLEAR = 0.75
#: The size of a schematic's neurons where one of them is labelled with a two-part index, a_{k+1,m}.
WIDE, WIDE_ROW = "11.5mm", 1.1


def _symbol(printer: NotationPrinter, kind: str, layer: int, *indices: str | int) -> str:
    """An engine symbol of ``layer`` with indices ``j``, ``i`` (below) or ``k`` (above), or numbers, in the
    notation's letters."""
    j, below, above = printer.notation.indices
    letters = {"j": j, "i": below, "k": above}
    name = symbols.element(kind, layer, *indices)
    return printer.doprint(general.with_letters(sp.Symbol(name, real=True), letters))


def _cm(value: float) -> str:
    return f"{value:.2f}"


def _column(x: float, column: str, entries: Sequence[str | None], step: float = ROW) -> list[Node]:
    """A column of neurons, top to bottom, ``step`` apart, ``None`` for an ellipsis; TikZ node names ``column0``,
    ``column1``, ..."""
    top = (len(entries) - 1) * step / 2
    return [Node(f"{column}{row}", _cm(x), _cm(top - row * step), label or r"\vdots", "neuron" if label else "dots")
            for row, label in enumerate(entries)]


def _captions(printer: NotationPrinter, offsets: Sequence[int], height: int, first: int = 0,
              step: float = ROW) -> list[Caption]:
    """``layer l-1``, ``layer l``, ... under the columns from ``first``, of ``height`` rows ``step`` apart."""
    bottom = -(height - 1) * step / 2 - CLEAR - (step - ROW)
    return [Caption(_cm((first + column) * GAP), _cm(bottom), "",
                    rf"\text{{layer }} {relative(printer.notation, offset)}") for column, offset in enumerate(offsets)]


def neuron_figure(printer: NotationPrinter, errors: bool = False) -> Figure:
    """Neuron j of layer l, an input i of layer l-1 (weight w_ji) and the neurons 1, ..., k, ... of layer l+1 it
    feeds (weights w_kj); with ``errors``, the error terms instead, flowing back from layer l+1 to j."""
    at = printer.relabel(labels(printer.notation, "z", GENERAL))
    g = GENERAL
    kind = "delta" if errors else "a"
    below = _column(0.0, "i", [None, _symbol(at, "a", g - 1, "i"), None]) if not errors else []
    own = _column(GAP, "j", [_symbol(at, kind, g, "j")])
    step = ROW * 1.2 if errors else ROW  # (δ's marks widen its neurons: the dots clear of them)
    above = _column(2 * GAP, "k", [_symbol(at, kind, g + 1, 1), None, _symbol(at, kind, g + 1, "k")], step)
    weight = _symbol(at, "W", g + 1, "k", "j")
    edges = [Edge(above[0].ref, own[0].ref), Edge(above[2].ref, own[0].ref, weight, "below")] if errors else [
        Edge(below[1].ref, own[0].ref, _symbol(at, "W", g, "j", "i")),
        Edge(own[0].ref, above[0].ref), Edge(own[0].ref, above[2].ref, weight, "below")]
    offsets = (0, 1) if errors else (-1, 0, 1)
    return Figure(tuple(below + own + above), tuple(edges),
                  tuple(_captions(printer, offsets, 3, 1 if errors else 0, step)), (), compact=True)


def influence_figure(printer: NotationPrinter, layer: int) -> Figure:
    """Seed 001's schematic: neuron j of layer L-1 (engine ``layer``) feeding every neuron k of layer L, its
    weighted input z_k and its output a_k, each of which the cost depends on (the factors of the sum below it)."""
    at = printer.relabel(labels(printer.notation, "z", layer + 1, "L"))
    step = GAP * 0.8
    own = _column(0.0, "j", [_symbol(at, "a", layer, "j")])
    weighted = _column(step, "k", [_symbol(at, "z", layer + 1, 1), None, _symbol(at, "z", layer + 1, "k")])
    outputs = _column(2 * step, "o", [_symbol(at, "a", layer + 1, 1), None, _symbol(at, "a", layer + 1, "k")])
    cost = [Node("c0", _cm(3 * step), "0.00", at.cost_letter(), "neuron")]
    edges = [Edge(own[0].ref, weighted[0].ref),
             Edge(own[0].ref, weighted[2].ref, _symbol(at, "W", layer + 1, "k", "j"), "below"),
             *(Edge(weighted[row].ref, outputs[row].ref) for row in (0, 2)),
             Edge(outputs[0].ref, cost[0].ref), Edge(outputs[2].ref, cost[0].ref)]
    bottom = _cm(-ROW - CLEAR)
    captions = (Caption("0.00", bottom, "", r"\text{layer } L-1"),
                Caption(_cm(1.5 * step), bottom, "", r"\text{layer } L"),
                Caption(_cm(3 * step), bottom, "the cost", ""))
    return Figure(tuple(own + weighted + outputs + cost), tuple(edges), captions, (), compact=True)


def layer_figure(printer: NotationPrinter, through_outputs: bool) -> Figure:
    """Seed 002's Table 1, one side: the outputs h_k of a hidden layer k, each reaching every weighted input a_{k+1}
    of layer k+1 (what ∇_{h_k} gathers); or, ``through_outputs``, the weighted inputs a_k, each reaching the loss
    only through its own output h_k (what ∇_{a_k} gathers)."""
    at = printer.relabel(labels(printer.notation, "z", GENERAL))
    g = GENERAL
    if through_outputs:
        left = _column(0.0, "i", [_symbol(at, "z", g, 1), None, _symbol(at, "z", g, "j")])
        right = _column(GAP, "k", [_symbol(at, "a", g, 1), None, _symbol(at, "a", g, "j")])
        edges = [Edge(left[row].ref, right[row].ref) for row in (0, 2)]
        bottom = _cm(-ROW - CLEAR - 0.25)  # two lines of caption, clear of the lowest neuron
        layer = relative(printer.notation, 0)
        captions = [Caption(_cm(column * GAP), bottom, part, rf"\text{{layer }} {layer}")
                    for column, part in enumerate(("pre-activations", "activations"))]
        return Figure(tuple(left + right), tuple(edges), tuple(captions), (), compact=True)
    left = _column(0.0, "i", [_symbol(at, "a", g, 1), None, _symbol(at, "a", g, "j")], WIDE_ROW)
    right = _column(GAP, "k", [_symbol(at, "z", g + 1, 1), None, _symbol(at, "z", g + 1, "k")], WIDE_ROW)
    edges = [Edge(left[row].ref, right[other].ref) for row in (0, 2) for other in (0, 2)]
    return Figure(tuple(left + right), tuple(edges), tuple(_captions(printer, (0, 1), 3, step=WIDE_ROW)), (),
                  compact=True, neuron_size=WIDE)  # a_{k+1,m}: every circle that wide, the rows further apart


def paths_figure() -> Figure:
    """Seed 002's example of the chain rule along multiple paths: x reaches z through y_1 and y_2."""
    x = Node("x0", "0.00", "0.00", "x", "neuron")
    middle = [Node(name, _cm(GAP * 0.7), _cm(ROW * height), label, "neuron")
              for name, height, label in (("y0", 1.5, "y_{1}"), ("y1", -1.5, "y_{2}"))]
    z = Node("z0", _cm(GAP * 1.4), "0.00", "z", "neuron")
    edges = [Edge(x.ref, node.ref) for node in middle] + [Edge(node.ref, z.ref) for node in middle]
    return Figure((x, *middle, z), tuple(edges), (), (), compact=True)


def chain_figure(printer: NotationPrinter) -> Figure:
    """Seed 001's chain of functions: the output of a neuron i of layer l-1, the weight from it and the bias (all
    enter the weighted input), the weighted input, the neuron's output, on to the cost, left to right."""
    at = printer.relabel(labels(printer.notation, "z", GENERAL))
    g, step = GENERAL, GAP * 0.75
    bias = {"vector": _symbol(at, "b", g, "j"), "shared": _symbol(at, "b", g)}.get(printer.network.bias)
    entering = [("in0", _symbol(at, "a", g - 1, "i")), ("w0", _symbol(at, "W", g, "j", "i"))]
    entering += [("b0", bias)] if bias is not None else []
    sources = [dataclasses.replace(node, name=name) for node, (name, _) in
               zip(_column(0.0, "s", [label for _, label in entering], ROW * 1.5), entering, strict=True)]
    links = [Node(name, _cm(step * column), "0.00", label, kind) for column, (name, label, kind) in enumerate(
        (("z0", _symbol(at, "z", g, "j"), "neuron"), ("a0", _symbol(at, "a", g, "j"), "neuron"),
         ("d0", r"\cdots", "dots"), ("c0", at.cost_letter(), "neuron")), start=1)]
    edges = [Edge(source.ref, links[0].ref) for source in sources]
    edges += [Edge(left.ref, right.ref) for left, right in zip(links, links[1:])]
    return Figure(tuple(sources + links), tuple(edges), (), (), compact=True)


#: What each figure's caption says.
CAPTIONS = {
    "neuron": "A general neuron ${j}$ of layer ${l}$, fed by neuron ${i}$ of layer ${l}-1$ and feeding layer ${l}+1$.",
    "errors": "The error terms of layer ${l}+1$ flow back to neuron ${j}$.",
    "influence": "",  # seed 001's "schematically": a drawing in the text; the sentence after it says what it shows
    "outputs": "The gradient with respect to the outputs of layer ${l}$: each reaches the loss through every "
               "pre-activation of layer ${l}+1$.",
    "weighted": "The gradient with respect to the pre-activations of layer ${l}$: each reaches the loss only "
                "through its own output.",
    "chain": "",  # a drawing in the text, as the seed's: its sentence says what it is
    "paths": "An example: $x$ reaches $z$ along two paths, through $y_1$ and through $y_2$, so ${{{rule}}}$.",
}
#: The general rule a caption states (its ``{rule}``), by its name in :data:`~symbackprop.derive.schemas.SCHEMAS`,
#: the entry that ``--verify`` proves.
STATES = {"paths": "chain rule along two paths"}


#: Each figure by its name: what draws it, for a printer and the argument's layer.
FIGURES: dict[str, Callable[[NotationPrinter, int], Figure]] = {
    "neuron": lambda printer, layer: neuron_figure(printer),
    "errors": lambda printer, layer: neuron_figure(printer, errors=True),
    "influence": influence_figure,
    "paths": lambda printer, layer: paths_figure(),
    "outputs": lambda printer, layer: layer_figure(printer, through_outputs=False),
    "weighted": lambda printer, layer: layer_figure(printer, through_outputs=True),
    "chain": lambda printer, layer: chain_figure(printer),
}
#: What a route may name beside an argument.
SCHEMATIC_NAMES = tuple(FIGURES)
#: The sentences that lead into a figure kept where they lead into it, by the figure's name.
LEADS = {"chain": "Functions are computed in a chain:"}


def schematic_blocks(name: str, layer: int, printer: NotationPrinter, prefix: str, where: str) -> list[Block]:
    """The figure the notation's seed draws ``where`` the argument ``name`` of ``layer`` (its route's
    :attr:`~.routes.Route.schematics`): ``before`` the argument's introduction, ``example`` between it and the display
    (an example of the rule it states), ``after`` the display."""
    figure = route(printer.notation).schematics.get((name, where))
    if figure is None:
        return []
    built = FIGURES[figure](printer, layer)
    j, i, k = printer.notation.indices
    caption = CAPTIONS[figure].format(j=j, i=i, k=k, l=printer.notation.layer_letter,
                                      rule=schemas.SCHEMAS[STATES[figure]].latex if figure in STATES else "")
    drawn = Block("figure", figure=built, label=f"{prefix}fig:{figure}", text=caption, here=figure in LEADS)
    return [text(LEADS[figure]), drawn] if figure in LEADS else [drawn]


__all__ = ["FIGURES", "SCHEMATIC_NAMES", "chain_figure", "influence_figure", "layer_figure", "neuron_figure",
           "paths_figure", "schematic_blocks"]
