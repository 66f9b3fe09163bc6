"""What each argument of the general neuron is about, in words before its display (:mod:`.argued`): one sentence
per argument, with the notation's letters filled in (``{j}``, ``{k}``, ``{l}``, ``{z}``, ``{a}``, ``{outputs}``),
the general rule an introduction states (``{rule}``, :data:`STATES`) and the one it ends in, displayed after it
(:data:`ENDS_IN`): each printed from its schema (:data:`symbackprop.derive.schemas.SCHEMAS`), the entry that
``--verify`` proves."""

from __future__ import annotations

import sympy as sp

from ..derive import general, schemas
from ..derive.argument import Argument
from ..derive.chain import COST
from ..model import symbols
from ..notation.display import Display, Line
from ..notation.printer import NotationPrinter
from ..notation.written import stepped_range
from .routes import route, say
from .sections import Block, display, text

#: What each argument is about, before its display.
INTRO = {
    "output": "For a neuron ${j}$ of the output layer $L$, by the chain rule through its activation:",
    "hidden": ("Now take a hidden layer ${l} < L$. The cost depends on ${z}$ through every neuron ${k}$ of layer "
               "${l}+1$, so the multivariable chain rule sums over them: for $y = f(u_1, \\ldots, u_m)$, ${rule}$. "
               "Whatever the widths (also for one neuron in layer ${l}+1$):"),
    "prediction": ("The network's output is ${outputs}$, and the loss of one example is $-\\log$ of its entry for "
                   "the example's true class label $\\ell$. With respect to each output ${j}$:"),
    "softmax": ("The output layer: a softmax with sparse cross-entropy. What we are after is the derivative with "
                "respect to each weighted input ${z}$: the loss, $-\\log$ of the output of the class label $\\ell$, "
                "depends on every one of them, since the softmax's denominator sums over them all. Recall the "
                "quotient rule ${rule}$:"),
    "activation": ("Take a hidden layer ${l} < L$. The loss depends on the output ${a}$ through every neuron "
                   "${k}$ of layer ${l}+1$, so the chain rule along multiple paths sums over them, a term for each "
                   "path: if $p(z)$ is a function of intermediate results $q_1(z), q_2(z), \\ldots$, then"),
    "through_output": "Then through the activation of the same neuron:",
    "weight": "A weight reaches the {cost} only through the {weighted} of its neuron:",
    "bias": "Likewise for a bias:",
}
#: The general rule an introduction states (its ``{rule}``, also a notation's own introduction's), by its name in
#: :data:`~symbackprop.derive.schemas.SCHEMAS`.
STATES = {"hidden": "chain rule through every u", "softmax": "quotient rule"}
#: The rule an introduction ends in, displayed after it (seed 002's chain rule along multiple paths).
ENDS_IN = {"activation": "chain rule along every path"}


def introduction(argument: Argument, letters: dict[str, str], printer: NotationPrinter, shown: NotationPrinter
                 ) -> str:
    """The sentence before the argument's display (:data:`INTRO`, or the notation's own), in its letters
    (``shown`` writes the argument's layers); seed 001's for the last hidden layer ("Observe now layer L-1.
    Schematically, [the figure]. Then, ..."); for an output layer of one neuron, no neuron j."""
    way = route(printer.notation)
    z, a = (shown.doprint(general.with_letters(sp.Symbol(symbols.element(kind, argument.layer, "j")), letters))
            for kind in ("z", "a"))
    if argument.name == "activation" and way.last_hidden_first:
        return (f"The cost depends on the output ${a}$ through every neuron ${letters['k']}$ of layer $L$, so the "
                "multivariable chain rule sums over them:")
    if argument.name == "output" and printer.network.layers[-1] == 1:
        return f"For the output neuron, the chain rule through its activation ${a}$ gives its error term:"
    template = way.intros.get(argument.name, INTRO[argument.name])
    return template.format(j=letters["j"], k=letters["k"], z=z, a=a, l=printer.notation.layer_letter,
                           outputs=_outputs(argument, shown) if argument.name == "prediction" else "",
                           rule=schemas.SCHEMAS[STATES[argument.name]].latex if argument.name in STATES else "",
                           cost=say(printer.notation, "cost"), weighted=say(printer.notation, "weighted input"),
                           hidden=stepped_range("1", "L-1"))  # the hidden layers, as seed 002 writes them


def rule_shown(argument: Argument) -> list[Block]:
    """The rule the argument's introduction ends in, displayed after it (seed 002's chain rule along multiple
    paths); nothing where the introduction has none."""
    if argument.name not in ENDS_IN:
        return []
    return [display(Display((Line("", "", schemas.SCHEMAS[ENDS_IN[argument.name]].latex),)))]


def _outputs(argument: Argument, printer: NotationPrinter) -> str:
    """The output vector written out, ``ŷ = (ŷ_1, ..., ŷ_p)ᵀ`` (seed 002's, before it differentiates the loss)."""
    layer, n = argument.layer, printer.network.layers[argument.layer]
    vector = printer.doprint(sp.MatrixSymbol(symbols.matrix("a", layer), n, 1))
    first, last = (printer.doprint(sp.Symbol(symbols.element("a", layer, index), real=True)) for index in (1, "p"))
    return f"{vector} = ({first}, \\ldots, {last})^{{\\top}}"


def chain_rule_shown(argument: Argument, letters: dict[str, str], printer: NotationPrinter
                      ) -> tuple[list[Block], str]:
    """Seed 003's generalised chain rule, displayed before it is used, and the sentence that leads into BP2: the cost
    is a function of the weighted inputs of layer l+1 (``printer`` writes the argument's layers as l, l+1)."""
    l = printer.notation.layer_letter
    # the seed's three lines: y of u, u of x, then the rule
    rule = tuple(Line(*row) for row in schemas.SCHEMAS["generalised chain rule"].rows)

    def above(kind: str, index: str | int) -> str:  # a neuron of layer l+1, the first or the k-th
        symbol = sp.Symbol(symbols.element(kind, argument.layer + 1, index), real=True)
        return printer.doprint(general.with_letters(symbol, letters))

    last = printer.count(argument.layer + 1) if printer.notation.next_count else ""  # seed 003's z_m
    outputs, inputs = (f"{above(kind, 1)}, \\ldots, {above(kind, 'k')}, \\ldots"
                       + (f", {printer.entry(kind, argument.layer + 1, last)}" if last else "") for kind in ("a", "z"))
    count = f"$n_{{{l}+1}}$ " if printer.notation.sum_limits and not last else ""  # the limit of the sums
    L = printer.notation.bare_layer("z", printer.network.depth)  # the output layer's number, said where L is first used
    intro = (f"Now let neuron ${letters['j']}$ be in a hidden layer ${l}$ (so ${l} < L$, where $L = {L}$ is the output "
             f"layer): the {count}neurons ${outputs}$ of layer ${l}+1$ take its output, and in general "
             f"${printer.doprint(COST)} = f({inputs})$ for some function $f$ of their weighted inputs. "
             "Applying the chain rule:")
    recall = text("Before that, recall the generalised (multivariable) chain rule (GCR):")
    return [recall, display(Display(rule))], intro
