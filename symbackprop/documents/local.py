"""The local derivatives a chain-rule line works out without naming them, said with the definition each comes from
(``∂Z^{(3)}_j/∂w^{(2)}_{jk} = a^{(2)}_k``, since ``Z^{(3)}_j = Σ_m w^{(2)}_{jm} a^{(2)}_m + w^{(2)}_{j0}``): the
element form's displays and seed 000's chains say them once, before a display or in a line's note. Each comes from
:func:`symbackprop.derive.reasoning.local_derivatives`, which ``--verify`` checks at every layer, for every neuron.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..derive import general, reasoning
from ..derive.argument import Reasoned
from ..derive.reasoning import SUM
from ..notation.printer import NotationPrinter
from ..notation.written import written


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
    layer's neurons, goodfellow's outputs); None where the layer has no such
    derivative (a bias of a network without biases, a softmax's ∂a/∂z)."""
    notation = printer.notation
    neuron = notation.indices[0] if j is None else j
    other = notation.indices[2 if name == "input" else 1] if k is None else k
    total = next(letter for letter in "mqrs" if letter not in (str(neuron), other))
    # a letter of the notation's that is the engine's own summation index (goodfellow's m) stands in as another
    # while the derivative is built, so that the sum's index and the neuron's stay two letters
    stand_in = {SUM: "u"} if SUM in (neuron, other) else {}  # (u: no notation's neuron letter)
    line: Reasoned | None = reasoning.local_derivatives(
        printer.network, layer, *(stand_in.get(each, each) if isinstance(each, str) else each
                                  for each in (neuron, other))).get(name)
    if line is None or line.local is None:
        return None
    letters = {SUM: total, **{stand: letter for letter, stand in stand_in.items()}}

    def shown(expr: sp.Basic) -> str:
        return written(general.with_letters(expr, letters), printer)

    return Said(f"{shown(line.local.lhs)} = {shown(line.local.rhs)}",
                ", ".join(f"{shown(eq.lhs)} = {shown(eq.rhs)}" for eq in line.since))


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
