"""Seed 002's vectors, laid out: each general-neuron result for a whole layer at once, its entries stacked, the
result in each entry, then one vector (:func:`symbackprop.derive.stacking.stacked` derives them; the verifier checks
each line entry by entry), as seed 002 builds ∇_{h_k} L = W_{k+1}ᵀ ∇_{a_{k+1}} L from the columns of W_{k+1}.
"""

from __future__ import annotations

import sympy as sp

from ..derive import general
from ..derive.argument import Argument
from ..derive.chain import COST
from ..derive.derivation import Step
from ..derive.stacking import general_entry
from ..model import symbols
from ..model.rules import Rule
from ..notation.display import Display, Line, chain
from ..notation.matrices import bracketed
from ..notation.printer import NotationPrinter
from ..notation.written import written
from .notes import note
from .sections import Block, display, figure_ref, text
from .summary import labels


def stacked_blocks(argument: Argument, letters: dict[str, str], printer: NotationPrinter,
                   shown: NotationPrinter, pictured: str = "") -> list[Block]:
    """Seed 002's vector of a result: its entries, the result in each, then the vector it makes, ``shown`` writing
    the argument's layers (L, k, k+1); a weight's and a bias's written out for the layer :func:`_parameter_layer`
    names. ``pictured``: the label of the figure that pictures the vector ("left figure in Table 1")."""
    before: list[Block] = []
    if argument.name in ("weight", "bias"):
        intro, shown = _parameter_layer(argument, printer)
        if not intro:  # a square weight matrix: of any size n first
            before, intro = _any_size(argument, shown)
    else:
        here = _here(argument.layer, shown) if argument.layer < printer.network.depth else ""  # its entries: to p
        at_once = f" ({figure_ref(pictured)})" if pictured else ""
        intro = f"For every neuron ${letters['j']}$ of the layer at once{at_once}, the entries stacked{here}:"
        if argument.name == "activation":  # seed 002's column argument: W_{k+1,·,i}, column i of W_{k+1}
            intro = intro[:-1] + f"; {_column_words(argument, shown)}:"
            before = _two_vectors(argument, letters, shown)
        if argument.name == "softmax":  # seed 002: "So far we have derived ... We can now write the gradient"
            lhs = shown.doprint(general.with_letters(argument.lhs, letters))
            found = written(general.with_letters(argument.lines[-1].result, letters), shown)
            intro = f"So far, for one neuron ${letters['j']}$: ${lhs} = {found}$. {intro}"
    rows = [([_vector(step, argument, letters, shown)], note(step.rule)) for step in argument.stacked]
    return [*before, text(intro), display(chain(shown.doprint(argument.stacked[0].lhs), rows, printer.width))]


def _vector(step: Step, argument: Argument, letters: dict[str, str], printer: NotationPrinter) -> str:
    """A stacked line as written: entry by entry for a vector of the output layer where the notation has a letter
    for its width, as seed 002 writes ∇_ŷ L and ∇_{a_L} L, ``[∂L/∂a_{L1}; ∂L/∂a_{L2}; ⋮; ∂L/∂a_{Lp}]``: the first
    two entries of the line the verifier checks, then the general entry for neuron p."""
    if not isinstance(step.result, sp.MatrixBase):
        return written(step.result, printer)
    result = step.result.applyfunc(lambda entry: general.with_letters(entry, letters))
    count, network = printer.notation.output_count, printer.network
    by_entry = step.rule in (Rule.DEFINITION, Rule.ENTRY_BY_ENTRY)
    if not (count and by_entry and argument.layer == network.depth and result.shape == (network.layers[-1], 1)
            and result.rows >= 2):
        return written(result, printer)
    last = general.with_letters(general.with_letters(general_entry(argument, step.rule), {"j": count}), letters)
    return bracketed([[written(result[0], printer)], [written(result[1], printer)], [r"\vdots"],
                      [written(last, printer)]])


def _two_vectors(argument: Argument, letters: dict[str, str], printer: NotationPrinter) -> list[Block]:
    """Seed 002's two vectors, the gradient by the next layer's weighted inputs and column i of its weights, whose
    product is the sum ∂L/∂h_ki = Σ_m ∂L/∂a_{k+1,m} W_{k+1,m,i}: so ∂L/∂h_ki = Σ_m ... = (W_{k+1,·,i})ᵀ ∇_{a_{k+1}}
    L, the argument's last line and entry i of the stacked line the verifier checks entry by entry (``printer``
    writes the layers k and k+1)."""
    above, i = argument.layer + 1, letters["j"]
    width = printer.network.layers[above]
    gradient = printer.doprint(argument.stacked[-1].result.args[-1])  # ∇_{a_{k+1}} L, as the stacked line ends

    def entries(kind: str) -> str:  # the vector's entries, m = 1, 2, ...
        inputs = [sp.Symbol(symbols.element("z", above, m), real=True) for m in range(1, width + 1)]
        shown = [sp.Derivative(COST, z, evaluate=False) for z in inputs] if kind == "gradient" else \
            [sp.Symbol(symbols.element("W", above, m, i), real=True) for m in range(1, width + 1)]
        return bracketed([[printer.doprint(entry)] for entry in shown])

    column = printer.column(above, i)
    lhs = printer.doprint(general.with_letters(argument.lhs, letters))
    weighted = next(line for line in argument.lines if line.rule is Rule.LOCAL_LINEAR)  # Σ_m ∂L/∂a_m W_mi
    total = written(general.with_letters(weighted.result, letters), printer)
    return [text(f"Consider the two vectors{_here(argument.layer, printer)}"),
            display(Display((Line(gradient, "=", entries("gradient")), Line(column, "=", entries("weights"))))),
            text(f"the gradient with respect to the weighted inputs of layer ${printer.notation.layer_letter}+1$ and "
                 f"column ${i}$ of its weights. The sum above is the product of one, transposed, and the other:"),
            display(Display((Line(lhs, "=", f"{total} = ({column})^{{\\top}} {gradient}"),)))]


def _any_size(argument: Argument, printer: NotationPrinter) -> tuple[list[Block], str]:
    """Seed 002's gradient of a square weight matrix of any size n, its entries with dots, ``[∂L/∂W_{k11} ...
    ∂L/∂W_{k1n}; ...; ∂L/∂W_{kn1} ... ∂L/∂W_{knn}]``, then the words that lead to the same matrix for this
    network's n (the first line of the stacked steps, checked entry by entry; ``printer`` writes the layer as k)."""
    definition = argument.stacked[0]
    layer, n = definition.layer, printer.network.layers[definition.layer]
    (first,) = definition.result[0, 0].variables  # the weight of entry (1, 1), whose letters the others take
    positions = (1, 2, "n")

    def entry(row: int | str, column: int | str) -> str:
        weight = sp.Symbol(symbols.element("W", layer, row, column), **first.assumptions0)
        return printer.doprint(definition.result[0, 0].xreplace({first: weight}))

    rows = [[entry(row, column) for column in positions[:2]] + [r"\cdots", entry(row, "n")] for row in positions[:2]]
    rows += [[r"\vdots", r"\vdots", r"\ddots", r"\vdots"], [entry("n", column) for column in positions[:2]]
             + [r"\cdots", entry("n", "n")]]
    weights = printer.stored(sp.MatrixSymbol(symbols.matrix("W", layer), n, n))
    l = printer.notation.layer_letter
    lead = (f"For every weight of a layer ${l}$ at once, the entries stacked, for a square ${weights} \\in "
            "\\mathbb{R}^{n \\times n}$:")
    shown = Line(printer.doprint(definition.lhs), "=", bracketed(rows), note(definition.rule))
    return ([text(lead), display(Display((shown,)))],
            f"A small example, $n = {n}${_here(layer, printer)}, to see what each entry is:")


def _here(layer: int, printer: NotationPrinter) -> str:
    """`` (here k = 2)``: the layer a general layer's vectors are written out for, whose widths they have."""
    return f" (here ${printer.notation.layer_letter} = {printer.notation.bare_layer('z', layer)}$)"


def _column_words(argument: Argument, printer: NotationPrinter) -> str:
    """``W_{k+1,·,1}, W_{k+1,·,2}, ... are the columns of W_{k+1}``: what the column argument writes as vectors."""
    above = argument.layer + 1
    rows, columns = printer.network.layers[above], printer.network.layers[above - 1]
    weights = sp.MatrixSymbol(symbols.matrix("W", above), rows, columns)
    named = [printer.doprint(weights[:, c:c + 1]) for c in range(min(columns, 2))]
    return f"{', '.join(f'${column}$' for column in named)}, $\\ldots$ are the columns of ${printer.stored(weights)}$"


def _parameter_layer(argument: Argument, printer: NotationPrinter) -> tuple[str, NotationPrinter]:
    """Where a parameter's vector is stacked (:func:`symbackprop.derive.stacking.parameter_layer`), in words, and
    the printer that writes that layer: the output layer as L, or a layer k whose weights are square, as seed 002
    assumes of its W_k, with the layers it stands for here (no words for such a weight matrix: it is shown of any
    size first)."""
    network, layer = printer.network, argument.stacked[0].layer
    if layer == network.depth:
        return (f"For every {argument.name} of the output layer $L$ at once, the entries stacked:",
                printer.relabel(labels(printer.notation, "z", layer, "L")))
    l, n = printer.notation.layer_letter, network.layers[layer]
    at = printer.relabel(labels(printer.notation, "z", layer))
    if argument.name == "weight":  # seed 002's of any size n, then an example (:func:`_any_size`)
        return "", at
    size = f"${at.stored(sp.MatrixSymbol(symbols.matrix('b', layer), n, 1))} \\in \\mathbb{{R}}^{{{n}}}$"
    return f"For every {argument.name} of a layer ${l}$ at once, the entries stacked, for {size}{_here(layer, at)}:", at
