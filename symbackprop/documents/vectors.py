"""Seed 002's vectors, laid out: each general-neuron result for a whole layer at once, its entries stacked, the
result in each entry, then one vector (:func:`symbackprop.derive.stacking.stacked` derives them; the verifier checks
each line entry by entry), as seed 002 builds ∇_{h_k} L = W_{k+1}ᵀ ∇_{a_{k+1}} L from the columns of W_{k+1}.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import replace

import sympy as sp

from ..derive import general, stated
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
from . import sizes
from .notes import note
from .sections import Block, display, figure_ref, text
from .summary import labels

#: Seed 002's letter for the width of a hidden layer (it assumes W_k ∈ R^{n×n}).
HIDDEN_WIDTH = "n"


def stacked_blocks(argument: Argument, letters: dict[str, str], printer: NotationPrinter,
                   shown: NotationPrinter, leads: Mapping[str, tuple[str, str]], pictured: str = "") -> list[Block]:
    """Seed 002's vector of a result: its entries, the result in each, then the vector it makes, ``shown`` writing
    the argument's layers (L, k, k+1); a weight's and a bias's written out for the layer :func:`_parameter_layer`
    names. ``leads``: the words that turn to a neuron's vector, by argument (the route's ``stacked``);
    ``pictured``: the label of the figure that pictures the vector ("left figure in Table 1")."""
    before: list[Block] = []
    if argument.name in ("weight", "bias"):
        intro, shown = _parameter_layer(argument, printer)
        if not intro:  # a square weight matrix: of any size n first
            before, intro = _any_size(argument, shown)
    else:
        here = _count(argument, shown)
        at_once = f" ({figure_ref(pictured)})" if pictured else ""
        head, tail = leads.get(argument.name, leads[""])
        intro = f"{head.format(j=letters['j'])}{at_once}{here}{tail}:"
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
    """A stacked line as written: entry by entry where the notation has a letter for the layer's width
    (:func:`_width`), with dots, as seed 002 writes its vectors, ``[∂L/∂a_{L1}; ∂L/∂a_{L2}; ⋮; ∂L/∂a_{Lp}]``
    (:func:`_dotted`); else as it is."""
    factor: sp.Basic = sp.S.One
    if step.rule is Rule.COMMON_FACTOR:  # -1/ŷ_ℓ [1_{ℓ=1}; ...]: the factor taken out, before its column
        factor, column = step.result.args
        step = replace(step, result=column)
    dotted = _dotted(step, argument, _width(step, printer), factor)
    before = "" if factor == 1 else written(factor, printer) + " "
    if dotted is None:
        shown = step.result
        if isinstance(shown, sp.MatrixBase):
            shown = shown.applyfunc(lambda entry: general.with_letters(entry, letters))
        return before + written(shown, printer)
    rows = [written(general.with_letters(entry, letters), printer) for entry in dotted]
    return before + bracketed([[rows[0]], [rows[1]], [r"\vdots"], [rows[2]]])


def _dotted(step: Step, argument: Argument, letter: str,
            factor: sp.Basic = sp.S.One) -> tuple[sp.Basic, sp.Basic, sp.Basic] | None:
    """The first two entries of a stacked line, as the verifier checks them, and its entry for the last neuron,
    ``letter`` (p or n): the general entry, where it gives every entry the line checks (a general neuron's
    result or quantity, the result with ``factor`` taken out, or a column of the weights times a vector,
    ``(W_{k+1,·,n})ᵀ ∇_{a_{k+1}} L``); None where there is no such entry."""
    entry: Callable[[int | str], sp.Basic]
    if not letter:
        return None
    stacked = (Rule.DEFINITION, Rule.ENTRY_BY_ENTRY, Rule.COMMON_FACTOR)
    if isinstance(step.result, sp.BlockMatrix):
        checked = [step.result.blocks[row, 0] for row in range(step.result.blocks.rows)]
        entry = functools.partial(_column_times, checked[0])
    elif isinstance(step.result, sp.MatrixBase) and step.rule in stacked:
        checked = list(step.result)  # (a bias's vector is stacked in the layer of the weights, the argument's any)
        form = general_entry(argument, step.rule) / factor
        entry = functools.partial(_of_neuron, _in_layer(form, argument.layer, step.layer))
    else:
        return None
    if len(checked) < 2 or [entry(i) for i in range(1, len(checked) + 1)] != checked:
        return None
    return checked[0], checked[1], entry(letter)


def _in_layer(form: sp.Basic, layer: int, other: int) -> sp.Basic:
    """A general entry of ``layer``'s written for the layer ``other``: each of its symbols of that layer moved
    (∂L/∂b_{3j} = ∂L/∂a_{3j} for layer 2, ∂L/∂b_{2j} = ∂L/∂a_{2j})."""
    def moved(symbol: sp.Symbol) -> sp.Symbol:
        info = symbols.describe(symbol.name)
        if info is None or info.layer != layer or not info.indices:
            return symbol
        return sp.Symbol(symbols.element(info.kind, other, *info.indices), **symbol.assumptions0)
    return form.xreplace({symbol: moved(symbol) for symbol in form.atoms(sp.Symbol)}) if layer != other else form


def _of_neuron(form: sp.Basic, i: int | str) -> sp.Basic:
    """A general neuron j's entry ``form`` for neuron ``i`` (a number or a letter)."""
    return general.with_letters(form, {"j": i})


def _column_times(first: sp.Basic, i: int | str) -> sp.Basic:
    """Entry ``i`` (a number or a letter) of a line whose first entry is ``first``, ``(W_{k+1,·,1})ᵀ ∇``: column i
    of the same weights times the same vector."""
    weights, vector = first.args[0].arg.parent, first.args[1]
    index = sp.Symbol(i, integer=True, positive=True) if isinstance(i, str) else sp.Integer(i)
    return sp.MatMul(sp.Transpose(weights[:, index - 1:index]), vector)


def _count(argument: Argument, printer: NotationPrinter) -> str:
    """How many entries a general layer's vector has: `` (here k = 2)``, the layer it is written out for; ``, n =
    n_k of them`` where it is written with dots, to n; nothing for the output layer's (to p, said in the
    set-up)."""
    first = argument.stacked[0]
    if first.layer == printer.network.depth:
        return ""
    if _dotted(first, argument, width := _width(first, printer)) is None:
        return _here(argument.layer, printer)
    return f", ${width} = n_{{{printer.notation.layer_letter}}}$ of them"


def _width(step: Step, printer: NotationPrinter) -> str:
    """The letter of the width of the layer a stacked line is a vector of, where the notation writes one (seed 002):
    p for the output layer, n for a hidden one (the n of W_k ∈ R^{n×n} it assumes); "" where the line is not a
    vector of that layer."""
    network, count = printer.network, printer.notation.output_count
    size = step.result.shape if isinstance(step.result, (sp.MatrixBase, sp.BlockMatrix)) else None
    if not count or size != (network.layers[step.layer], 1):
        return ""
    return count if step.layer == network.depth else HIDDEN_WIDTH


def _two_vectors(argument: Argument, letters: dict[str, str], printer: NotationPrinter) -> list[Block]:
    """Seed 002's two vectors, the gradient by the next layer's weighted inputs and column i of its weights, of any
    width n_{k+1}, ``[∂L/∂a_{k+1,1}; ⋮; ∂L/∂a_{k+1,n_{k+1}}]``, whose product is the sum ∂L/∂h_ki = Σ_m
    ∂L/∂a_{k+1,m} W_{k+1,m,i}: so ∂L/∂h_ki = Σ_m ... = (W_{k+1,·,i})ᵀ ∇_{a_{k+1}} L, the argument's last line and
    entry i of the stacked line the verifier checks entry by entry (``printer`` writes the layers k and k+1)."""
    # the last equality as --verify checks it (symbackprop.derive.stated.column_argument): (W_{k+1,·,i})ᵀ ∇_{a_{k+1}} L,
    # the vector the stacked line ends on
    equation = stated.column_argument(printer.network, argument)
    assert equation is not None  # (an argument that stacks its lines, as this one does)
    transposed, vector = equation.rhs.args
    matrix, letter = transposed.arg.args
    matrix = matrix.parent if isinstance(matrix, sp.MatrixSlice) else matrix  # (past a bias unit's column)
    info = symbols.describe(matrix.name)
    assert info is not None and info.layer is not None  # (the weights of a layer, W_{k+1})
    above, i = info.layer, letters[str(letter)]
    gradient = printer.doprint(vector)

    count = printer.count(above)  # n_{k+1}, as the sum over m counts to

    def ends(entry: Callable[[str], str]) -> str:  # a vector by its first entry and its last, n_{k+1}
        return bracketed([[entry("1")], [r"\vdots"], [entry(count)]])

    inputs = ends(lambda m: printer.partial(COST, [printer.entry("z", above, m)]))
    column = ends(lambda m: printer.entry("W", above, m, i))
    weights = printer.column(above, i)
    lhs = printer.doprint(general.with_letters(argument.lhs, letters))
    weighted = next(line for line in argument.lines if line.rule is Rule.LOCAL_LINEAR)  # Σ_m ∂L/∂a_m W_mi
    total = written(general.with_letters(weighted.result, letters), printer)
    return [text("Consider the two vectors"),
            display(Display((Line(gradient, "=", inputs), Line(weights, "=", column)))),
            text(f"the gradient with respect to the pre-activations of layer ${printer.notation.layer_letter}+1$ and "
                 f"column ${i}$ of its weights. The sum above is the second, transposed, times the first:"),
            display(Display((Line(lhs, "=", f"{total} = ({weights})^{{\\top}} {gradient}"),)))]


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
    lead = (f"Every weight of a layer ${l}$ at once, for a square ${weights} \\in \\mathbb{{R}}^{{n \\times n}}$ "
            "(a matrix of any other shape goes the same way), makes one matrix:")
    shown = Line(printer.doprint(definition.lhs), "=", bracketed(rows), note(definition.rule))
    return ([text(lead), display(Display((shown,)))],
            f"A small example, $n = {n}$, to see what each entry is:")


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
        made = "matrix" if argument.name == "weight" else "vector"
        return (f"Every {argument.name} of the output layer $L$ at once makes one {made}:",
                printer.relabel(labels(printer.notation, "z", layer, "L")))
    l, n = printer.notation.layer_letter, network.layers[layer]
    at = printer.relabel(labels(printer.notation, "z", layer))
    if argument.name == "weight":  # seed 002's of any size n, then an example (:func:`_any_size`)
        return "", at
    dotted = _dotted(argument.stacked[0], argument, width := _width(argument.stacked[0], printer))
    size, here = (width, "") if dotted else (n, _here(layer, at))  # of the seed's size n, as its weights
    stated = sizes.bias(network, layer, sp.Symbol(size) if isinstance(size, str) else sp.Integer(size))
    vector = f"${at.stored(sp.MatrixSymbol(symbols.matrix('b', layer), n, 1))} \\in {sizes.space(stated)}$"
    return f"Every {argument.name} of a layer ${l}$ at once, for {vector}{here}, makes one vector:", at
