"""The set-up of a document: the network in words, its figure and table of layers, the notation table and the
forward pass (layer by layer, neuron by neuron, or seed 003's dynamics; seed 002's nested model), and the loss."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..derive import general
from ..derive.derivation import Derivation
from ..model import symbols
from ..model.activations import Activation, get_activation
from ..model.architecture import Architecture
from ..notation.display import Display, Line, chain, join_terms
from ..notation.printer import NotationPrinter
from ..notation.written import for_every, neuron_values, terms
from . import sections as sec
from . import sizes
from .figure import build_figure
from .routes import route, say
from .sections import Block, Section, display, figure_ref, strong, text
from .summary import labels
from .tables import GENERAL, architecture_table, notation_table, table
from .words import BIAS_NAMES, activation_word, describe


def setup_section(derivation: Derivation, printer: NotationPrinter, prefix: str, shown: tuple[str, ...],
                  subtitled: bool = False) -> Section:
    """The network in words (``subtitled``: what the subtitle does not say already), and of ``shown`` its figure
    (with the table of layers), notation and forward pass."""
    network = derivation.network
    notation = printer.notation
    way = route(notation)
    # seed 000's derivation begins at the output layer, L = 3: said there, not here too
    begun = "element" in shown and way.paths
    words = _network_words(network, printer, "figure" in shown, subtitled, numbered=not begun)
    if way.purpose:  # (what backpropagation is for opens the document: introduction_section); its biases and L
        # in the anatomy, the network's words only where no subtitle names it
        blocks = [*([] if subtitled else [text(words)]), text(anatomy(network, printer))]
    elif way.goal:  # seed 004 opens with the goal; the network's words after it
        how = ("For a clean derivation by matrix calculus, with whole layers, we adopt the conventions of the "
               "notation table." if "notation" in shown else
               "The derivation works with whole layers, by matrix calculus.")
        blocks = [text(f"The goal of backpropagation is to calculate the partial derivatives of the cost "
                       f"${printer.doprint(sp.Symbol('C'))}$ with respect to every weight and bias. {words} {how}")]
    else:
        blocks = [text(words)]
    if way.paths and "forward" not in shown:  # seed 000 lets its figure say it; the chains' local derivatives use it
        blocks[-1] = text(f"{blocks[-1].text} {_each_neuron(network, printer)}")
    if "forward" not in shown and not network.loss.generic:  # the cost the derivation differentiates, stated once
        cost = printer.doprint(sp.Symbol("c"))
        blocks.append(text(f"The cost of one example is ${cost} = {join_terms(terms(derivation.loss, printer))}$."))
    if "figure" in shown:
        drawn = printer.with_names() if way.dynamics else printer  # its activations named, as its dynamics name them
        blocks.append(Block("figure", figure=build_figure(network, drawn), label=f"{prefix}fig:network",
                            text=f"The {network.spec} network, labelled in {notation.title}.", here=way.dynamics))
        if not way.dynamics and (layers := architecture_table(network, printer)) is not None:
            blocks.append(Block("table", table=layers))
    subsections = []
    if "notation" in shown:
        subsections.append(Section("Notation", f"{prefix}sec:notation",
                                   (Block("table", table=notation_table(network, printer, "batch" in shown)),)))
    if "forward" in shown:
        subsections.append(Section("Forward pass", f"{prefix}sec:forward",
                                   forward_blocks(derivation, printer, general="general" in shown,
                                                  tabled="notation" in shown,
                                                  figure=f"{prefix}fig:network" if "figure" in shown else "")))
        if route(notation).fundamentals:  # seed 002's section of its own
            subsections.append(Section("Fundamentals", f"{prefix}sec:fundamentals", _fundamentals(derivation, printer)))
    return Section("Set-up", f"{prefix}sec:setup", tuple(blocks), tuple(subsections))


def _network_words(network: Architecture, printer: NotationPrinter, drawn: bool, subtitled: bool = False,
                   numbered: bool = True) -> str:
    """The network in words, its layers and its notation, where the subtitle does not name them already (``subtitled``:
    its biases and, where ``numbered``, its output layer's number alone); seed 003's in one sentence that leads into
    its figure (where ``drawn``): the network and its inputs."""
    notation = printer.notation
    if route(notation).dynamics:
        inputs = [printer.doprint(sp.Symbol(symbols.element("x", None, i), real=True))
                  for i in range(1, network.layers[0] + 1)]
        listed = ", ".join(inputs) if len(inputs) <= 3 else f"{inputs[0]}, \\ldots, {inputs[-1]}"
        # the seed's "Consider the following multilayer neural network, with inputs x_1, ..., x_n": its units and
        # loss follow, in the dynamics and the loss (the subtitle names them, and the notation)
        unseen = " (not drawn)" if drawn and network.bias in ("vector", "shared") else ""  # bias units are drawn
        return (f"Consider the following {network.spec} network, with inputs ${listed}$ and "
                f"{BIAS_NAMES[network.bias]}{unseen}" + (":" if drawn else "."))
    L = notation.bare_layer("z", network.depth)
    if subtitled:  # (the title and the subtitle name the network and the notation)
        return f"The network has {BIAS_NAMES[network.bias]}" + (
            f", and its output layer is layer $L = {L}$." if numbered else ".")
    return (f"We derive backpropagation in {notation.title} for {describe(network)}, with "
            f"{BIAS_NAMES[network.bias]}; its output layer is layer $L = {L}$.")


def introduction_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section | None:
    """Seed 002's introduction, before its set-up: what backpropagation is for; None for the other seeds."""
    if not route(printer.notation).purpose:
        return None
    return Section("Introduction", f"{prefix}sec:introduction", (text(purpose(derivation.network, printer)),))


def purpose(network: Architecture, printer: NotationPrinter) -> str:
    """What backpropagation is for, in the notation's letters: training moves the parameters against the gradient
    of the mean loss; a forward pass computes every layer's values, a backward pass every gradient."""
    total = printer.doprint(sp.Symbol("C"))
    z, a = (printer.stored(sp.MatrixSymbol(symbols.matrix(kind, 1), 1, 1)) for kind in ("z", "a"))
    return ("Training chooses the parameters (every weight and bias) to make the mean loss over the training "
            f"examples, ${total}$, small, by gradient descent or one of its variants: each step moves every parameter "
            "against its partial derivative, scaled by a learning rate. Backpropagation computes those derivatives: "
            f"{strong('forward propagation')} computes every layer's values (${z}$, ${a}$, ...) from the input "
            f"through the hidden layers to the output, then {strong('backward propagation')} computes the derivative "
            "of the loss with respect to each of them, from the output back through the hidden layers to the input, "
            "by the chain rule.")


def anatomy(network: Architecture, printer: NotationPrinter) -> str:
    """Seed 002's set-up in words: a fully connected network of an input layer (layer 0), L - 1 hidden layers and
    an output layer (layer L); each neuron a pre-activation (aggregation) and an activation; the hidden layers'
    activation function and the output's, each with other choices; the network's function, h_L = ŷ = O(a_L)."""
    depth, j = network.depth, printer.notation.indices[0]
    hidden = {1: "no hidden layer", 2: "one hidden layer"}.get(depth, f"$L - 1 = {depth - 1}$ hidden layers")
    pre, act = (printer.doprint(sp.Symbol(symbols.element(kind, 1, j), real=True)) for kind in ("z", "a"))
    top = printer.relabel(labels(printer.notation, "z", depth, "L"))
    a_L, y_hat = (top.stored(sp.MatrixSymbol(symbols.matrix(kind, depth), 1, 1)) for kind in ("z", "a"))
    x = printer.stored(sp.MatrixSymbol(symbols.matrix("x"), 1, 1))
    general = printer.relabel(labels(printer.notation, "a", GENERAL, "L"))  # the last layer's activation, h_L
    h_L = general.stored(sp.MatrixSymbol(symbols.matrix("a", GENERAL), 1, 1))
    computed = y_hat if h_L == y_hat else f"{h_L} = {y_hat}"  # seed 002: f(x) = h_L(x) = O(a_L(x)), here ŷ
    outer = printer.function_symbol(network.activation(depth).name, depth)
    functions = [("the output layer's", outer, _choice(network.activations[-1:], "output"))]
    if depth > 1:
        inner = printer.function_symbol(network.activation(1).name, 1)
        whose = "the hidden layer's" if depth == 2 else "the hidden layers'"
        functions.insert(0, (whose, inner, _choice(network.activations[:-1], "hidden")))
    said = "; ".join(f"{whose}{' activation function' if n == 0 else ''} is ${letter}$, {choice}"
                     for n, (whose, letter, choice) in enumerate(functions))
    L = printer.notation.bare_layer("z", depth)
    # its biases where they belong: each neuron's own, or said of the network (bias units, shared, none)
    parts = "a bias and two parts" if network.bias == "vector" else "two parts"
    biases = "" if network.bias == "vector" else f"The network has {BIAS_NAMES[network.bias]}. "
    return (f"The network is fully connected and feed-forward: an input layer (layer 0), {hidden} and an output "
            f"layer (layer $L = {L}$) of {_output_width(network.layers[-1])}. {biases}Each neuron of a hidden or the "
            f"output layer has {parts}, its {strong('pre-activation')} (or "
            f"{strong('aggregation')}) and its {strong('activation')}, such as ${pre}$ and ${act}$. "
            f"{said[0].upper()}{said[1:]}. The network computes $f({x}) = {computed} = "
            f"{outer}({a_L})$: every layer's values are functions of the input ${x}$.")


#: The activation functions seed 002 names as examples, for the hidden layers and for the output layer.
CHOICES = {"hidden": ("sigmoid", "tanh", "linear", "relu"), "output": ("softmax", "linear")}


def _choice(activations: Sequence[Activation], role: str) -> str:
    """``here ReLU (others: sigmoid, tanh, linear)``: the layers' activations and seed 002's other examples."""
    names = list(dict.fromkeys(act.name for act in activations))
    others = ", ".join(activation_word(name) for name in CHOICES[role] if name not in names)
    if names == ["generic"]:
        return f"left general (for example {others})"
    return f"here {' and '.join(map(activation_word, names))} (others: {others})"


def _output_width(n: int) -> str:
    """``$p = 2$ neurons``, ``$p = 1$ neuron``: the output layer's width."""
    return f"$p = {n}$ neuron{'' if n == 1 else 's'}"


def forward_blocks(derivation: Derivation, printer: NotationPrinter, general: bool = False, figure: str = "",
                   tabled: bool = False) -> tuple[Block, ...]:
    """The forward pass layer by layer, then neuron by neuron: every neuron, or (a large network, or a document
    that argues for a general neuron) one general neuron of each layer; or, as seed 003, its dynamics alone.
    ``figure``: the label of the network's figure, where the document draws it; ``tabled``: the notation table
    before it says what the class label and its indicator are."""
    network, way = derivation.network, route(printer.notation)
    cost, total = printer.doprint(sp.Symbol("c")), printer.doprint(sp.Symbol("C"))
    blocks = _neuron_dynamics(derivation, printer) if way.dynamics else _layer_by_layer(derivation, printer, general,
                                                                                        figure)
    if network.loss.generic:
        blocks.append(text(f"The cost of one example is ${cost}$, a function of the outputs and the targets, "
                           f"${printer.doprint(derivation.loss)}$, left general; over $m$ examples, ${total}$ is "
                           "their mean."))
    elif way.dynamics:  # seed 003: stochastic gradient descent minimises each example's loss in turn
        example = printer.notation.example  # E_n, E_ℓ: the example it is of, unless --symbol renamed the loss
        which = f" ${example}$" if example and example in printer.notation.letter("cost") else ""
        shown = [printer.doprint(target) for target in network.targets]
        listed = ", ".join(shown) if len(shown) <= 3 else f"{shown[0]}, \\ldots, {shown[-1]}"
        targets = "" if network.loss.sparse else f" with target{'s' if len(shown) > 1 else ''} ${listed}$"
        blocks.append(text(f"The loss to minimise, that of one example{which}{targets}, is"))
        blocks.append(display(chain(cost, [(terms(derivation.loss, printer), "")], printer.width)))
    else:
        blocks.append(text(f"Over $m$ examples the cost ${total}$ is the mean of the examples' costs; that of one "
                           f"example, ${cost}$, is" if cost != total else
                           f"The {say(printer.notation, 'cost')} ${cost}$ of one example (over $m$ examples, the "
                           f"mean of the examples' {say(printer.notation, 'costs')}) is"))
        blocks.append(display(chain(cost, [(terms(derivation.loss, printer), "")], printer.width)))
    if network.loss.sparse:
        indicator = f"{printer.indicator}_{{\\ell=j}}"
        onehot = printer.doprint(sp.MatrixSymbol(symbols.matrix("y"), network.layers[-1], 1))
        said = "" if tabled else (f"where $\\ell$ is the example's class label and ${indicator}$ is 1 when "
                                  "$j = \\ell$ and 0 otherwise. ")
        blocks.append(text(f"{said}The one-hot vector of the label, ${onehot}$, one entry for each output, has "
                           f"${indicator}$ as its entry $j$: exactly one of its entries is 1, the label's."))
    return tuple(blocks)


def _layer_by_layer(derivation: Derivation, printer: NotationPrinter, general: bool, figure: str) -> list[Block]:
    """The forward pass as whole layers, the parameters' sizes (seed 002: the layers nested into one function, "with
    the architecture of Figure 1" where ``figure`` labels it), then neuron by neuron: every neuron, or one general
    neuron of each layer."""
    network = derivation.network
    vector_lines = tuple(Line(printer.doprint(eq.lhs), "=", printer.doprint(eq.rhs))
                         for eq in derivation.forward_vector)
    blocks = [text("Layer by layer, for one example:"), display(Display(vector_lines)),
              text(_dimensions(network, printer))]
    if route(printer.notation).nested_model and derivation.model is not None:
        model = derivation.model
        drawn = f"With the architecture of {figure_ref(figure)}, the whole" if figure else "The whole"
        blocks.append(text(f"{drawn} network is one function of its input, the layers nested:"))
        blocks.append(display(Display((Line(printer.doprint(model.lhs), "=", printer.doprint(model.rhs)),))))
    if not sec.summarised(network) and not general:
        return [*blocks, text("Neuron by neuron:"), display(_element_forward(derivation, printer))]
    return [*blocks, text("Neuron by neuron, for each layer:"), display(_general_forward(network, printer))]


def _fundamentals(derivation: Derivation, printer: NotationPrinter) -> tuple[Block, ...]:
    """Seed 002's five parts of the problem, in its numbered order, each in this network's terms: the data, the
    model, the parameters, the learning algorithm, which needs what backpropagation computes, and the loss."""
    network = derivation.network
    inputs = printer.doprint(sp.MatrixSymbol(symbols.matrix("X"), 1, 1))
    output = printer.doprint(sp.MatrixSymbol(symbols.matrix("a", network.depth), 1, 1))
    total = printer.doprint(sp.Symbol("C"))
    params = ", ".join(printer.doprint(sp.MatrixSymbol(name, *shape))
                       for name, shape in network.parameter_shapes.items())
    labelled = ", each with its class label (a multi-class classification)" if network.loss.sparse else ""
    rows = (("data", f"$m$ examples of $n = {network.layers[0]}$ features, the columns of ${inputs} \\in "
                     f"{sizes.space(sizes.inputs(network, True))}${labelled}; a data matrix usually stacks its "
                     "examples as rows, "
                     "and this transpose of it lets each layer take every example at once, by one matrix product"),
            ("model", f"the function ${output} \\in {sizes.space(sizes.prediction(network))}$ of the input, "
                      f"nested above, with $p = "
                      f"{network.layers[-1]}$ outputs"),
            ("parameters", f"${params}$"),
            ("learning algorithm", f"gradient descent, which needs the derivative of ${total}$ with respect to "
                                   "every parameter: what backpropagation computes"),
            ("loss", _mean_loss(derivation, printer) or f"${total}$, the mean cost of the examples"))
    return (text("The five parts of the learning problem:"),
            Block("table", table=table(("Part", "Here"), rows, r"lp{0.6\linewidth}")))


def _mean_loss(derivation: Derivation, printer: NotationPrinter) -> str:
    """Seed 002's average sparse categorical cross-entropy, ``L = (1/m) Σ_{i=1}^m -log ŷ^{(i)}_{ℓ_i}``, where the
    loss of an example is -log of its output for its label (the cost of an example as the general argument defines
    it), written with the notation's letters; else nothing."""
    prediction = derivation.argument("prediction")
    if prediction is None:
        return ""
    loss = prediction.lines[0].since[0].rhs
    label = next(iter(loss.free_symbols))  # ŷ_ℓ, the output of the label
    element = printer.doprint(label)
    example = _of_example(element)
    cost = printer.doprint(loss).replace(element, example)
    return (f"${printer.doprint(sp.Symbol('C'))} = \\frac{{1}}{{m}} \\sum_{{i=1}}^{{m}} {cost}$, the average sparse "
            f"categorical cross-entropy, ${example}$ being the probability the network gives the class "
            "$\\ell_{i}$ of example $i$")


def _of_example(element: str) -> str:
    """``\\hat{y}_{\\ell}`` as example i's: ``\\hat{y}^{(i)}_{\\ell_{i}}``, the example's number above its letter
    (after a layer mark the letter already has, ``{a^{L}_{\\ell_{i}}}^{(i)}``)."""
    labelled = element.replace(r"\ell", r"\ell_{i}")
    letter, sub, rest = labelled.partition("_{")
    if "^" in letter or not sub:
        return f"{{{labelled}}}^{{(i)}}"
    return f"{letter}^{{(i)}}_{{{rest}"


def _neuron_dynamics(derivation: Derivation, printer: NotationPrinter) -> list[Block]:
    """Seed 003's dynamics, one general neuron of each layer: a_j = Σ_i w_ji x_i, z_j = σ(a_j), ..., each
    activation by its name (one output neuron as the seed's a_y = Σ_j v_j z_j, y = σ(a_y), in a single-output
    notation's letters or neuron 1's; an output that is not element-wise, as a vector: y = softmax(a)), then the
    activations' formulas."""
    network, named = derivation.network, printer.with_names()
    j, i = printer.notation.indices[:2]
    layers = ((1, (j, i)), (network.depth, (1, j))) if printer.notation.single else \
        tuple((layer, (1, j) if layer == network.depth and network.layers[-1] == 1 else (j, i))
              for layer in range(1, network.depth + 1))  # one output neuron: 1, its inputs j (the seed's a_y)
    lines = []
    for layer, (neuron, source) in layers:
        equation = general.forward(network, layer, neuron, source)
        lines.append(Line(printer.doprint(equation.lhs), "=",
                          " + ".join(printer.doprint(term) for term in sp.Add.make_args(equation.rhs))))
        act = network.activation(layer)
        a = sp.Symbol(symbols.element("a", layer, neuron), real=True)
        if act.elementwise:
            lines.append(Line(named.doprint(a), "=", named.doprint(sp.Function(act.name, real=True)(equation.lhs))))
        else:
            vector = next(eq for eq in derivation.forward_vector if eq.lhs.name == symbols.matrix("a", layer))
            lines.append(Line(named.doprint(vector.lhs), "=", named.doprint(vector.rhs)))
    blocks = [text("The dynamics of the network, for one example:"), display(Display(tuple(lines)))]
    return blocks + ([text(f"with {formulas}.")] if (formulas := _formulas(network)) else [])


def _formulas(network: Architecture) -> str:
    """``σ(x) = 1/(1 + e^{-x})`` for each activation of the network that has a formula worth stating, in seed 003's
    letter x."""
    u = sp.Symbol("x", real=True)
    shown = {act: sp.latex(act(u)) for act in dict.fromkeys(network.activations)
             if act.elementwise and not act.generic and act.name != "linear"}
    # (not tanh(u) = tanh(u): a function SymPy writes by its own name says nothing more)
    return " and ".join(f"${act.latex}(x) = {formula}$" for act, formula in shown.items()
                        if not formula.startswith(act.latex))


def _dimensions(network: Architecture, printer: NotationPrinter) -> str:
    """The parameters' sizes, as seeds 002 and 004 state them: ``W^1 ∈ R^{3 x 2}, b^1 ∈ R^3, ...``."""
    found = []  # each printed from the entry --verify checks
    for size in sizes.parameters(network, printer.notation):
        matrix = sp.MatrixSymbol(size.name, *network.parameter_shapes[size.name])
        found.append(f"${printer.stored(matrix)} \\in {sizes.space(size)}$")
    return "The parameters: " + ", ".join(found) + "."


def _element_forward(derivation: Derivation, printer: NotationPrinter) -> Display:
    """The engine's forward equations, layer by layer: every z^l_j, then every a^l_j."""
    network = derivation.network
    rhs = {equation.lhs: equation.rhs for equation in derivation.forward}
    lines: list[Line] = []
    for layer in range(1, network.depth + 1):
        for z in network.z(layer):
            lines.extend(chain(printer.doprint(z), [(terms(rhs[z], printer), "")], printer.width).lines)
        activation = network.activation(layer)
        for z, a in zip(network.z(layer), network.a(layer), strict=True):
            value = sp.Function(activation.name)(z) if activation.elementwise else rhs[a]
            lines.append(Line(printer.doprint(a), "=", printer.doprint(value)))
    return Display(tuple(lines))


def _each_neuron(network: Architecture, printer: NotationPrinter) -> str:
    """The forward pass of a general neuron in a sentence, as :func:`symbackprop.derive.general.forward` writes it
    for a layer above the first: ``Z^(l+1)_j = Σ_k w^(l)_jk a^(l)_k + w^(l)_j0``, then its activation (σ, each
    layer's own where they differ), the weights of layer l written as W^(l) is."""
    layer = min(2, network.depth)  # (its inputs a layer's outputs, not the network's inputs, where there is one)
    at = printer.relabel(labels(printer.notation, "W", layer)) if network.depth > 1 else printer  # (one layer: its own)
    j, k = printer.notation.indices[:2]
    equation = general.forward(network, layer, j, k)
    summed = next(term for term in sp.Add.make_args(equation.rhs) if isinstance(term, sp.Sum))
    rhs = " + ".join([rf"\sum_{{{k}}} {at.doprint(summed.function)}",
                      *(at.doprint(term) for term in sp.Add.make_args(equation.rhs) if term is not summed)])
    same = len({act.label for act in network.activations}) == 1
    activation = network.activation(1) if same else get_activation("generic")
    output = at.doprint(sp.Symbol(symbols.element("a", layer, j), real=True))
    z = sp.Symbol(symbols.element("z", layer, j), real=True)
    each = "" if same else f", with ${at.function_symbol('generic', layer)}$ the activation of that layer"
    return (f"Each neuron ${j}$ of layer ${printer.notation.bare_layer('z', layer, at.labels)}$ computes "
            f"${at.doprint(z)} = {rhs}$ and ${output} = {at.doprint(activation(z))}${each}.")


def _general_forward(network: Architecture, printer: NotationPrinter) -> Display:
    """z^l_j = sum_k w^l_{jk} a^{l-1}_k + b^l_j for every layer, as :func:`symbackprop.derive.general.forward`
    derives it, in the notation's neuron letters: the sum and the bias printed term by term."""
    lines = []
    j, k = printer.notation.indices[:2]
    for l in range(1, network.depth + 1):
        equation = general.forward(network, l, j, k)
        rhs = " + ".join(printer.doprint(term) for term in sp.Add.make_args(equation.rhs))
        stepped = printer.notation.stepped
        where = for_every(j, neuron_values(network.layers[l], stepped), stepped)
        lines.append(Line(printer.doprint(equation.lhs), "=", rhs, where))
    return Display(tuple(lines))


# -------------------------------------------------------------------------------------------- the forms
