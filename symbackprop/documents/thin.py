"""Seed 002's demo on a thin network, before the derivation proper: one neuron in every layer, so that one
weight's derivative is a single product of partials, one pair of factors per layer; then the same product read as
the loss asking each layer in turn, from the output down, how much of it is that layer's doing (its intuition).

The product is the step :attr:`Derivation.thin` records and :mod:`symbackprop.derive.verify` checks; this module
only groups its factors.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..derive.derivation import Derivation
from ..model import symbols
from ..notation.display import Display, Line, note_room, pack, visual_width
from ..notation.printer import NotationPrinter
from .figure import build_figure
from .notes import note
from .sections import Block, Section, display, figure_ref, text
from .summary import labels


def thin_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section | None:
    """The section "A thin network first", the product of partials, and under it "Intuition", the same product
    read as the loss asking each layer in turn; None where the derivation has no thin network."""
    if derivation.thin is None:
        return None
    thin = derivation.thin
    shown = _printer(derivation.thin, printer)
    step = thin.steps[0]
    factors = _factors(thin, printer)
    lhs, weight = shown.doprint(step.lhs), shown.doprint(step.lhs.variables[0])
    depth = thin.network.depth
    spec = "-".join(["1"] * (depth + 1))
    blocks: list[Block] = [
        text(f"First take a network as deep as this one but thin, one neuron in each layer ({spec}, "
             f"{figure_ref(f'{prefix}fig:thin')}), its activation functions and loss left general:"),
        Block("figure", figure=build_figure(thin.network, shown), label=f"{prefix}fig:thin",
              text=f"The thin network, {spec}: one neuron in each layer."),
        text(f"To learn the weight ${weight}$ by gradient descent we need ${lhs}$. The chain rule, applied once per "
             "layer from the loss down to the weight, gives it as one product:"),
        display(_broken(lhs, factors, printer.width, note(step.rule))),
    ]
    intuition: list[Block] = [
        text(f"Before the general case, here is an intuitive reading of this product. The derivative says how much "
             f"the loss changes for a small change of ${weight}$: how much of the loss that weight is responsible "
             "for. The less sensitive the loss is to it, the less the weight is to blame."),
        text("So we look for who is responsible for the loss, starting at the output. "
             + _output_answer(derivation, printer)),
        *([text(hidden)] if (hidden := _hidden_answer(derivation, printer)) else []),
        text("Each layer below answers the same way, down to the first weights: the responsibility lies with every "
             "weight and bias. Rather than ask each of them directly, it is easier to ask through the layers, and "
             "that is exactly what the chain rule does, one pair of factors for each layer:"),
        display(_broken(_braced(lhs, ("ask the weight", "directly")), _groups(factors, depth), printer.width)),
    ]
    return Section("A thin network first", f"{prefix}sec:thin", tuple(blocks),
                   (Section("Intuition", f"{prefix}sec:intuition", tuple(intuition)),))


#: Where each part of the general derivation sits in the thin network's chain: its first factor and its last
#: (the output layer's pair, the hidden layers' pairs, the weight's own factor).
PARTS = {"output": (0, 2), "hidden": (2, -1), "parameters": (-1, None)}


#: How a part points back to the factors of the thin network's chain it works out (braced below), for any widths.
PART_SIGNS = {"output": "The output layer's pair of factors in the thin network's chain is braced below; what follows "
                        "works it out for an output layer of any width:",
              "hidden": "Likewise each hidden layer's pair of factors, braced below, for layers of any width:",
              "parameters": "Last comes the weight's own factor, for every weight and bias:"}
#: The underbrace's label for each part.
PART_LABELS = {"output": ("the output", "layer"), "hidden": ("the hidden", "layers"), "parameters": ("the", "weight")}


def road_map(derivation: Derivation, printer: NotationPrinter, part: str) -> Display | None:
    """The thin network's chain again, the factors that ``part`` of the general derivation (``output``,
    ``hidden``, ``parameters``) works out braced: where it is in the road map (seed 002 repeats the chain at the
    head of each part); None where there is no thin network or the part has no factor in it."""
    if derivation.thin is None:
        return None
    factors = _factors(derivation.thin, printer)
    first, last = PARTS[part]
    inside = factors[first:last]
    if not inside:
        return None
    after = factors[last:] if last is not None else []
    marked = [*factors[:first], _braced(r"\, ".join(inside), PART_LABELS[part]), *after]
    lhs = _printer(derivation.thin, printer).doprint(derivation.thin.steps[0].lhs)
    return _broken(lhs, marked, printer.width)


def _printer(thin: Derivation, printer: NotationPrinter) -> NotationPrinter:
    """``printer``'s notation for the thin network."""
    return NotationPrinter(printer.notation, thin.network, indicator=printer.indicator, width=printer.width)


def _factors(thin: Derivation, printer: NotationPrinter) -> list[str]:
    """The factors of the thin network's chain, printed one by one."""
    shown = _printer(thin, printer)
    return [shown.doprint(factor) for factor in thin.steps[0].chain[0]]


def _braced(factors: str, label: tuple[str, str]) -> str:
    """``factors`` with an underbrace and a label of two short lines."""
    under = r"\\".join(rf"\text{{{line}}}" for line in label)
    return rf"\underbrace{{{factors}}}_{{\substack{{{under}}}}}"


#: The dialogue's opening, what the output layer is told, before its answer (seed 002's "Talk to the output layer").
TOLD = "We tell the output layer: “Your output is not the one we want; answer for it.” It answers: "


def _output_answer(derivation: Derivation, printer: NotationPrinter) -> str:
    """The output layer's answer, from the network's own last definitions (seed 002: "I am only as good as the
    hidden layer and weights below me"): ŷ = O(W_L h_{L-1} + b_L), so the loss asks W_L, b_L and h_{L-1} in turn."""
    network, equations = derivation.network, derivation.forward_vector
    if len(equations) < 2 or network.bias == "neuron":
        return f"{TOLD}“For my part, yes; but look at the weights and the outputs below me.”"
    weighted, output = equations[-2:]
    at = printer.relabel(labels(printer.notation, "z", network.depth, "L"))
    nested = at.doprint(output.rhs.xreplace({weighted.lhs: weighted.rhs}))
    rank = {"W": 0, "b": 1}  # the weights, the bias, then the outputs below

    def order(matrix: sp.MatrixSymbol) -> tuple[int, str]:
        return rank.get(symbols.kind_of(matrix.name) or "", 2), matrix.name

    below = [at.doprint(symbol) for symbol in sorted(weighted.rhs.atoms(sp.MatrixSymbol), key=order)]
    asked = ", ".join(f"${name}$" for name in below[:-1]) + f" and ${below[-1]}$"
    return (f"{TOLD}“For my part, yes; but I am only as good as the layer below me and the weights between us”, "
            f"since ${at.doprint(output.lhs)} = {nested}$. So we ask {asked}, one by one: “Where did you go wrong?”")


def _hidden_answer(derivation: Derivation, printer: NotationPrinter) -> str:
    """The last hidden layer's answer, from the network's own definitions: its outputs are only as good as their
    pre-activation, h_{L-1} = g(a_{L-1}), and that as the weights and outputs below it, a_{L-1} = W_{L-1} h_{L-2} +
    b_{L-1}; nothing for a network without a hidden layer or with bias units."""
    network, equations = derivation.network, derivation.forward_vector
    if network.depth < 2 or network.bias == "neuron":
        return ""
    weighted, output = equations[-4:-2]
    at = printer.relabel(labels(printer.notation, "z", network.depth, "L"))
    return ("The weights and the bias take full responsibility. The outputs "
            f"${at.doprint(output.lhs)}$ answer: “We are only as good as our pre-activation”, "
            f"${at.doprint(output.lhs)} = {at.doprint(output.rhs)}$; and the pre-activation: “I am only as good as "
            f"the weights and the outputs below me”, ${at.doprint(weighted.lhs)} = {at.doprint(weighted.rhs)}$.")


def _groups(factors: Sequence[str], depth: int) -> list[str]:
    """The factors braced by the layer each pair belongs to: the output layer, each hidden layer from the top,
    and last the weight's own factor."""
    names = [("ask the output", "layer"), *(("ask hidden", f"layer {layer}") for layer in range(depth - 1, 0, -1)),
             ("then ask", "the weight")]
    pairs = [factors[i:i + 2] for i in range(0, len(factors) - 1, 2)] + [[factors[-1]]]
    return [_braced(" ".join(pair), name) for pair, name in zip(pairs, names)]


def _broken(lhs: str, pieces: Sequence[str], width: float, why: str = "") -> Display:
    """``lhs = pieces...``, the pieces (factors of one product) run on to a new line where the page is full."""
    room = width - visual_width(lhs) - 3.0
    beside = note_room(why) if why else 0.0
    shown = pack(pieces, room - beside, room, r"\, ".join)
    first = Line(lhs, "=", shown[0], why)
    return Display((first, *(Line("", "", rf"\quad {row}") for row in shown[1:])))


__all__ = ["PART_SIGNS", "road_map", "thin_section"]
