"""The general part of the exercises, (a) to (c), as seed 001 asks it: for any activations g_ℓ and any cost c.

The statements come from the derivation of the same architecture with every activation and the loss
``generic`` (:func:`generic_derivation`): the set-up (``a_j = g_ℓ(z_j)``, the weighted input, ``δ_j = ∂c/∂z_j``)
is what its arguments differentiate, and each result to show is the last line of an argument
(:mod:`symbackprop.derive.reasoning`): BP1 for the output layer L, BP2 for a hidden layer ℓ, the gradient of a
weight and of a bias. The problems state them without a word of why; the solutions lay the arguments out with
:func:`symbackprop.documents.argued.argued_section`, each line with its rule, and add "for this network" the
concrete network's error terms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import sympy as sp

from ..derive import general, stated
from ..derive.argument import Argument
from ..derive.derivation import Derivation, Equation, Rule
from ..derive.engine import derive
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.display import Display, Line, join_terms
from ..notation.printer import NotationPrinter
from ..notation.written import limits_said, terms
from . import sections as sec
from .argued import argued_section, definition_line, in_order, written
from .lettering import notation_letters
from .routes import route
from .sections import COST, TOTAL, Block, Boxed, Section, display, text
from .summary import BP, bias_unit_words, bp_equations, labels, vector_steps
from .tables import weight_shape
from .words import BIAS_NAMES, describe


def generic_derivation(network: Architecture) -> Derivation:
    """``network``'s architecture (layers, bias convention) with every activation and the loss generic."""
    generic = Architecture(network.layers, hidden="generic", output="generic", loss="generic", bias=network.bias)
    return derive(generic, forms=("vector",))


def _arguments(derivation: Derivation) -> dict[str, Argument]:
    return {argument.name: argument for argument in derivation.arguments}


def _at(printer: NotationPrinter, layer: int, letter: str | None = None, kind: str = "z") -> NotationPrinter:
    """A printer writing ``kind``'s ``layer`` as ``letter`` (the notation's ℓ by default), its neighbours ℓ±1."""
    return printer.relabel(labels(printer.notation, kind, layer, letter))


def _printed(expr: sp.Basic, argument: Argument, printer: NotationPrinter, letter: str | None = None) -> str:
    """``expr`` of ``argument`` as written, in the notation's letters and the seed's order of factors (as its
    solution writes it), its layer written ``letter``."""
    letters = notation_letters(argument, printer)
    return written(in_order(expr, argument, letters, printer), _at(printer, argument.layer, letter))


def _result(argument: Argument, printer: NotationPrinter, letter: str | None = None, note: str = "") -> Line:
    """``lhs = the argument's last line``: the result a problem asks to show."""
    return Line(_printed(argument.lhs, argument, printer, letter), "=",
                _printed(argument.lines[-1].result, argument, printer, letter), note)


def _cost_mean(printer: NotationPrinter) -> tuple[str, Display | None]:
    """``C = 1/|D| Σ_x c(x)`` in the notation's letters, after the sentence that introduces it; where one letter
    stands for both (C, 𝓛(θ)) the sentence says so and there is no display."""
    total, cost = printer.doprint(sp.Symbol("C")), printer.cost_letter()
    if total == cost:
        return (f"Assume that the cost ${total}$ is the mean over the data set $\\mathcal{{D}}$ of the costs of its "
                f"examples, and write ${cost}$ also for the cost of one example, for which every derivative below "
                "is taken.", None)
    x = printer.doprint(sp.MatrixSymbol(symbols.matrix("x"), 1, 1))
    mean = rf"\frac{{1}}{{|\mathcal{{D}}|}} \sum_{{{x} \in \mathcal{{D}}}} {cost}({x})"
    return (f"Assume that the cost ${total}$ is the mean over the data set $\\mathcal{{D}}$ of the costs ${cost}$ "
            "of its examples:", Display((Line(total, "=", mean),)))


def _parameters(found: dict[str, Argument], printer: NotationPrinter, bias: str) -> str:
    """``with W_ij the weights and b_j the biases``, as the bias convention has them."""
    def variable(name: str) -> str:
        argument = found[name]
        return _printed(argument.lhs.variables[0], argument, printer)

    weights = f"with ${variable('weight')}$ the weights"
    if bias == "none":
        return f"{weights} (the network has no biases)"
    if bias == "neuron":
        return f"{weights} and ${variable('bias')}$ the weight of the bias unit, whose output is always 1"
    if bias == "shared":
        return f"{weights} and ${variable('bias')}$ the bias shared by every neuron of the layer"
    return f"{weights} and ${variable('bias')}$ the biases"


# ------------------------------------------------------------------------------------------------ problems
def setup_blocks(concrete: Derivation, generic: Derivation, printer: NotationPrinter,
                 parts: str = "(a) to (c)") -> tuple[Block, ...]:
    """The set-up of seed 001: a neuron's output and weighted input, the cost as a mean, the error term's
    definition, in the notation's letters and a general layer ℓ; ``printer`` prints the generic network; ``parts``
    the parts that hold for any network; the network of the exercises (``concrete``) named, with its cost."""
    network = concrete.network
    found = _arguments(generic)
    shaped = found.get("hidden", found["output"])  # a layer ℓ with an activation g_ℓ
    j, l = printer.notation.indices[0], printer.notation.layer_letter
    g = _at(printer, shaped.layer).function_symbol("generic", shaped.layer)
    cost, mean = _cost_mean(printer)
    blocks = [
        text("In this problem you derive the equations that give the gradient of the cost of a feed-forward neural "
             "network by backpropagation; learning algorithms such as gradient descent use this gradient to train "
             f"the network. Parts {parts} hold for any activation functions that act neuron by neuron and any cost "
             "of the network's outputs; work them out for this network too: "
             f"{describe(network)}, with "
             f"{BIAS_NAMES[network.bias]}; {_numbered(network, printer)}.{_its_cost(concrete, printer)}"
             f"{_not_elementwise(network)}"),
        text(f"Recall that the output of neuron ${j}$ in layer ${l}$ is"),
        display(Display((definition_line(shaped, Rule.LOCAL_ELEMENTWISE, printer),))),
        text(f"where ${g}$ is the (non-linear) activation function of layer ${l}$, and the neuron's weighted input is"),
        display(Display((definition_line(found["weight"], Rule.LOCAL_LINEAR, printer),))),
        text(f"{_parameters(found, printer, network.bias)}{_widths(printer)}. {cost}"),
    ]
    if mean is not None:
        blocks.append(display(mean))
    delta = Line(_printed(shaped.lhs, shaped, printer), "=", _printed(shaped.lines[0].result, shaped, printer))
    if delta.lhs != delta.rhs:  # goodfellow writes the error term as the derivative itself
        define = "and define" if mean is not None else "Define"
        blocks += [text(f"{define} the error term of a neuron"), display(Display((delta,)))]
    return tuple(blocks)


def _not_elementwise(network: Architecture) -> str:
    """What the set-up asks of an output activation that does not act neuron by neuron, for which BP1 as the
    parts state it does not hold: its error terms through its whole Jacobian (the solution to (a) derives them)."""
    output = network.activation(network.depth)
    if output.elementwise:
        return ""
    return (f" Its output activation, {output.label}, does not act neuron by neuron: derive its output layer's "
            "error terms through the layer's whole Jacobian.")


def _widths(printer: NotationPrinter) -> str:
    """What the sums run over: ``n_ℓ`` named where the notation writes it as a sum's limit, in words otherwise."""
    l = printer.notation.layer_letter
    if printer.notation.sum_limits:
        return f"; {limits_said(printer)}"
    return (f"; the sum here is over all $n_{{{l}-1}}$ neurons of layer ${l}-1$, and a sum over the neurons of "
            f"layer ${l}+1$ further on is over all $n_{{{l}+1}}$ of them")


def problem_blocks(generic: Derivation, printer: NotationPrinter) -> dict[str, tuple[Block, ...]]:
    """Parts (a) to (c): the results to show, from the generic derivation, with no rule named."""
    found = _arguments(generic)
    j, l = printer.notation.indices[0], printer.notation.layer_letter
    which = f"a neuron ${j}$ of the output layer $L$" if generic.network.layers[-1] > 1 else "the output neuron"
    a: list[Block] = [text(f"Show that the error term of {which} is"),
                      display(Display((_result(found["output"], printer, "L"),)))]
    if "hidden" in found:
        a += [text(f"and that those of a hidden layer ${l} < L$ follow from those of layer ${l}+1$:"),
              display(Display((_result(found["hidden"], printer),)))]
    weight = found["weight"]
    lines = [Line(_printed(weight.lhs, weight, printer), "=", _weight_result(weight, printer))]
    if "bias" in found:
        lines.append(_result(found["bias"], printer))
    cost = printer.cost_letter()
    parameters = "weights and biases" if "bias" in found else "weights"
    shown = lines if len(lines) == 1 else [  # on one line, as seed 001 asks for them
        Line(lines[0].lhs, "=", f"{lines[0].rhs}, \\qquad {lines[1].lhs} = {lines[1].rhs}")]
    b = (text(f"Show that in every layer ${l}$ the partial derivatives of ${cost}$ with respect to the {parameters} "
              "are"), display(Display(tuple(shown))),
         text(f"and so those of {_data_set_cost(printer)} are their means over the data set."))  # (the solution's end)
    # with bias units BP3 is (b)'s entry formula, and BP4's matrix holds the bias unit's weights: not asked again
    vector = [eq for eq in bp_equations(generic, printer) if eq.tag != "BP3" or generic.network.bias != "neuron"]
    c: tuple[Block, ...] = (text(_vector_lead(generic.network, printer)), *_tagged(vector))
    return {"a": tuple(a), "b": b, "c": c}


def _vector_lead(network: Architecture, printer: NotationPrinter) -> str:
    """(c)'s lead: what its weight matrix is, and its shape (input-major's rows are the layer below: BP2 without a
    transpose), and what ⊙ is, which (a) and (b) did not need."""
    at = printer.relabel(labels(printer.notation, "W", network.depth))
    j, i = printer.notation.indices[:2]
    matrix = at.stored(sp.MatrixSymbol(symbols.matrix("W", network.depth), 1, 1))
    entry = at.doprint(sp.Symbol(symbols.element("W", network.depth, j, i), real=True))
    shape = weight_shape(network, printer.notation)  # (:func:`.sizes.general`, checked at every layer)
    bias_units = bias_unit_words(network, printer).strip().rstrip(".")  # ng's W̃ and ā, which BP2 and BP4 use
    said = f"; {bias_units}" if bias_units else ""
    return (f"Show that, layer by layer, these become the following, where ${matrix}$ is the ${shape}$ matrix of the "
            f"weights ${entry}$ and $\\odot$ is the element-wise (Hadamard) product{said}:")


def _numbered(network: Architecture, printer: NotationPrinter) -> str:
    """How the layers are counted: from the input's number to the output layer's, ``L = ...``."""
    first, last = (printer.notation.bare_layer("a", layer) for layer in (0, network.depth))
    return f"its layers run from ${first}$, the input, to $L = {last}$"


def _its_cost(concrete: Derivation, printer: NotationPrinter) -> str:
    """`` Its cost of one example is c = ...``, a sentence of its own: the loss the solutions differentiate, with
    the targets it compares the outputs with; nothing for a generic cost."""
    network, loss = concrete.network, concrete.loss
    if network.loss.generic:
        return ""
    targets = ", ".join(printer.doprint(target) for target in network.targets[:2])
    more = ", \\ldots" if len(network.targets) > 2 else ""
    # each term one group: a line of text breaks between the terms, never inside one's "(1 - y_2)"
    grouped = [f"-{{{term[1:].lstrip()}}}" if term.startswith("-") else f"{{{term}}}"
               for term in (term.strip() for term in terms(loss, printer))]
    return (f" Its cost of one example is ${printer.doprint(sp.Symbol('c'))} = {join_terms(grouped)}$, with the "
            f"targets ${targets}{more}$.")


def _mean_over_data(argument: Argument, equation: Equation, printer: NotationPrinter, summand: str) -> str:
    """Seed 001 asks (b) for the cost C of the data set: ``∂C/∂W = 1/|D| Σ_x a δ``, printed from ``equation``
    (:func:`symbackprop.derive.stated.data_mean`, which ``--verify`` checks), the example's ``∂c/∂W = a δ``
    (``summand``, its sum's term as printed) summed as C's definition in the set-up sums the costs."""
    factor, total = stated.mean_parts(equation)
    numerator, size = sp.fraction(factor)
    if size != stated.DATA or stated.over_examples(total)[0] != (stated.DATUM, 1, stated.DATA):
        raise ValueError(f"not a mean over the data set: {equation.rhs}")
    lhs = _printed(equation.lhs, argument, printer)
    return (f"${lhs} = \\frac{{{printer.doprint(numerator)}}}{{|\\mathcal{{D}}|}} "
            f"\\sum_{{\\mathbf{{x}} \\in \\mathcal{{D}}}} {summand}$")


def _weight_result(weight: Argument, printer: NotationPrinter, result: sp.Expr | None = None) -> str:
    """A weight's gradient as (b) asks it, ``a δ`` (its argument's result, or ``result``): its factors in the order
    the seeds write them."""
    letters = notation_letters(weight, printer)
    result = weight.lines[-1].result if result is None else result
    return written(general.with_letters(sp.Mul(*result.args), letters), _at(printer, weight.layer))


def _means(found: dict[str, Argument], printer: NotationPrinter) -> Block:
    """The end of (b)'s answer: the gradients of the data set's cost C, the means of the examples' (``found`` the
    generic arguments; a weight's result written a δ, as (b) asks it)."""
    said = []
    for name in ("weight", "bias"):
        if name not in found:
            continue
        argument = found[name]
        equation = stated.data_mean(argument.lhs, argument.lines[-1].result)
        term = stated.over_examples(stated.mean_parts(equation)[1])[1]
        summand = _weight_result(argument, printer, term) if name == "weight" else _printed(term, argument, printer)
        said.append(_mean_over_data(argument, equation, printer, summand))
    total, cost = printer.doprint(TOTAL), printer.doprint(COST)
    whole, costs = ("of the data set", "costs") if total == cost else (f"${total}$", f"costs ${cost}$")
    return text(f"The cost {whole} is the mean of the examples' {costs}, so each of its derivatives is the mean of "
                f"theirs: {' and '.join(said)}.")


def _data_set_cost(printer: NotationPrinter) -> str:
    """The whole data set's cost, ``C``; ``the cost of the data set`` where its letter also writes one example's."""
    total = printer.doprint(TOTAL)
    return "the cost of the data set" if total == printer.doprint(COST) else f"${total}$"


# ----------------------------------------------------------------------------------------------- solutions

def _argued(derivation: Derivation, arguments: Sequence[Argument], printer: NotationPrinter,
            prefix: str) -> list[Block]:
    """What :func:`argued_section` lays out for ``arguments`` (of ``derivation``'s network) alone, without the
    introduction it opens with, nor the headings of the parts a seed argues in (one solution is one part)."""
    alone = dataclasses.replace(derivation, arguments=tuple(arguments), thin=None)
    intro = argued_section(dataclasses.replace(alone, arguments=()), printer, prefix).blocks
    argued = argued_section(alone, printer, prefix, every=True)
    return [*argued.blocks[len(intro):], *(block for part in argued.subsections for block in part.blocks)]


#: The arguments the problem's solutions (:func:`solution_blocks`) derive for a general neuron: a section of
#: arguments after the problem does not derive them again.
SOLVED = frozenset({"output", "hidden", "activation", "through_output", "weight", "bias"})


def solution_blocks(concrete: Derivation, generic: Derivation, printers: tuple[NotationPrinter, NotationPrinter],
                    prefix: str) -> dict[str, tuple[Block, ...]]:
    """The answers to (a) to (c): the generic arguments, each line with its rule, and "for this network" the
    concrete network's error terms. ``printers`` print the generic network and the concrete one.

    The generic arguments hold for every element-wise activation and every cost, so they are laid out as
    arguments of the concrete derivation, whose error terms argued_section adds "for this network"; the output
    layer of a network whose output activation is not element-wise is argued for the generic network only."""
    printer, own = printers[0], _arguments(concrete)
    # the generic argument, then this network's lines (σ' = σ(1 - σ), y - r) from the concrete one
    found = {name: dataclasses.replace(argument, concrete=own[name].concrete, by_input=own[name].by_input)
             if name in own else argument for name, argument in _arguments(generic).items()}
    elementwise = concrete.network.activation(concrete.network.depth).elementwise
    a: list[Block] = _argued(concrete if elementwise else generic, [found["output"]], printer, prefix)
    if not elementwise:  # its error terms at once, through the layer's whole Jacobian (the vector form's step)
        L = concrete.network.depth
        name = concrete.network.activation(L).label
        a += [text(f"This network's output activation, {name}, is not element-wise: each output depends on every "
                   "weighted input of the layer, so its error terms come all at once, through the layer's whole "
                   "Jacobian:"),
              display(sec.quantity_display(sec.group(vector_steps(concrete)[1])[symbols.matrix("delta", L)],
                                           _at(printers[1], L, "L")))]
    if "hidden" in found and route(printer.notation).homework_through_outputs:  # ∂c/∂a_j first, then δ_j
        through = dataclasses.replace(found["through_output"], concrete=found["hidden"].concrete)
        a += _argued(concrete, [found["activation"], through], printer, prefix)
    elif "hidden" in found:
        a += _argued(concrete, [found["hidden"]], printer, prefix)
    b = _argued(concrete, [found[name] for name in ("weight", "bias") if name in found], printer, prefix)
    b.append(_means(found, printer))
    return {"a": tuple(a), "b": tuple(b), "c": _vector_solution(concrete, generic, printers)}


def _vector_solution(concrete: Derivation, generic: Derivation,
                     printers: tuple[NotationPrinter, NotationPrinter]) -> tuple[Block, ...]:
    """The generic vector form of BP1-BP4 step by step, in layers L and ℓ; then this network's equations where
    they differ."""
    printer, L = printers[0], generic.network.depth
    notation = printer.notation
    # in the order the problem asks for them, BP1 to BP4
    shown = {symbols.matrix("delta", L): _at(printer, L, "L"), symbols.matrix("delta", L - 1): _at(printer, L - 1),
             symbols.matrix("b", L): _at(printer, L, kind="W"), symbols.matrix("W", L): _at(printer, L, kind="W")}
    blocks: list[Block] = [text("The same with whole layers, through Jacobians and transposes; $\\odot$ is the "
                                "element-wise (Hadamard) product.")]
    groups = sec.group(generic.steps_of("vector"))
    for name in (name for name in shown if name in groups):
        transpose = symbols.kind_of(name) == "W" and notation.weights_transposed
        blocks.append(display(sec.quantity_display(groups[name], shown[name], transpose=transpose)))
    general_bp = {eq.tag: eq.final for eq in bp_equations(generic, printer)}
    output = concrete.network.activation(L)
    if not output.elementwise:  # BP1 took a diagonal Jacobian
        blocks.append(text(f"BP1 does not hold for this network's output activation, {output.label}, whose Jacobian "
                           "is not diagonal; (a) derived its error terms through its whole Jacobian."))
    # "For this network, BP1 and BP2 become:" (the others read as they do in general; BP2 with the activation
    # in terms of its output, as (a) writes it; BP1 of an output that is not element-wise just derived)
    specific = [dataclasses.replace(eq, final=eq.concrete) if eq.concrete else eq
                for eq in bp_equations(concrete, printers[1]) if (eq.concrete or eq.final != general_bp.get(eq.tag))
                and (output.elementwise or eq.tag != "BP1")]
    if specific:
        tags = [eq.tag for eq in specific]
        said = f"{', '.join(tags[:-1])} and {tags[-1]} become" if len(tags) > 1 else f"{tags[0]} becomes"
        blocks += [text(f"For this network, {said}:"), *_tagged(specific)]
    return tuple(blocks)


def _tagged(equations: Sequence[BP]) -> list[Block]:
    """The equations one under another, each numbered by its name at the margin, (BP1), as the summary numbers
    them, but unboxed: the names in one column, however long each equation."""
    return [Block("boxed", boxed=tuple(Boxed(f"{eq.lhs} = {eq.final}", eq.tag, framed=False) for eq in equations))]


def _solution(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """A part's answer, its first paragraph led by "Solution." (a figure beside it may come first)."""
    first = next((n for n, block in enumerate(blocks) if block.kind == "text"), None)
    if first is None:
        return (text("", lead="Solution."), *blocks)
    return (*blocks[:first], text(blocks[first].text, lead="Solution."), *blocks[first + 1:])


def homework_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    """Seed 001 as it is: a problem stating the set-up, then (a) the error terms and (b) the gradients to show,
    each followed by its solution (the arguments, every step with its rule, then this network's terms)."""
    network = derivation.network
    generic = generic_derivation(network)
    printers = (NotationPrinter(printer.notation, generic.network, indicator=printer.indicator, width=printer.width,
                                per_layer=network.hidden_differ),
                printer)
    asked = problem_blocks(generic, printers[0])
    answered = solution_blocks(derivation, generic, printers, f"{prefix}hw:")  # its figures' labels its own
    parts = tuple(Section(f"({part}) {title}", f"{prefix}hw:{part}", (*asked[part], *_solution(answered[part])),
                          numbered=False) for part, title in (("a", "The error terms"), ("b", "The gradients")))
    return Section("Problem", f"{prefix}sec:problem", setup_blocks(derivation, generic, printers[0], "(a) and (b)"),
                   parts)
