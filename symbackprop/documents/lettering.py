"""Which letters and layers a general argument is printed in: the notation's letters for the derivation's j and k,
seed 002's own letters for some arguments, the printer writing the argument's layer as ``L`` or ``l``, and whether
"for this network" writes the network's own layers (used by :mod:`.argued` and :mod:`.substituted`).
"""

from __future__ import annotations

import dataclasses

from ..derive.argument import Argument, Reasoned
from ..derive.reasoning import SUM
from ..notation.printer import NotationPrinter
from .routes import route
from .summary import labels


def lettered(argument: Argument, printer: NotationPrinter) -> NotationPrinter:
    """``printer``, or one writing ``argument``'s layer and neuron in the letters its seed gives that argument
    (seed 002's hidden units: layer i, neuron j)."""
    letters = route(printer.notation).lettered.get(argument.name)
    if letters is None:
        return printer
    layer, neuron = letters
    return printer.with_notation(dataclasses.replace(printer.notation, layer_letter=layer,
                                                     indices=(neuron, *printer.notation.indices[1:])))


def notation_letters(argument: Argument, printer: NotationPrinter) -> dict[str, str]:
    """The derivation's letters j and k -> the notation's (k the layer above in BP2, the layer below otherwise, j'
    the softmax's sum over the same layer)."""
    j, below, above = printer.notation.indices
    k = above if argument.name in ("hidden", "activation", "through_output") else below
    if argument.name == "softmax":  # its sum over the output layer, beside neuron j: j' (seed 002's i')
        k = f"{j}'"
    if argument.name == "output" and printer.network.layers[-1] == 1 and route(printer.notation).dynamics:
        j = "1"  # seed 003's one output neuron, as its dynamics write it (a_y, y): its j is the hidden neurons'
    counts = "np" + printer.notation.next_count if printer.notation.sum_limits else ""  # the limits' letters
    target = printer.notation.letter("y")  # (seed 003's r^ℓ)
    # (r before q: seed 002's chain rule along multiple paths names its functions p and q_m)
    return {"j": j, "k": k, SUM: next(letter for letter in "mnprq" if letter not in (j, k, target, *counts))}


def rule_printer(argument: Argument, printer: NotationPrinter, general_layer: bool = False) -> NotationPrinter:
    """The printer writing the argument's layer as L (the output layer's error term), L-1 (a hidden neuron's output
    where the seed argues the last hidden layer first, unless ``general_layer``) or l."""
    if argument.name == "activation" and route(printer.notation).last_hidden_first and not general_layer:
        return printer.relabel(labels(printer.notation, "z", argument.layer + 1, "L"))
    output = argument.name in ("output", "softmax", "prediction")
    return printer.relabel(labels(printer.notation, "z", argument.layer, "L" if output else None))


def this_network(argument: Argument, printer: NotationPrinter) -> tuple[tuple[Reasoned, ...], NotationPrinter]:
    """The argument's lines "for this network" as the document shows them (seed 003's by the weighted input, where
    its route says so), and the printer they are written in: each activation by its name (σ'(a_j), not h'(a_j)),
    this network's own layers where it writes them (v_j, δ_y)."""
    named = printer.with_names()
    by_input = argument.by_input and route(printer.notation).by_weighted_input
    return (argument.by_input if by_input else argument.concrete,
            named.relabel({}) if own_layers(argument, printer) else named)


def own_layers(argument: Argument, printer: NotationPrinter) -> bool:
    """Whether "for this network" writes the argument's own layer, not the general l: as seed 003's example does,
    and wherever the hidden layers' activations differ, for no one of them is every hidden layer's."""
    return route(printer.notation).example_last or printer.per_layer and argument.layer < printer.network.depth
