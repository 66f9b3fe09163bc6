"""The document as data: everything the templates lay out, printed in the chosen notation.

``build_document(derivation, options)`` assembles, in order: the set-up (architecture, figure, notation table,
forward pass, loss), the derivation in each form asked for, the boxed summary, gradient descent with a remark on
initialisation, and the appendix of activation derivatives. Every string is final LaTeX math or prose with
``$...$`` math; the templates only escape prose and lay things out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from ..derive import general
from ..derive.derivation import Derivation, Step
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.display import Display, Line, chain
from ..notation.printer import INDICATOR_LATEX, NotationPrinter
from ..notation.written import neurons
from . import sections as sec
from .appendix import appendix_sections
from .argued import argued_section, example_section
from .closed import closed_displays
from .exercise_general import homework_section
from .figure import build_figure
from .options import DocumentOptions
from .sections import Block, Section, display, text
from .summary import algorithm_section, bias_unit_words, bp_equations, labels, summary_section
from .tables import architecture_table, notation_table
from .words import BIAS_NAMES, describe


@dataclass(frozen=True)
class Document:
    """A whole derivation document, ready for the templates.

    ``figure_note`` tells a Markdown reader where the network's figure is drawn (TikZ renders in LaTeX only): see
    :func:`figure_note`.
    """

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    appendix: tuple[Section, ...]
    headings: tuple[str, ...]
    prefix: str
    fragment: bool
    figure_note: str = ""


def figure_note(formats: Sequence[str]) -> str:
    """Where the figure a Markdown document cannot draw is, among the ``formats`` being made with it."""
    if "pdf" in formats:
        return "see the PDF"
    if "tex" in formats:
        return "drawn in the LaTeX file"
    return "drawn only in the LaTeX and PDF versions"


def build_document(derivation: Derivation, options: DocumentOptions, indicator: str = INDICATOR_LATEX) -> Document:
    """Everything the document templates need, for ``derivation`` in ``options``' notation."""
    network = derivation.network
    notation = options.notation_preset
    notation.check(network.layers, network.activation(network.depth).elementwise)
    printer = NotationPrinter(notation, network, indicator=indicator, width=options.line_width)
    p = options.label_prefix
    shown = options.sections
    parts = [setup_section(derivation, printer, p, shown)]
    for name, build in SECTION_BUILDERS:
        if name in shown:
            parts.append(build(derivation, printer, p))
    if "sgd" in shown or "init" in shown:
        parts.append(algorithm_section(derivation, printer, p, sgd="sgd" in shown, init="init" in shown))
    if "general" in shown and (example := example_section(derivation, printer, p)) is not None:
        parts.append(example)  # seed 003's "for our original example", last
    title = f"Backpropagation for a {network.spec} network"
    subtitle = f"{describe(network)[0].upper()}{describe(network)[1:]}; {notation.title}"
    appendix = appendix_sections(network, printer, p, options.appendix) if "appendix" in shown else []
    return Document(title, subtitle, tuple(parts), tuple(appendix),
                    options.headings, p, options.fragment, figure_note(options.formats))


# --------------------------------------------------------------------------------------------------- set-up
def setup_section(derivation: Derivation, printer: NotationPrinter, prefix: str, shown: tuple[str, ...]) -> Section:
    """The network in words, and of ``shown`` its figure (with the table of layers), notation and forward pass."""
    network = derivation.network
    notation = printer.notation
    L = printer.notation.bare_layer("z", network.depth)
    sizes = ", ".join(str(n) for n in network.layers)
    intro = (
        f"We derive backpropagation for {describe(network)}, with {BIAS_NAMES[network.bias]}. "
        f"The layers have {sizes} neurons; the output layer is layer $L = {L}$. "
        f"The notation is {notation.title}."
    )
    blocks = [text(intro)]
    if notation.seed in PURPOSE:
        blocks.append(text(purpose(network, printer)))
    if "figure" in shown:
        blocks.append(Block("figure", figure=build_figure(network, printer), label=f"{prefix}fig:network",
                            text=f"The {network.spec} network, labelled in {notation.title}."))
        blocks.append(Block("table", table=architecture_table(network, printer)))
    subsections = []
    if "notation" in shown:
        subsections.append(Section("Notation", f"{prefix}sec:notation",
                                   (Block("table", table=notation_table(network, printer)),)))
    if "forward" in shown:
        subsections.append(Section("Forward pass", f"{prefix}sec:forward",
                                   forward_blocks(derivation, printer, general="general" in shown)))
    return Section("Set-up", f"{prefix}sec:setup", tuple(blocks), tuple(subsections))


#: The seeds that open with what backpropagation is for (seed 002's introduction).
PURPOSE = ("002",)


def purpose(network: Architecture, printer: NotationPrinter) -> str:
    """What backpropagation is for, in the notation's letters: training moves the parameters against the gradient
    of the mean loss; a forward pass computes every layer's values, a backward pass every gradient."""
    total = printer.doprint(sp.Symbol("C"))
    z, a = (printer.stored(sp.MatrixSymbol(symbols.matrix(kind, 1), 1, 1)) for kind in ("z", "a"))
    return ("Training chooses the parameters (every weight and bias) to make the mean loss over the training "
            f"examples, ${total}$, small, by gradient descent: each step moves every parameter against its partial "
            f"derivative, scaled by a learning rate. Backpropagation computes those derivatives: a forward pass "
            f"computes every layer's values (${z}$, ${a}$, ...) from the input, then a backward pass the derivative "
            "of the loss by each of them, from the output back to the input, by the chain rule.")


#: The seeds that write the network as one nested function (seed 002: ŷ = O(W_3 g(W_2 g(W_1 x + b_1) + b_2) + b_3)).
NESTED_MODEL = ("002",)


def forward_blocks(derivation: Derivation, printer: NotationPrinter, general: bool = False) -> tuple[Block, ...]:
    """The forward pass layer by layer, then neuron by neuron: every neuron, or (a large network, or a document
    that argues for a general neuron) one general neuron of each layer."""
    network = derivation.network
    cost, total = printer.doprint(sp.Symbol("c")), printer.doprint(sp.Symbol("C"))
    vector_lines = tuple(Line(printer.doprint(eq.lhs), "=", printer.doprint(eq.rhs))
                         for eq in derivation.forward_vector)
    blocks = [text("Layer by layer, for one example:"), display(Display(vector_lines)),
              text(_dimensions(network, printer))]
    if printer.notation.seed in NESTED_MODEL and derivation.model is not None:
        model = derivation.model
        blocks.append(text("The whole network is one function of its input, the layers nested:"))
        blocks.append(display(Display((Line(printer.doprint(model.lhs), "=", printer.doprint(model.rhs)),))))
    if printer.notation.single:
        blocks = _neuron_dynamics(network, printer)
    elif printer.notation.seed in FORMULAS and (named := _formulas(network)):
        blocks.append(text(f"The activations: {named}."))
    elif not sec.summarised(network) and not general:
        blocks.append(text("Neuron by neuron:"))
        blocks.append(display(_element_forward(derivation, printer)))
    else:
        blocks.append(text("Neuron by neuron, for each layer:"))
        blocks.append(display(_general_forward(network, printer)))
    if network.loss.generic:
        blocks.append(text(f"The cost of one example is ${cost}$, a function of the outputs and the targets, "
                           f"${printer.doprint(derivation.loss)}$, left general; over $m$ examples, ${total}$ is "
                           "their mean."))
        return tuple(blocks)
    loss_terms = sec.terms(derivation.loss, printer)
    blocks.append(text(f"The cost of one example is ${cost}$; over $m$ examples, ${total}$ is their mean:"))
    blocks.append(display(chain(cost, [(loss_terms, "")], printer.width)))
    if network.loss.sparse:
        indicator = f"{printer.indicator}_{{\\ell=j}}"
        onehot = printer.doprint(sp.MatrixSymbol(symbols.matrix("y"), network.layers[-1], 1))
        blocks.append(text(f"where $\\ell$ is the example's class label and ${indicator}$ is 1 when $j = \\ell$ and 0 "
                           f"otherwise. The one-hot vector of the label, ${onehot}$, has ${indicator}$ as its "
                           "entry $j$."))
    return tuple(blocks)


def _neuron_dynamics(network: Architecture, printer: NotationPrinter) -> list[Block]:
    """Seed 003's dynamics of a network with one hidden layer and one output: a_j = Σ_i w_ji x_i, z_j = σ(a_j),
    a_y = Σ_j v_j z_j, y = σ(a_y), each activation by its name, then the activations' formulas."""
    named = printer.with_names()
    j, i = printer.notation.indices[:2]
    lines = []
    for layer, (neuron, source) in ((1, (j, i)), (network.depth, (1, j))):
        equation = general.forward(network, layer, neuron, source)
        lines.append(Line(printer.doprint(equation.lhs), "=",
                          " + ".join(printer.doprint(term) for term in sp.Add.make_args(equation.rhs))))
        act = network.activation(layer)
        a = sp.Symbol(symbols.element("a", layer, neuron), real=True)
        lines.append(Line(named.doprint(a), "=", named.doprint(sp.Function(act.name, real=True)(equation.lhs))))
    blocks = [text("The dynamics of the network, for one example:"), display(Display(tuple(lines)))]
    return blocks + ([text(f"with {formulas}.")] if (formulas := _formulas(network)) else [])


#: The seeds that define their activations by formula (seed 003: σ(x) = 1/(1 + e^{-x})).
FORMULAS = ("003",)


def _formulas(network: Architecture) -> str:
    """``σ(u) = 1/(1 + e^{-u})`` for each activation of the network that has a formula worth stating."""
    u = sp.Symbol("u", real=True)
    return " and ".join(f"${act.latex}(u) = {sp.latex(act(u))}$" for act in dict.fromkeys(network.activations)
                        if act.elementwise and not act.generic and act.name != "linear")


def _dimensions(network: Architecture, printer: NotationPrinter) -> str:
    """The parameters' sizes, as seeds 002 and 004 state them: ``W^1 ∈ R^{3 x 2}, b^1 ∈ R^3, ...``."""
    sizes = []
    for name, (rows, columns) in network.parameter_shapes.items():
        shape = (columns, rows) if printer.notation.weights_transposed and symbols.kind_of(name) == "W" else \
            (rows, columns)
        size = f"{shape[0]}" if shape[1] == 1 else f"{shape[0]} \\times {shape[1]}"
        space = "" if shape == (1, 1) else f"^{{{size}}}"
        sizes.append(f"${printer.stored(sp.MatrixSymbol(name, rows, columns))} \\in \\mathbb{{R}}{space}$")
    return "The parameters: " + ", ".join(sizes) + "."


def _element_forward(derivation: Derivation, printer: NotationPrinter) -> Display:
    """The engine's forward equations, layer by layer: every z^l_j, then every a^l_j."""
    network = derivation.network
    rhs = {equation.lhs: equation.rhs for equation in derivation.forward}
    lines: list[Line] = []
    for layer in range(1, network.depth + 1):
        for z in network.z(layer):
            lines.extend(chain(printer.doprint(z), [(sec.terms(rhs[z], printer), "")], printer.width).lines)
        activation = network.activation(layer)
        for z, a in zip(network.z(layer), network.a(layer), strict=True):
            value = sp.Function(activation.name)(z) if activation.elementwise else rhs[a]
            lines.append(Line(printer.doprint(a), "=", printer.doprint(value)))
    return Display(tuple(lines))


def _general_forward(network: Architecture, printer: NotationPrinter) -> Display:
    """z^l_j = sum_k w^l_{jk} a^{l-1}_k + b^l_j for every layer, as :func:`symbackprop.derive.general.forward`
    derives it, in the notation's neuron letters: the sum and the bias printed term by term."""
    lines = []
    j, k = printer.notation.indices[:2]
    for l in range(1, network.depth + 1):
        equation = general.forward(network, l, j, k)
        rhs = " + ".join(printer.doprint(term) for term in sp.Add.make_args(equation.rhs))
        where = rf"\text{{for }} {neurons(j, network.layers[l])}"
        lines.append(Line(printer.doprint(equation.lhs), "=", rhs, where))
    return Display(tuple(lines))


# -------------------------------------------------------------------------------------------- the forms
#: The seeds that reach each weight of the last two layers by its whole chain before naming an error term, the
#: output layer's weights first and the bias units' last (seed 000).
PATHS = ("000",)


def element_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    network = derivation.network
    if printer.notation.seed in PATHS and derivation.steps_of("paths"):
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
    """Seed 000's route: the output layer's weights, each by its whole chain from the cost (ignoring the bias
    units' weights for now), whose first factors are the output error terms; one layer down, each weight through
    every output neuron, which gives the hidden error terms; any lower layer as the element form has it; then the
    bias units' weights, and the same for a network without bias units' weights in its biases."""
    network, L = derivation.network, derivation.network.depth
    groups, paths = sec.group(derivation.steps_of("element")), sec.group(derivation.steps_of("paths"))
    short = sec.summarised(network)

    def weights(layer: int, biases: bool) -> list[Block]:
        return _path_blocks(paths, network, layer, biases, printer, short)

    cost = printer.cost_letter()
    output = [text(f"Begin at the output layer $L = {printer.notation.bare_layer('z', L)}$, "
                   + ("ignoring the weights on the bias units for now:" if network.bias == "neuron" else
                      "each weight by its whole chain from the cost:")), *weights(L, False),
              text(f"The first factors are the output neuron's error term, ${printer.doprint(network.delta(L)[0])} = "
                   f"{printer.doprint(sp.Derivative(sp.Symbol('c'), network.z(L)[0], evaluate=False))}$:"),
              *_delta_blocks(groups, network, L, printer, short)]
    subsections = [Section("The output layer", f"{prefix}sec:element-output", tuple(output))]
    if L > 1:
        hidden = [text("One layer down, each weight reaches the cost through every neuron of the output layer:"),
                  *weights(L - 1, False), text("where, for each neuron of the layer,"),
                  *_delta_blocks(groups, network, L - 1, printer, short)]
        subsections.append(Section(f"Hidden layer ${printer.notation.bare_layer('z', L - 1)}$",
                                   f"{prefix}sec:element-hidden-{L - 1}", tuple(hidden)))
    for layer in range(L - 2, 0, -1):
        subsections.append(Section(f"Hidden layer ${printer.notation.bare_layer('z', layer)}$",
                                   f"{prefix}sec:element-hidden-{layer}",
                                   (*_delta_blocks(groups, network, layer, printer, short),
                                    *_gradient_blocks(groups, network, printer, short, (layer,)))))
    if network.bias != "none":
        biases = [block for layer in ((L, L - 1) if L > 1 else (L,)) for block in weights(layer, True)]
        subsections.append(Section("The bias units' weights" if network.bias == "neuron" else "The biases",
                                   f"{prefix}sec:element-parameters", (*biases, text(_bias_words(network, printer)))))
    intro = text(f"Each weight's gradient by the chain rule, from the cost ${cost}$ down to the weight.")
    return Section("Backpropagation, element by element", f"{prefix}sec:element", (intro,), tuple(subsections))


def _path_blocks(paths: Mapping[str, list[Step]], network: Architecture, layer: int, biases: bool,
                 printer: NotationPrinter, short: bool) -> list[Block]:
    """The chains to a layer's weights (or its biases): all of them where each is short and they are few, else
    the first and the general entry."""
    names = [n for n, steps in paths.items() if steps[0].layer == layer and (_is_bias(n, network) == biases)]
    few = len(names) <= (SMALL_LAYER if layer == network.depth else 1)  # below, a chain has a path per output
    shown = names if few and not short else names[:1]
    blocks = [display(sec.stack(sec.quantity_display(paths[name], printer) for name in shown))]
    if len(shown) == len(names):
        return blocks
    if biases:  # the general entry is with the weights'
        return blocks + [text("and likewise for every neuron of the layer.")]
    return blocks + [text("and likewise for every one of the layer:"),
                     display(sec.general_gradients(network, layer, printer))]


def _is_bias(name: str, network: Architecture) -> bool:
    """Whether a parameter is a bias: b, or the bias unit's weight w_j0."""
    info = symbols.describe(name)
    return info is not None and (info.kind == "b" or network.bias == "neuron" and info.indices[-1:] == (0,))


def _bias_words(network: Architecture, printer: NotationPrinter) -> str:
    """``∂C/∂b^{(l)} = δ^{(l+1)}``: the bias unit's weights are the layer's biases (seed 000)."""
    L = network.depth
    at = printer.relabel(labels(printer.notation, "W", L))
    bias = at.doprint(sp.Derivative(sp.Symbol("c"), sp.MatrixSymbol(symbols.matrix("b", L), 1, 1), evaluate=False))
    delta = at.doprint(sp.MatrixSymbol(symbols.matrix("delta", L), 1, 1))
    if network.bias == "neuron":
        return (f"In particular, the weights of the bias units are the biases: ${bias} = {delta}$, the error terms "
                "of the layer they feed.")
    return f"In particular, ${bias} = {delta}$."


def _delta_blocks(groups: Mapping[str, list], network: Architecture, layer: int, printer: NotationPrinter,
                  short: bool) -> tuple[Block, ...]:
    names = [d.name for d in network.delta(layer)]
    shown = names[:1] if short else names
    blocks = [display(sec.stack(sec.quantity_display(groups[name], printer) for name in shown))]
    if short and len(names) > 1:
        if layer < network.depth:
            blocks.append(text("For every neuron of the layer:"))
            blocks.append(display(sec.general_delta(network, layer, printer)))
        else:
            others = "output neuron" if len(names) == 2 else f"{len(names) - 1} output neurons"
            blocks.append(text(f"and likewise for the other {others}."))
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
        matrix = printer.stored(sp.MatrixSymbol(symbols.matrix("W", layer), 1, 1))
        biases = " and biases:" if network.bias in ("vector", "shared") else ":"
        blocks.append(text(f"The weights ${matrix}${biases}"))
        blocks.append(display(sec.stack(sec.quantity_display(groups[name], printer, pack=True) for name in names)))
        if collapse:
            blocks.append(text("and likewise for every entry:"))
            blocks.append(display(sec.general_gradients(network, layer, printer)))
    return tuple(blocks)


def layer_section(derivation: Derivation, printer: NotationPrinter, prefix: str, form: str) -> Section:
    """The vector form (BP1-BP4 for one example) or the batch form (examples as columns)."""
    groups = sec.group(derivation.steps_of(form))
    transposed = printer.notation.weights_transposed
    blocks: list[Block] = []
    if form == "batch":
        inputs = printer.doprint(sp.MatrixSymbol(symbols.matrix("X"), 1, 1))
        blocks.append(text(f"The $m$ examples are the columns of the input matrix ${inputs} \\in \\mathbb{{R}}^{{"
                           f"{derivation.network.layers[0]} \\times m}}$. Forward pass:"))
        forward = [(k, derivation.batch[k]) for l in range(1, derivation.network.depth + 1)
                   for k in (symbols.matrix("Z", l), symbols.matrix("A", l))]
        lines = tuple(Line(printer.doprint(sp.MatrixSymbol(k, 1, 1)), "=", printer.doprint(v)) for k, v in forward)
        blocks.append(display(Display(lines)))
        blocks.append(text("Backward pass:"))
    elif printer.notation.seed in GENERAL_VECTOR:
        return Section("Backpropagation in vector form", f"{prefix}sec:{form}",
                       tuple(general_vector_blocks(derivation, printer)))
    else:
        blocks.append(text("The same derivation with whole layers, through Jacobians and transposes; $\\odot$ is "
                           "the element-wise (Hadamard) product." + bias_unit_words(derivation.network, printer)))
    labels_defined = not (form == "batch" and derivation.network.loss.sparse)
    for name, steps in groups.items():
        weight = symbols.kind_of(name) == "W" and transposed
        blocks.append(display(sec.quantity_display(steps, printer, transpose=weight)))
        if not labels_defined and _mentions(steps, symbols.matrix("Y")):
            blocks.append(_onehot_matrix(derivation.network, printer))
            labels_defined = True
    title = "Backpropagation in vector form" if form == "vector" else "Backpropagation for a batch"
    return Section(title, f"{prefix}sec:{form}", tuple(blocks))


#: The seeds that derive the vector form once, for a general layer: seed 004 (BP1 for L, BP2 for l, BP3, BP4).
GENERAL_VECTOR = ("004",)
#: What each equation is for, as seed 004 heads its derivation.
GOALS = {"BP1": "the error at the output layer", "BP2": "the error propagated to a hidden layer",
         "BP3": "the gradient of the biases", "BP4": "the gradient of the weights"}


def general_vector_blocks(derivation: Derivation, printer: NotationPrinter) -> list[Block]:
    """BP1 to BP4 in vector form, each once, for a general layer, as seed 004: its goal, then the steps of the
    layer that stands for every layer (the output layer as L; the last hidden layer as l, the next as l+1; the
    output layer's parameters as those of a layer l), each step verified for that layer."""
    network, notation = derivation.network, printer.notation
    L = network.depth
    groups = sec.group(derivation.steps_of("vector"))
    equations = {equation.tag: equation for equation in bp_equations(derivation, printer)}
    parts = [("BP1", symbols.matrix("delta", L), labels(notation, "z", L, "L")),
             ("BP2", symbols.matrix("delta", L - 1), labels(notation, "delta", L - 1)),
             ("BP3", symbols.matrix("b", L), labels(notation, "W", L)),
             ("BP4", symbols.matrix("W", L), labels(notation, "W", L))]
    blocks = [text("BP1 to BP4 for a general layer, with whole layers, through Jacobians and transposes; $\\odot$ "
                   "is the element-wise (Hadamard) product." + bias_unit_words(network, printer))]
    for tag, name, layers in parts:
        if tag in equations and name in groups:
            equation = equations[tag]
            blocks.append(text(f"{tag}, {GOALS[tag]}. Goal: ${equation.lhs} = {equation.general or equation.final}$."))
            transpose = symbols.kind_of(name) == "W" and notation.weights_transposed
            blocks.append(display(sec.quantity_display(groups[name], printer.relabel(layers), transpose=transpose)))
    return blocks


def _mentions(steps: Sequence[Step], name: str) -> bool:
    """Whether any of ``steps`` has the matrix symbol ``name`` (``Y``: the targets) in its result."""
    return any(isinstance(symbol, sp.MatrixSymbol) and symbol.name == name
               for step in steps for symbol in step.result.free_symbols)


def _onehot_matrix(network: Architecture, printer: NotationPrinter) -> Block:
    """The definition of the one-hot label matrix (E) where the batch form first uses it."""
    n = network.layers[-1]
    matrix = printer.doprint(sp.MatrixSymbol(symbols.matrix("Y"), n, 1))
    vector = printer.doprint(sp.MatrixSymbol(symbols.matrix("y"), n, 1))
    return text(f"where ${matrix}$ is the one-hot matrix of the labels: each column is the one-hot vector ${vector}$ "
                "of one example's label.")


def closed_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    """Each gradient fully expanded in inputs, targets and parameters (small nets only), broken to fit the page.

    Raises:
        SizeLimitError: a net too large for the closed form (see :mod:`symbackprop.documents.closed`), before printing.
    """
    intro, displays = closed_displays(derivation, printer)
    blocks = [text(intro)] + [display(shown) for shown in displays]
    return Section("Closed form", f"{prefix}sec:closed", tuple(blocks))


def _vector_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    return layer_section(derivation, printer, prefix, "vector")


def _batch_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    return layer_section(derivation, printer, prefix, "batch")


#: The sections between the set-up and the algorithm, in order: a section's name and what builds it.
SECTION_BUILDERS: tuple[tuple[str, Callable[[Derivation, NotationPrinter, str], Section]], ...] = (
    ("problem", homework_section),
    ("general", argued_section),
    ("element", element_section),
    ("vector", _vector_section),
    ("batch", _batch_section),
    ("closed", closed_section),
    ("summary", summary_section),
)
