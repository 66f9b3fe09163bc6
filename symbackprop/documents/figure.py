"""The network figure as data: node positions, labels and edges for the TikZ template.

Layers are columns from left (input) to right (output), neurons top to bottom. A layer wider than
:data:`MAX_SHOWN` neurons shows its first three, a vertical ellipsis and its last, so that every figure fits
the page; the columns come closer together as the net gets deeper. With the ``neuron`` bias convention each
non-output layer gets a bias unit (the constant 1) on top, with edges to the next layer's neurons.
Coordinates are in centimetres, as strings, so that the output is byte-identical from run to run.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..model import symbols
from ..model.architecture import Architecture
from ..notation.printer import NotationPrinter

#: Layers wider than this are elided.
MAX_SHOWN = 6
#: Horizontal room for the columns (cm) and the widest gap between two columns.
FIGURE_WIDTH = 12.5
MAX_GAP = 3.4
ROW = 1.15


#: Beside the drawing's nodes: a neuron's radius above and a caption's second line below, the figure's caption and
#: the two lines of the sentence before it, in cm.
LEAD_ROOM = 3.5
#: How much higher than the next row a bias unit is drawn (cm).
BIAS_LIFT = 0.45


@dataclass(frozen=True)
class Node:
    """A neuron, bias unit or ellipsis: ``kind`` is ``neuron``, ``bias`` or ``dots``."""

    name: str
    x: str
    y: str
    label: str
    kind: str

    @property
    def ref(self) -> str:
        """``(name)``, as TikZ writes a node's name."""
        return f"({self.name})"

    @property
    def at(self) -> str:
        """``(x,y)``, the node's position."""
        return f"({self.x},{self.y})"


@dataclass(frozen=True)
class Edge:
    """An arrow between two nodes, given as TikZ references ``(name)``; ``label`` is a weight or empty, drawn on
    the ``side`` of the arrow (``above``; ``below`` for the lower of two arrows leaving one node)."""

    source: str
    target: str
    label: str = ""
    side: str = "above"


@dataclass(frozen=True)
class Caption:
    """A label under a column (or, for a weight matrix, above a gap)."""

    x: str
    y: str
    text: str
    math: str

    @property
    def at(self) -> str:
        return f"({self.x},{self.y})"


@dataclass(frozen=True)
class Figure:
    """Nodes, arrows, captions under the columns and labels above the gaps; ``compact`` draws smaller neurons (a
    schematic beside an argument, :mod:`.schematic`); ``neuron_size`` (a TikZ length) draws every neuron that size
    instead, as large as its widest label, so that no circle is larger than the others; ``label_at`` is how far
    along its arrow a weight's label is set (the template's own choice where empty)."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    captions: tuple[Caption, ...]
    matrices: tuple[Caption, ...]
    compact: bool = False
    neuron_size: str = ""
    label_at: str = ""

    @property
    def room(self) -> str:
        """The height of the page the figure takes, with its caption and the sentence that leads into it, as a
        LaTeX length (``6.40cm``): where less is left, the sentence starts a new page with the figure after it."""
        heights = [float(node.y) for node in self.nodes] + [float(caption.y) for caption in
                                                             (*self.captions, *self.matrices)]
        return f"{max(heights) - min(heights) + LEAD_ROOM:.2f}cm"


def _shown(n: int) -> list[int | None]:
    """1-based neuron indices drawn for a layer of ``n``; None marks the ellipsis."""
    if n <= MAX_SHOWN:
        return list(range(1, n + 1))
    return [1, 2, 3, None, n]


def _cm(value: float) -> str:
    return f"{value:.2f}"


def _layer_name(network: Architecture, layer: int) -> str:
    if layer == 0:
        return "input layer"
    if layer == network.depth:
        return "output layer"
    return "hidden layer" if network.depth == 2 else f"hidden layer {layer}"


def build_figure(network: Architecture, printer: NotationPrinter) -> Figure:
    """Lay out ``network`` for TikZ, labelled in ``printer``'s notation."""
    gap = min(MAX_GAP, FIGURE_WIDTH / max(network.depth, 1))
    bias_units = network.bias == "neuron"
    tallest = max(len(_shown(n)) + (1 if bias_units else 0) for n in network.layers)
    nodes: list[Node] = []
    edges: list[Edge] = []
    captions: list[Caption] = []
    matrices: list[Caption] = []
    columns: list[list[tuple[str, int]]] = []  # per layer, (node name, neuron number) of each neuron shown
    for layer, size in enumerate(network.layers):
        x = layer * gap
        shown = _shown(size)
        has_bias = bias_units and layer < network.depth
        slots: list[int | None | str] = (["bias"] if has_bias else []) + list(shown)
        names: list[tuple[str, int]] = []
        for row, slot in enumerate(slots):
            y = _cm((len(slots) - 1) * ROW / 2 - row * ROW)
            if slot == "bias":  # set higher: its edges pass clear of the first weight's label
                nodes.append(Node(_node("b", layer), _cm(x), _cm(float(y) + BIAS_LIFT), "1", "bias"))
            elif slot is None:
                nodes.append(Node(_node("d", layer), _cm(x), y, r"\vdots", "dots"))
            else:
                assert isinstance(slot, int)
                name = _node("n", layer, slot)
                symbol = network.a(layer)[slot - 1]
                nodes.append(Node(name, _cm(x), y, printer.doprint(symbol), "neuron"))
                names.append((name, slot))
        columns.append(names)
        bottom = -(tallest - 1) * ROW / 2 - 0.95
        function = "" if layer == 0 else printer.function_symbol(network.activation(layer).name, layer)
        captions.append(Caption(_cm(x), _cm(bottom), _layer_name(network, layer), function))
    for layer in range(1, network.depth + 1):
        edges.extend(_edges(network, layer, columns, printer))
        x = (layer - 0.5) * gap
        top = (tallest - 1) * ROW / 2 + 0.75 + (BIAS_LIFT if bias_units else 0)
        weights = printer.stored(sp.MatrixSymbol(symbols.matrix("W", layer), 1, 1))
        matrices.append(Caption(_cm(x), _cm(top), "", weights))
    # a label a quarter along its arrow, clear of the circle it leaves (a steep arrow's, to a narrower layer, ran
    # into it); a fifth along where bias units are drawn, whose arrows pass above it there
    return Figure(tuple(nodes), tuple(edges), tuple(captions), tuple(matrices),
                  label_at="0.2" if bias_units else "0.25")


def _node(letter: str, layer: int, slot: int | None = None) -> str:
    """A TikZ node's name (not a symbol's): ``b1`` the bias unit of layer 1, ``d1`` its ellipsis, ``n1_3`` its
    neuron 3."""
    return f"{letter}{layer}" if slot is None else f"{letter}{layer}_{slot}"


def _edges(network: Architecture, layer: int, columns: list[list[tuple[str, int]]],
           printer: NotationPrinter) -> list[Edge]:
    """The arrows into ``layer``; the first weight w_{11} is labelled, as the seeds' figures do."""
    weights = network.parameters[symbols.matrix("W", layer)]
    bias_units = network.bias == "neuron"
    first = 1 if bias_units else 0
    edges = []
    for target, j in columns[layer]:
        if bias_units:
            edges.append(Edge(f"({_node('b', layer - 1)})", f"({target})", ""))
        for source, k in columns[layer - 1]:
            label = printer.doprint(weights[j - 1, k - 1 + first]) if (j, k) == (1, 1) else ""
            edges.append(Edge(f"({source})", f"({target})", label))
    return edges
