"""The local derivatives a chain-rule line works out without naming them, said with the definition each comes from
(``∂Z^{(3)}_j/∂w^{(2)}_{jk} = a^{(2)}_k``, since ``Z^{(3)}_j = Σ_m w^{(2)}_{jm} a^{(2)}_m + w^{(2)}_{j0}``): the
element form's displays and seed 000's chains say them once, before a display or in a line's note. Each comes from
:func:`symbackprop.derive.reasoning.local_derivatives`, which ``--verify`` checks at every layer, for every neuron.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..derive import reasoning
from ..derive.argument import Reasoned
from ..derive.derivation import Rule
from ..model.architecture import Architecture
from ..notation.display import visual_width
from ..notation.printer import NotationPrinter
from ..notation.written import written
from .notes import note
from .sections import error_term


@dataclass(frozen=True)
class Said:
    """A local derivative as printed: ``local`` (``∂z_j/∂w_{jk} = a_k``) and ``since``, the definition it comes
    from (``z_j = Σ_m w_{jm} a_m + b_j``), LaTeX math each."""

    local: str
    since: str


def said(printer: NotationPrinter, layer: int, name: str, j: str | int | None = None, k: str | None = None
         ) -> Said | None:
    """The local derivative ``name`` of :func:`~symbackprop.derive.reasoning.local_derivatives` at ``layer`` for
    neuron ``j`` and ``k`` (where None, the notation's letters: a neuron of the layer, one of the layer below, or
    above for ``"input"``), the definition's sum over a letter of neither (m, else q: never n or p, which count a
    layer's neurons, goodfellow's outputs); None where the layer has no such derivative (a bias of a network without
    biases, a softmax's ∂a/∂z)."""
    notation = printer.notation
    neuron = notation.indices[0] if j is None else j
    other = notation.indices[2 if name == "input" else 1] if k is None else k
    total = next(letter for letter in "mqrs" if letter not in (str(neuron), other))
    line: Reasoned | None = reasoning.local_derivatives(printer.network, layer, neuron, other, total).get(name)
    if line is None or line.local is None:
        return None
    return Said(f"{written(line.local.lhs, printer)} = {written(line.local.rhs, printer)}",
                ", ".join(f"{written(eq.lhs, printer)} = {written(eq.rhs, printer)}" for eq in line.since))


def in_words(found: Said) -> str:
    """``$∂z_j/∂w_{jk} = a_k$, since $z_j = Σ_m w_{jm} a_m + b_j$``, in a sentence."""
    return f"${found.local}$, since ${found.since}$"


def in_note(*found: Said) -> str:
    """Local derivatives in a note, each with its definition where it has one: ``∂z_k/∂a_j = w_{kj}, since z_k = ...;
    ...`` (the fractions text-sized, as small as the note's words)."""
    return r";\ ".join(rf"{{\textstyle {each.local}}}" + (rf"\text{{, since }} {each.since}" if each.since else "")
                        for each in found)


#: A note's pointer to the factors of a parameter's chain (its error term, its last factor worked out), said in the
#: sentence before the display: the chain's note then cites the chain rule alone.
FACTORS_ABOVE = r"\text{its factors as above}"


def hidden_note(network: Architecture, layer: int, j: int, printer: NotationPrinter, room: float | None = None) -> str:
    """The note of a hidden neuron's chain, its result: the next layer's error terms named, and the local derivatives
    it works out, each with its definition, ``∂z^{l+1}_k/∂a^l_j = w^{l+1}_{kj}, since z^{l+1}_k = ...`` and
    ``∂a^l_j/∂z^l_j = g'(z^l_j), since a^l_j = g(z^l_j)``, where the note fits a line of the page (else the last
    definitions left to the set-up's forward pass, which states them); none for the output layer (its own notes say
    them); ``room``, the width it may take where less than a line (beside a worked example's left side)."""
    if layer == network.depth:
        return ""
    found = [one for name in ("input", "activation") if (one := said(printer, layer, name, j)) is not None]
    delta, defined = error_term(printer, layer, "j")  # (where δ is written as ∂c/∂z, no δ is named)
    named = [note(Rule.ERROR_TERM)] if delta != defined else []
    for kept in range(len(found), -1, -1):  # their definitions, as many as a line of the page holds (the first's
        shown = [each if n < kept else dataclasses.replace(each, since="") for n, each in enumerate(found)]  # first)
        why = r";\ ".join([*named, in_note(*shown)])
        if visual_width(why) <= (printer.width if room is None else room):  # no wider than a line (``room``)
            break
    return why
