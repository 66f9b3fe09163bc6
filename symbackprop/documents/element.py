"""Backpropagation element by element: each error term and each gradient, entry by entry, from the chain rule;
or seed 000's route, each weight of the last two layers by its whole chain from the cost (the engine's form
``paths``), the bias units' weights last, then a layer's gradients as one matrix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from ..derive import general
from ..derive.chain import paths_layers
from ..derive.derivation import Derivation, Step
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.display import Display, Line, visual_width
from ..notation.printer import NotationPrinter
from ..notation.written import for_every, neuron_values
from . import sections as sec
from .local import FACTORS_ABOVE, hidden_note, in_words, said
from .routes import route
from .sections import Block, Section, display, text
from .summary import bp_equation, without_bias_column
from .tables import each_layers_activation


def element_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    network = derivation.network
    if route(printer.notation).paths and derivation.steps_of("paths"):
        return paths_section(derivation, printer, prefix)
    groups = sec.group(derivation.steps_of("element"))
    short = sec.summarised(network)
    L = network.depth
    subsections = [Section("The output layer", f"{prefix}sec:element-output",
                           _delta_blocks(groups, network, L, printer, short))]
    for layer in range(L - 1, 0, -1):
        title = f"Hidden layer ${printer.notation.bare_layer('z', layer)}$"
        subsections.append(Section(title, f"{prefix}sec:element-hidden-{layer}",
                                   _delta_blocks(groups, network, layer, printer, short)))
    title = "Weights" if network.bias == "none" else "Weights and biases"
    subsections.append(Section(title, f"{prefix}sec:element-parameters",
                               _gradient_blocks(groups, network, printer, short)))
    intro = text("Each error term and each gradient, entry by entry, from the chain rule. "
                 + ("The network is large, so the first neuron of each layer is shown in full and the rest "
                    "by the general formula." if short else ""))
    return Section("Backpropagation, element by element", f"{prefix}sec:element", (intro,), tuple(subsections))


def paths_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    """Seed 000's route: the output layer's weights by their whole chains from the cost (the bias units' later),
    whose first factors are the output error terms; one layer down, each through every output neuron, with the
    layer's error terms as a vector; lower layers as the element form has them; the biases; one matrix."""
    network, L = derivation.network, derivation.network.depth
    groups, paths = sec.group(derivation.steps_of("element")), sec.group(derivation.steps_of("paths"))
    short = sec.summarised(network)

    def weights(layer: int, biases: bool) -> list[Block]:
        return _path_blocks(paths, network, layer, biases, printer, short)

    last = said(printer, L, "weight")
    assert last is not None  # (every layer has weights)
    output = [text(f"Each weight's gradient follows by the chain rule, from the cost ${printer.cost_letter()}$ down "
                   "to the weight; the chain's first two factors make the error term "
                   f"${_error_term(network, printer)}$ of output neuron $j$, and its last is the input the weight "
                   f"multiplies, {in_words(last)}. Begin at the output layer "
                   f"$L = {printer.notation.bare_layer('z', L)}$"
                   + (", ignoring the weights on the bias units for now:" if network.bias == "neuron" else ":")),
              *weights(L, False),
              *_output_errors(derivation, printer, groups), *_layer_matrix(derivation, printer, L)]
    subsections = [Section("The output layer", f"{prefix}sec:element-output", tuple(output))]
    if L > 1:
        subsections.append(Section(f"Hidden layer ${printer.notation.bare_layer('z', L - 1)}$",
                                   f"{prefix}sec:element-hidden-{L - 1}", tuple(_below_output(derivation, printer,
                                                                                               weights(L - 1, False)))))
    for layer in range(L - 2, 0, -1):
        subsections.append(Section(f"Hidden layer ${printer.notation.bare_layer('z', layer)}$",
                                   f"{prefix}sec:element-hidden-{layer}",
                                   (*_delta_blocks(groups, network, layer, printer, short),
                                    *_gradient_blocks(groups, network, printer, short, (layer,)))))
    if network.bias != "none":
        biases = [text(_bias_lead(network, printer)),
                  *(block for layer in paths_layers(network) for block in weights(layer, True))]
        biases.append(text(_bias_words(derivation, printer)))
        subsections.append(Section("The bias units' weights" if network.bias == "neuron" else "The biases",
                                   f"{prefix}sec:element-parameters", tuple(biases)))
    subsections += _matrix_subsection(derivation, printer, prefix)
    return Section("Backpropagation, element by element", f"{prefix}sec:element", (), tuple(subsections))


def _bias_lead(network: Architecture, printer: NotationPrinter) -> str:
    """Seed 000's "For the weights on the bias units", with the last factor of their chains worked out at each layer
    they are shown for: ``∂Z^{(3)}_j/∂w^{(2)}_{j0} = 1, since Z^{(3)}_j = ...``."""
    ones = [found for layer in paths_layers(network) if (found := said(printer, layer, "bias")) is not None]
    what = "the weights on the bias units" if network.bias == "neuron" else "the biases"
    unit = " the bias unit's" if network.bias == "neuron" else ""
    return f"For {what}, each chain's last factor is{unit} 1 ({'; '.join(in_words(one) for one in ones)}):"


def _below_output(derivation: Derivation, printer: NotationPrinter, chains: Sequence[Block]) -> list[Block]:
    """Seed 000's layer below the output: its weights' gradients in matrix form, with bias units each entry through
    every output neuron, diag([(Σ_i δ^L_i ∂Z_i/∂a_j) ∂a_j/∂Z_j]) [∂Z_j/∂w_jk] = ... = diag(W̃ᵀ δ^L ⊙ σ'(Z)) [a_k],
    the vector under a brace named δ^{(L-1)}, = δ^{(L-1)} aᵀ, "where δ^{(L-1)} = ∂C/∂Z = W̃ᵀ δ^L ⊙ σ'(Z)" (without,
    diag(δ^{(L-1)}) [∂Z_j/∂w_jk] = δ^{(L-1)} aᵀ, where δ^{(L-1)} is the output layer's carried back, line by
    line); then the boxed rule for every hidden layer. The chain of a weight through every output neuron is left to
    the bias units' weight (the biases'), as the seed shows it there; shown here where the network has none, or
    where the layer is too wide to write its matrix out (its outer product is that chain's entry for every pair)."""
    network, L = derivation.network, derivation.network.depth
    term = f"${_error_term(network, printer, L - 1)}$"
    words = _below_words(network, printer)
    written = len(derivation.steps_of("paths", symbols.matrix("W", L - 1))) > 1  # not the outer product alone
    if network.bias != "none" and written:
        opening = text(f"One layer down, let {term} be the error term of neuron $j$. {words}")
        through = _through_outputs(derivation, printer)
        if through:
            return [opening, *through, *_every_hidden_layer(derivation, printer)]
        delta = printer.doprint(sp.MatrixSymbol(symbols.matrix("delta", L - 1), 1, 1))
        return [opening, *_layer_matrix(derivation, printer, L - 1),
                text(f"where ${delta}$ comes from the output layer's error terms, since each weighted input of the "
                     "layer reaches the cost through every output neuron:"),
                *_carried_back(derivation, printer), *_every_hidden_layer(derivation, printer)]
    return [text(f"One layer down, each weight reaches the cost through every output neuron. {words} With {term}:"),
            *chains, *_layer_matrix(derivation, printer, L - 1, lead="So"),
            text("The error terms of the layer, as one vector, are those of the output layer carried back:"),
            *_carried_back(derivation, printer), *_every_hidden_layer(derivation, printer)]


def _below_words(network: Architecture, printer: NotationPrinter) -> str:
    """The local derivatives of a chain to a weight of the layer below the output, each with its definition: through
    output neuron i, ∂Z^{(3)}_i/∂a^{(2)}_j = w^{(2)}_{ij} and ∂a^{(2)}_j/∂Z^{(2)}_j = σ'(Z^{(2)}_j); its last factor
    ∂Z^{(2)}_j/∂w^{(1)}_{jk} = X^{(1)}_k (the activation's where it is element-wise and not a constant's)."""
    L, (j, k, _) = network.depth, printer.notation.indices
    output = next(letter for letter in "ikpq" if letter not in (j, k))
    steps = [said(printer, L - 1, "input", k=output), said(printer, L - 1, "activation")]
    last = said(printer, L - 1, "weight")
    assert last is not None  # (every layer has weights)
    shown = "; ".join(in_words(step) for step in steps if step is not None)
    return (f"Each weight's chain passes through every output neuron ${output}$, with {shown}; "
            f"and its last factor is {in_words(last)}.")


def _through_outputs(derivation: Derivation, printer: NotationPrinter) -> list[Block]:
    """Seed 000's ∂C/∂W^{(1)} in one chain through every output neuron, the error terms under a brace (the engine's
    form ``through``), "where δ^{(L-1)} = ...": where every line of it fits the page (a fragment's is narrower);
    none otherwise, nor for a network the engine did not derive it for."""
    steps = derivation.steps_of("through")
    if not steps:
        return []
    weights = [step for step in steps if symbols.kind_of(step.quantity) == "W"]
    chain = sec.quantity_display(weights, printer, transpose=printer.notation.weights_transposed)
    if max(visual_width(f"{line.lhs} = {line.rhs}") for line in chain.lines) > printer.width * THROUGH_SLACK:
        return []
    errors = sec.quantity_display([step for step in steps if step not in weights], printer)
    return [text(_in_matrix_form(derivation, printer, weights[0].layer)), display(chain), text("where"),
            display(errors)]


#: How much wider than the page :func:`~symbackprop.notation.display.visual_width` may estimate a line of seed
#: 000's one chain and the line still fit: it overestimates the matrices written out. Measured in pdflatex: at the
#: standalone page's width 68, 3-3-2's widest (estimated 76.1) fits and 3-3-3's (80.9) is 11pt too wide; at a
#: fragment's 50, 2-2-2's (62.6) is 2pt too wide.
THROUGH_SLACK = 1.15


def _every_hidden_layer(derivation: Derivation, printer: NotationPrinter) -> list[Block]:
    """Seed 000's boxed rule for the error terms of any hidden layer, 1 < l < L, once the last one's are found (BP2
    as the summary states it, from the same vector-form steps)."""
    rule = bp_equation(derivation, printer, "BP2")
    if rule is None:
        return []
    notation = printer.notation  # the hidden layers as seed 000 bounds them, 1 < l < L (its input being layer 1)
    hidden = rf"\text{{for }} {notation.bare_layer('z', 0)} < {notation.layer_letter} < L"
    each = each_layers_activation(printer)
    with_each = f", with layer ${notation.layer_letter}$'s activation {each}" if each else ""
    return [text(f"The same argument gives, in general{with_each}:"),
            display(Display((Line("", "", rf"\boxed{{{rule.lhs} = {rule.rhs}}}", hidden),)))]


def _carried_back(derivation: Derivation, printer: NotationPrinter) -> list[Block]:
    """The error terms of the layer below the output as one vector: seed 000's way from their entries, through a
    row vector times the Jacobian, where the layers are narrow enough to write out (the engine's form ``paths``);
    else the vector form's, through the layer's Jacobians."""
    name = symbols.matrix("delta", derivation.network.depth - 1)
    steps = [step for step in derivation.steps_of("paths") if step.quantity == name]
    return [display(sec.quantity_display(steps, printer))] if steps else _vector_blocks(derivation, printer, name)


def _output_errors(derivation: Derivation, printer: NotationPrinter, groups: Mapping[str, list[Step]]
                   ) -> list[Block]:
    """The output error terms, the first two factors of each chain to the output layer: one worked out, then all
    at once as BP1 (δ^L as seed 000 names it)."""
    network, L = derivation.network, derivation.network.depth
    bp1 = bp_equation(derivation, printer, "BP1")
    assert bp1 is not None  # every network has an output layer
    return [text("The error term of the first output neuron, worked out:"),
            *_delta_blocks(groups, network, L, printer, short=True, at_once=f"${bp1.lhs} = {bp1.final}$")]


def _error_term(network: Architecture, printer: NotationPrinter, layer: int | None = None) -> str:
    """``δ^{(3)}_j = ∂C/∂Z^{(3)}_j``: the error term of a neuron of ``layer`` (the output layer's by default),
    defined."""
    return " = ".join(sec.error_term(printer, network.depth if layer is None else layer, "j"))


def _layer_matrix(derivation: Derivation, printer: NotationPrinter, layer: int, lead: str = "") -> list[Block]:
    """Seed 000's "in matrix form" after a layer's chains: its weights' gradients as one matrix, the bias units'
    column aside (W̃ said, once), ``[∂C/∂w_jk] = diag(δ^l) [∂z_j/∂w_jk] = diag(δ^l) [a_k] = δ^l (a^{l-1})ᵀ``,
    the seed's δ^L ⊙ ∂Z/∂W well typed (the output layer's diag(δ^L) first as diag(∂C/∂a ⊙ ∂a/∂Z), braced). (The
    layer below the output comes whole again, with its bias units, at the end, as the seed's does.)"""
    steps = derivation.steps_of("paths", symbols.matrix("W", layer))
    if not steps:
        return []
    transpose = printer.notation.weights_transposed
    return [text(_in_matrix_form(derivation, printer, layer, lead)),
            display(sec.quantity_display(steps, printer, transpose=transpose))]


def _in_matrix_form(derivation: Derivation, printer: NotationPrinter, layer: int, lead: str = "") -> str:
    """``In matrix form, the bias units' weights aside (W̃ is ...):`` before a layer's weight matrix: W̃ said at
    the output layer, "again" below it; no aside without bias units."""
    neuron = derivation.network.bias == "neuron"
    first = layer == derivation.network.depth
    aside = ((f", the bias units' weights aside ({without_bias_column(printer)})" if first else
              ", the bias units' weights aside again") if neuron else "")
    return f"{lead}, in matrix form{aside}:" if lead else f"In matrix form{aside}:"


def _matrix_subsection(derivation: Derivation, printer: NotationPrinter, prefix: str) -> list[Section]:
    """Seed 000's end: the gradients of the layer below the output (of the output layer, in a network of one
    layer) as one matrix, with the bias units' weights as its first column, δ āᵀ; none where that matrix, without
    bias units, is shown already (the output layer's, or the hidden layer's)."""
    network, L = derivation.network, derivation.network.depth
    layer = max(L - 1, 1)
    if network.bias != "neuron" and (L == 1 or derivation.steps_of("paths", symbols.matrix("W", layer))):
        return []  # the only matrix, or the same as the hidden layer's, shown already
    name = f"${printer.stored(sp.MatrixSymbol(symbols.matrix('W', layer), 1, 1))}$"
    what = (f"the gradients of the weights of {name} and of the bias units' weights, its first column, combine into"
            if network.bias == "neuron" else f"the gradients of {name} make")
    return [Section("In matrix form", f"{prefix}sec:element-matrix", (
        text(f"Finally, {what} one matrix:"),
        *_vector_blocks(derivation, printer, symbols.matrix("W", layer)), *_with_the_unit(network, layer, printer)))]


def _with_the_unit(network: Architecture, layer: int, printer: NotationPrinter) -> list[Block]:
    """Seed 000's "where a^(1) = (1, X_1, X_2)ᵀ": the layer below's outputs with the bias unit's 1 on top, written
    out (with bias units only)."""
    if network.bias != "neuron":
        return []
    below = network.a(layer - 1)
    bar = printer.doprint(sp.MatrixSymbol(symbols.matrix("abar", layer - 1), len(below) + 1, 1))
    return [text(f"where ${bar} = {printer.doprint(sp.ImmutableMatrix([[1, *below]]))}^{{\\top}}$.")]


def _vector_blocks(derivation: Derivation, printer: NotationPrinter, name: str) -> list[Block]:
    """The vector form's derivation of one quantity for this network's layer: a layer's error terms, or a weight
    matrix written out entry by entry and then as an outer product (its general entry left to the element form)."""
    steps = [step for step in derivation.steps_of("vector", name) if not sec.is_entry(step)]
    transpose = symbols.kind_of(name) == "W" and printer.notation.weights_transposed
    return [display(sec.quantity_display(steps, printer, transpose=transpose))] if steps else []


def _path_blocks(paths: Mapping[str, list[Step]], network: Architecture, layer: int, biases: bool,
                 printer: NotationPrinter, short: bool) -> list[Block]:
    """The chains to a layer's weights (or its biases): all of them where each is short and they are few, else
    the first and the general entry."""
    names = [n for n, steps in paths.items() if steps[0].layer == layer and _is_bias(n, network) == biases and
             isinstance(steps[0].lhs, sp.Derivative)]  # one parameter's, not the layer's matrix (a Partial)
    few = len(names) <= (SMALL_LAYER if layer == network.depth else 1)  # below, a chain has a path per output
    shown = names if few and not short else names[:1]
    also = FACTORS_ABOVE if layer == network.depth else ""  # (said before the display; below, a line says it)
    blocks = [display(sec.stack(sec.quantity_display(paths[name], printer, also=also) for name in shown))]
    if len(shown) == len(names):
        return blocks
    if biases:  # the general entry is with the weights'; the next neuron's result, as seed 000's ∂C/∂w_20 = δ_2
        following = paths[names[1]]
        lhs, rhs = printer.doprint(following[0].lhs), printer.doprint(following[-1].result)
        others = "for the other neuron" if len(names) == 2 else "for the next neuron, and so on for every neuron"
        return blocks + [text(f"and likewise ${lhs} = {rhs}$ {others}.")]
    entry = _general_gradients(network, layer, printer).lines[0]
    return blocks + [text(f"and likewise for every weight of the layer, ${entry.lhs} = {entry.rhs}$.")]


def _is_bias(name: str, network: Architecture) -> bool:
    """Whether a parameter is a bias: b, or the bias unit's weight w_j0."""
    info = symbols.describe(name)
    return info is not None and (info.kind == "b" or network.bias == "neuron" and info.indices[-1:] == (0,))


def _bias_words(derivation: Derivation, printer: NotationPrinter) -> str:
    """The layer's bias gradient as a whole, BP3 as the vector form derives it: ``∂C/∂b^{(l)} = δ^{(l+1)}`` (seed
    000's bias units' weights, the layer's biases), ``1ᵀ δ^{(l+1)}`` for a bias shared by the layer."""
    equation = bp_equation(derivation, printer, "BP3")
    assert equation is not None  # (a network with biases)
    if derivation.network.bias == "neuron":
        return (f"In particular, the weights of the bias units are the biases: ${equation.lhs} = {equation.final}$, "
                "the error terms of the layer they feed.")
    return f"In particular, ${equation.lhs} = {equation.final}$."


def _delta_blocks(groups: Mapping[str, list], network: Architecture, layer: int, printer: NotationPrinter,
                  short: bool, at_once: str = "") -> tuple[Block, ...]:
    """A layer's error terms by the element form: each neuron's, or where ``short`` the first and the rest in
    words (a hidden layer's by the general formula; an output layer's, and ``at_once`` all of them, as one
    formula)."""
    names = [d.name for d in network.delta(layer)]
    shown = names[:1] if short else names
    notes = [hidden_note(network, layer, j, printer) for j in range(1, len(shown) + 1)]
    blocks = [display(sec.stack(sec.quantity_display(groups[name], printer, also=also)
                                for name, also in zip(shown, notes)))]
    if short and len(names) > 1:
        if layer < network.depth:
            blocks.append(text("For every neuron of the layer:"))
            blocks.append(display(_general_delta(network, layer, printer)))
        else:
            others = "output neuron" if len(names) == 2 else f"{len(names) - 1} output neurons"
            blocks.append(text(f"and likewise for the other {others}" + (f"; all at once, {at_once}." if at_once
                                                                              else ".")))
    return tuple(blocks)


#: The most weights of a layer the element form lists one by one (a 2 x 2 layer, as seed 000 does).
SMALL_LAYER = 4


def _gradient_blocks(groups: Mapping[str, list], network: Architecture, printer: NotationPrinter,
                     short: bool, layers: Sequence[int] = ()) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for layer in layers or range(network.depth, 0, -1):
        names = [n for n, steps in groups.items() if steps[0].layer == layer and symbols.kind_of(n) != "delta"]
        # past a small layer every entry repeats the first: one entry, the bias, then the general formula
        collapse = short or network.layers[layer] * network.layers[layer - 1] > SMALL_LAYER
        if collapse:
            names = names[:1] + [n for n in names if symbols.kind_of(n) == "b"][:1]
        blocks.append(text(_gradients_lead(network, layer, printer)))
        blocks.append(display(sec.stack(sec.quantity_display(groups[name], printer, pack=True, also=FACTORS_ABOVE)
                                        for name in names)))
        if collapse:
            blocks.append(text("and likewise for every entry:"))
            blocks.append(display(_general_gradients(network, layer, printer)))
    return tuple(blocks)


def _gradients_lead(network: Architecture, layer: int, printer: NotationPrinter) -> str:
    """"The weights W^2 and biases", and the factors of their chains: the error term δ^2_j = ∂c/∂z^2_j times
    ∂z^2_j/∂w^2_{jk} = a^1_k or ∂z^2_j/∂b^2_j = 1, since z^2_j = Σ_m w^2_{jm} a^1_m + b^2_j."""
    matrix = printer.stored(sp.MatrixSymbol(symbols.matrix("W", layer), 1, 1))
    biases = " and biases" if network.bias in ("vector", "shared") else ""
    weight, bias = said(printer, layer, "weight"), said(printer, layer, "bias")
    assert weight is not None  # (every layer has weights)
    delta, defined = sec.error_term(printer, layer, printer.notation.indices[0])
    term = f"${delta} = {defined}$" if delta != defined else f"${delta}$"
    also = f" or ${bias.local}$" if bias is not None else ""
    return f"The weights ${matrix}${biases}, each chain the error term {term} times ${weight.local}${also}, since " \
        f"${weight.since}$:"


def _general_delta(network: Architecture, layer: int, printer: NotationPrinter) -> Display:
    """δ^l_j for every j of a hidden layer, as :func:`symbackprop.derive.general.delta` derives it, in the
    notation's letters j and k: the derivative g' parenthesised unless it is a symbol."""
    j, _, k = printer.notation.indices
    equation = general.delta(network, layer, j, k)
    g_prime, total = equation.rhs.args if isinstance(equation.rhs, sp.Mul) else (sp.S.One, equation.rhs)
    rhs = printer.doprint(g_prime) if g_prime.is_Symbol else rf"\left({printer.doprint(g_prime)}\right)"
    rhs = printer.doprint(total) if g_prime == 1 else f"{rhs} {printer.doprint(total)}"
    return _general_line(printer.doprint(equation.lhs), rhs, sp.Symbol(j), network.layers[layer], printer)


def _general_line(lhs: str, rhs: str, index: sp.Symbol, size: int, printer: NotationPrinter) -> Display:
    stepped = printer.notation.stepped
    where = for_every(str(index), neuron_values(size, stepped), stepped)
    return Display((Line(lhs, "=", rhs, where),))


def _general_gradients(network: Architecture, layer: int, printer: NotationPrinter) -> Display:
    """∂c/∂w^l_{jk} = δ^l_j a^{l-1}_k and the bias gradient, for every entry of layer ``layer``, as
    :func:`symbackprop.derive.general.gradients` derives them (the letters j and k the notation's)."""
    j, k = printer.notation.indices[:2]
    weight, *bias = general.gradients(network, layer, j, k)
    # the notes are presentation: which entries a line holds for
    notes = {"neuron": r"\text{the bias unit is } 1", "vector": "", "shared": ""}
    lines = [Line(printer.doprint(weight.lhs), "=", printer.doprint(weight.rhs), rf"\text{{for every }} {j}, {k}")]
    lines.extend(Line(printer.doprint(eq.lhs), "=", printer.doprint(eq.rhs), notes[network.bias]) for eq in bias)
    return Display(tuple(lines))
