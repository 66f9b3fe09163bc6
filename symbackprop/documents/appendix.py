"""The appendix: each activation's derivative worked out step by step (seed 002 §6.1), from the engine.

The lines are :func:`symbackprop.model.activations.derivative`'s steps, each with the note for its rule; the first two
(the definition and SymPy's raw derivative) are printed as they are, the later ones with σ(u) for
``1/(1 + e^{-u})``. Softmax, a vector map, gets its Jacobian from
:func:`~symbackprop.model.activations.softmax_jacobian`.
"""

from __future__ import annotations

import sympy as sp

from ..model import symbols
from ..model.activations import A, Activation, Z, derivative, softmax_jacobian
from ..model.architecture import Architecture
from ..model.rules import Rule
from ..notation.display import Display, Line, chain
from ..notation.printer import NotationPrinter
from .notes import note
from .sections import Block, Section, display, terms, text
from .summary import labels

TITLES = {
    "sigmoid": "The logistic sigmoid", "tanh": "The hyperbolic tangent", "relu": "ReLU",
    "leaky_relu": "Leaky ReLU", "linear": "The identity", "softplus": "Softplus", "elu": "ELU",
    "silu": "SiLU (swish)", "gelu": "GELU", "softmax": "Softmax",
}


def appendix_sections(network: Architecture, printer: NotationPrinter, prefix: str) -> list[Section]:
    """One appendix section holding a subsection per distinct activation of ``network``, in layer order."""
    seen: dict[str, tuple[Activation, int]] = {}
    for layer, act in enumerate(network.activations, start=1):
        if not act.generic:  # g' is a symbol: nothing to work out
            seen.setdefault(act.label, (act, layer))
    if not seen:
        return []
    parts = []
    for act, layer in seen.values():
        blocks = _softmax_blocks(network, printer) if not act.elementwise else _derivative_blocks(act, layer, printer)
        parts.append(Section(TITLES.get(act.name, act.name), f"{prefix}sec:derivative-{act.name}", blocks))
    intro = text("Each activation's derivative, worked out step by step.")
    return [Section("Derivatives of the activation functions", f"{prefix}sec:derivatives", (intro,), tuple(parts))]


def _derivative_blocks(act: Activation, layer: int, printer: NotationPrinter) -> tuple[Block, ...]:
    worked = derivative(act)
    raw = NotationPrinter(printer.notation, printer.network, indicator=printer.indicator, sigma=False,
                          width=printer.width)
    symbol = printer.function_symbol(act.name, layer)
    z, a = printer.doprint(Z), printer.doprint(A)
    definition = worked.steps[0].expr
    name_line = f"{act.latex}({z})" if symbol != act.latex else ""
    rows = [(terms(definition, raw), note(worked.steps[0].rule))]
    if name_line and printer.doprint(definition) != name_line:
        rows.insert(0, ([name_line], ""))
    lines = list(chain(f"{symbol}({z})", rows, printer.width).lines)
    differentiated = worked.steps[1]
    steps = [([raw.doprint(differentiated.expr)], note(differentiated.rule, differentiated.activation, z))]
    for position, step in enumerate(worked.steps[2:], start=2):
        detour = step.rule is Rule.SIMPLIFY and position + 1 < len(worked.steps)
        if not detour:  # SymPy's simplified form (1/(4 cosh^2)) is a detour when the textbook form follows
            steps.append((terms(step.expr, printer), note(step.rule, step.activation, z)))
    lines.extend(chain(f"{symbol}'({z})", steps, printer.width).lines)
    blocks = [display(Display(tuple(lines)))]
    if worked.in_output:
        blocks.append(text(f"where ${a} = {symbol}({z})$ is the neuron's output."))
    elif worked.named:
        blocks.append(text(f"The derivative of {act.name} is the {worked.named} function."))
    return tuple(blocks)


class Written(sp.Symbol):
    """A symbol printed as its name, verbatim: a letter of the notation with its index (``\\hat{y}_{1}``), which
    the printer must not read as an engine symbol (bishop's output ``y_1`` is not the target)."""

    def _notation_latex(self, printer: NotationPrinter) -> str:
        return self.name


def _softmax_blocks(network: Architecture, printer: NotationPrinter) -> tuple[Block, ...]:
    """The softmax Jacobian entry by entry, in the notation's letters: its pre-activation (z, bishop's and
    goodfellow's a) and its output (a; bishop's y, goodfellow's ŷ), summed over an index that is not the
    notation's layer letter (goodfellow's layers are k: its seed sums over i')."""
    n = network.layers[-1]
    raw, in_output, outputs = softmax_jacobian(n)
    notation = printer.notation
    z_letter, a_letter = notation.letter("z"), output_letter(printer)
    zs = [Written(f"{z_letter}_{{{i}}}") for i in range(1, n + 1)]
    a_s = [Written(f"{a_letter}_{{{i}}}") for i in range(1, n + 1)]
    rename = dict(zip(sp.symbols(f"z1:{n + 1}", real=True), zs, strict=True)) | dict(zip(outputs, a_s, strict=True))
    raw_printer = NotationPrinter(notation, network, indicator=printer.indicator, sigma=False)
    a1, z1, z2 = a_s[0], zs[0], zs[1]
    k, k_sub = ("k", "k") if notation.layer_letter != "k" else ("i'", "{i'}")
    softmax = rf"\frac{{e^{{{printer.doprint(z1)}}}}}{{\sum_{{{k}=1}}^{{{n}}} e^{{{z_letter}_{k_sub}}}}}"
    lines = [Line(printer.doprint(a1), "=", softmax, r"\text{definition}")]
    for column, why in ((0, r"\text{same index}"), (1, r"\text{different indices}")):
        lhs = rf"\frac{{\partial {printer.doprint(a1)}}}{{\partial {printer.doprint([z1, z2][column])}}}"
        lines.append(Line(lhs, "=", raw_printer.doprint(raw[0, column].xreplace(rename)), why))
        lines.append(Line("", "=", printer.doprint(in_output[0, column].xreplace(rename)), r"\text{in the outputs}"))
    general = rf"\frac{{\partial {a_letter}_i}}{{\partial {z_letter}_j}}"
    indicator = f"{printer.indicator}_{{i=j}}"
    lines.append(Line(general, "=", rf"{a_letter}_i \left({indicator} - {a_letter}_j\right)", r"\text{both cases}"))
    output = printer.relabel(labels(notation, "a", network.depth, "L"))
    vector = sp.MatrixSymbol(symbols.matrix("a", network.depth), n, 1)
    matrix = output.doprint(sp.DiagMatrix(vector) - vector * vector.T)
    return (display(Display(tuple(lines))),
            text(f"In matrix form the Jacobian is ${matrix}$, with ${output.doprint(vector)}$ the output vector."))


def output_letter(printer: NotationPrinter) -> str:
    """The letter of the network's output: the notation's own (bishop's y, goodfellow's ŷ), else its activation
    letter (a; never its pre-activation letter, which bishop and goodfellow write a)."""
    return printer.notation.letter("out") or printer.notation.letter("a")

