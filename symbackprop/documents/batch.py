"""The batch form: the examples as the columns of matrices, layer by layer or, as seed 002 lists it, once for a
general layer.

Layer by layer, each quantity is its chain of equalities with the note for each step, as the other forms. In
general (seed 002's §5.2, route flag ``general_batch``), each equation is printed once, from the layer that
stands for every layer with its number relabelled (the output layer as ``L``, the last hidden layer as ``k``, the
next as ``k+1``), beside the layers it holds for: each line is a step the engine derived and the verifier checked
for that layer, and the same step of every other layer prints the same (tests/documents/test_batch.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import sympy as sp

from ..derive.derivation import Derivation, Step
from ..derive.forms import M
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.display import Display, Line
from ..notation.printer import NotationPrinter
from ..notation.written import for_every
from . import sections as sec
from . import sizes
from .routes import say
from .sections import Block, display, text
from .summary import labels, span

#: Why each line of the general batch form holds, after them (``{cost}``, ``{costs}``: the seed's words).
WHY = ("Each is the one-example equation applied to all $m$ examples at once, one column each: the output layer's is "
       "divided by $m$, since the {cost} is the mean of the examples' {costs}; a weight matrix's gradient adds up "
       "one outer product per example; and a bias enters every column, so its gradient adds up the columns'.")


def with_batch(derivation: Derivation) -> Derivation:
    """``derivation``, with the batch form derived now if it was not asked for."""
    if derivation.batch:
        return derivation
    from ..derive.forms import batch_form

    results, steps = batch_form(derivation.network)
    return dataclasses.replace(derivation, batch=results, steps=derivation.steps + tuple(steps))


def forward_blocks(network: Architecture, printer: NotationPrinter, general: bool = False) -> list[Block]:
    """What the input matrix and the ones vector are, before the forward pass; for a general layer (``general``),
    its size in seed 002's letters, n features by m examples."""
    inputs = printer.doprint(sp.MatrixSymbol(symbols.matrix("X"), 1, 1))
    n = network.layers[0]
    each = f", $n = {n}$ features each" if general else ""
    return [text(f"The $m$ examples are the columns of the input matrix ${inputs} \\in "
                 f"{sizes.space(sizes.inputs(network, general))}${each}.{_ones(network, printer)} Forward pass:")]


def by_layer_forward(derivation: Derivation, printer: NotationPrinter) -> Display:
    """Every layer's weighted inputs and activations, for the whole batch."""
    forward = [(k, derivation.batch[k]) for l in range(1, derivation.network.depth + 1)
               for k in (symbols.matrix("Z", l), symbols.matrix("A", l))]
    return Display(tuple(Line(printer.doprint(sp.MatrixSymbol(k, 1, 1)), "=", printer.doprint(v))
                         for k, v in forward))


def general_blocks(derivation: Derivation, printer: NotationPrinter) -> list[Block]:
    """Seed 002's §5.2: the forward and the backward pass of a batch, each equation once, for a general layer,
    with the layers it holds for."""
    network, notation = derivation.network, printer.notation
    L = network.depth
    groups = sec.group(derivation.steps_of("batch"))

    def at(kind: str, layer: int, letter: str | None = None) -> NotationPrinter:
        return printer.relabel(labels(notation, kind, layer, letter))

    def every(kind: str, last: int, given: str = "") -> str:
        return for_every(notation.layer_letter, span(notation, network, kind, 1, last), notation.stepped) + given

    def forward(key: str, shown: NotationPrinter, why: str = "") -> Line:
        value = as_layer_0(derivation.batch[key])
        return Line(shown.doprint(sp.MatrixSymbol(key, 1, 1)), "=", shown.doprint(value), why)

    given = (f"\\text{{, with }} {printer.doprint(sp.MatrixSymbol(symbols.matrix('A', 0), 1, 1))} = "
             f"{printer.doprint(sp.MatrixSymbol(symbols.matrix('X'), 1, 1))}")
    lines = [forward(symbols.matrix("Z", L), at("z", L), every("z", L, given))]
    if L > 1:
        lines.append(forward(symbols.matrix("A", L - 1), at("a", L - 1), every("a", L - 1)))
    lines.append(forward(symbols.matrix("A", L), at("a", L, "L")))
    # as the seed lists them: the parameters' gradients, then the output layer's, then a hidden one's
    backward = [line for kind in ("W", "b") if symbols.matrix(kind, L) in groups
                for line in _quantity(groups[symbols.matrix(kind, L)], at("W", L), every("W", L))]
    backward += _quantity(groups[symbols.matrix("delta", L)], at("z", L, "L"))
    if L > 1:
        backward += _quantity(groups[symbols.matrix("delta", L - 1)], at("delta", L - 1), every("delta", L - 1))
    columns = ""
    if L > 1:  # the gradients by a hidden layer's outputs and weighted inputs, as matrices of m columns
        hidden = at("delta", L - 1)
        named = [hidden.doprint(sp.Derivative(sp.Symbol("C"), sp.MatrixSymbol(symbols.matrix(kind, L - 1), 1, 1),
                                              evaluate=False)) for kind in ("A", "Z")]
        columns = f", where ${named[0]}$ and ${named[1]}$ hold one column per example"
    blocks = [*forward_blocks(network, printer, general=True), display(Display(tuple(lines))),
              text(f"Backward pass{columns}:"), display(Display(tuple(backward)))]
    if network.loss.sparse:
        blocks.append(onehot_matrix(network, printer))
    return [*blocks, text(WHY.format(cost=say(printer.notation, "cost"), costs=say(printer.notation, "costs")))]


def _quantity(steps: Sequence[Step], printer: NotationPrinter, holds: str = "") -> list[Line]:
    """One quantity's chain of equalities, the layers it holds for beside its last line in place of the notes
    (said once, after the display)."""
    lines = [Line(line.lhs, line.rel, line.rhs) for line in sec.quantity_display(
        [step_at_layer_0(step) for step in steps], printer).lines]
    return [*lines[:-1], Line(lines[-1].lhs, lines[-1].rel, lines[-1].rhs, holds)]


def as_layer_0(expr: sp.Basic) -> sp.Basic:
    """``expr`` with the input matrix X written as the activations of layer 0, H_0: the first layer's step as
    every other layer's (a network of one layer stands for its own)."""
    return expr.replace(lambda e: isinstance(e, sp.MatrixSymbol) and e.name == symbols.matrix("X"),
                        lambda e: sp.MatrixSymbol(symbols.matrix("A", 0), *e.shape))


def step_at_layer_0(step: Step) -> Step:
    """``step`` with the input matrix X written as H_0 (:func:`as_layer_0`) on both its sides."""
    return dataclasses.replace(step, lhs=as_layer_0(step.lhs), result=as_layer_0(step.result))


def onehot_matrix(network: Architecture, printer: NotationPrinter) -> Block:
    """The definition of the one-hot label matrix (E) where the batch form first uses it: p × m where the notation
    has a letter for the outputs' count (seed 002's E ∈ R^{p×m})."""
    n = network.layers[-1]
    matrix = printer.doprint(sp.MatrixSymbol(symbols.matrix("Y"), n, 1))
    vector = printer.doprint(sp.MatrixSymbol(symbols.matrix("y"), n, 1))
    size = sizes.space(sizes.onehot(network, printer.notation))
    return text(f"where ${matrix} \\in {size}$ is the one-hot matrix of the labels: each "
                f"column is the one-hot vector ${vector}$ of one example's label.")


def _ones(network: Architecture, printer: NotationPrinter) -> str:
    """What the batch's ones vector is, where a layer's bias is repeated across the examples by it."""
    if network.bias not in ("vector", "shared"):
        return ""
    ones = printer.doprint(sp.OneMatrix(M, 1))
    return (f" The vector ${ones} \\in {sizes.space(sizes.ones())}$ holds $m$ ones: a layer's bias times "
            f"${printer.doprint(sp.OneMatrix(1, M))}$ repeats the bias in each of its $m$ columns, one per example.")


__all__ = ["as_layer_0", "by_layer_forward", "forward_blocks", "general_blocks", "onehot_matrix", "step_at_layer_0",
           "with_batch"]


def joined(blocks: Sequence[Block]) -> list[Block]:
    """``blocks`` with each run of one-line displays one after another (the gradients ∂C/∂W^l = Δ^l (A^{l-1})ᵀ,
    ∂C/∂b^l = Δ^l 1_m) set as one aligned display: one display skip above and below the run, not one per line. A
    display that is numbered, labelled or breakable stays on its own."""
    found: list[Block] = []
    run: list[Block] = []

    def close() -> None:
        if len(run) > 1:
            found.append(display(Display(tuple(block.display.lines[0] for block in run if block.display))))
        else:
            found.extend(run)
        run.clear()

    for block in blocks:
        shown = block.display
        if shown is not None and len(shown.lines) == 1 and not (shown.label or shown.tag or shown.breakable):
            run.append(block)
        else:
            close()
            found.append(block)
    close()
    return found
