"""The claim "for every layer l": BP2 to BP4 are printed from one layer's steps (the last hidden layer's, the
output layer's) with its number written as the general l, and stated for every layer. ``--verify`` checks the
claim where the documents make it: printed the same way from each other layer's own steps, each equation must
read the same, letter for letter.

A layer whose activation differs from the one printed makes the check fail unless the printer writes each layer's
activation as its own (σ_l, g_ℓ; :attr:`~symbackprop.notation.printer.NotationPrinter.per_layer`), as the
documents do for such a network. The first layer's input is read as layer 0's output (a^{l-1} at l = 1).

A layer of one neuron writes the ones vector 𝟏 as the number 1 (SymPy's 1 × 1 ones matrix is the identity,
printed 1): where the layer printed or the layer compared has one neuron, 𝟏 and 1 read alike.

BP2's reading through the outputs (seed 002's ∇_{h_k} L ⊙ g'(a_k)) is the stacked result of the argument for one
hidden neuron, which ``--verify`` checks at that layer; it is not compared here.
"""

from __future__ import annotations

from ..derive.derivation import Derivation
from ..derive.truth import VerificationError
from ..derive.verify import Verification
from ..notation.printer import NotationPrinter
from .summary import BP, bp_equations

#: The equations stated for every hidden layer, and those stated for every layer of weights.
HIDDEN, WEIGHTED = ("BP2",), ("BP3", "BP4")
#: The ones vector as the printer writes it (:meth:`~symbackprop.notation.matrices.MatrixPrinting._print_OneMatrix`).
ONES = r"\mathbf{1}"


def verified(derivation: Derivation, printer: NotationPrinter) -> Verification:
    """Each of BP2, BP3 and BP4, as the documents state it for every layer, against the same equation printed from
    each other layer's own steps: one step per layer the claim covers beyond the one printed.

    Raises:
        VerificationError: a layer whose own equation reads otherwise, naming the layer and both readings.
    """
    widths, depth = derivation.network.layers, derivation.network.depth
    stated = {equation.tag: equation for equation in bp_equations(derivation, printer)}
    checked = 0
    for tags, layers, which, top in ((HIDDEN, range(1, depth - 1), "hidden", depth - 1),
                                     (WEIGHTED, range(1, depth), "weights", depth)):
        for layer in layers:
            own = bp_equations(derivation, printer, **{which: layer})
            scalar = 1 in (widths[layer], widths[top])  # (𝟏 of one entry is printed 1)
            for equation in (equation for equation in own if equation.tag in tags):
                if _claim(equation, scalar) != _claim(stated[equation.tag], scalar):
                    raise VerificationError(
                        f"{equation.tag} is stated for every layer as {_reading(stated[equation.tag])}, but "
                        f"layer {layer}'s own steps give {_reading(equation)}")
                checked += 1
    return Verification(checked, 0, 0, 0, 0)


def _claim(equation: BP, scalar: bool) -> tuple[str, ...]:
    """What an equation states of every layer: all it reads but the reading through the outputs; with ``scalar``
    the ones vector written as the number 1, as a layer of one neuron writes it."""
    said = (equation.lhs, equation.final, equation.concrete, equation.defined)
    return tuple(text.replace(ONES, "1") for text in said) if scalar else said


def _reading(equation: BP) -> str:
    """An equation as the message quotes it: its left side, each right side it states."""
    return " = ".join(text for text in (equation.lhs, equation.general, equation.final, equation.concrete) if text)
