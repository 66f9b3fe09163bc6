"""The appendix: each activation's derivative worked out step by step (seed 002 §6.1), from the engine.

The lines are :func:`symbackprop.activations.derivative`'s steps, each with its justification; the first two
(the definition and SymPy's raw derivative) are printed as they are, the later ones with σ(u) for
``1/(1 + e^{-u})``. Softmax, a vector map, gets its Jacobian from :func:`~symbackprop.activations.softmax_jacobian`.
"""

from __future__ import annotations

import sympy as sp

from .activations import A, Activation, Z, derivative, softmax_jacobian
from .equations import Display, Line, chain
from .network import Network
from .printer import NotationPrinter
from .sections import Block, Section, display, note, terms, text

TITLES = {
    "sigmoid": "The logistic sigmoid", "tanh": "The hyperbolic tangent", "relu": "ReLU",
    "leaky_relu": "Leaky ReLU", "linear": "The identity", "softplus": "Softplus", "elu": "ELU",
    "silu": "SiLU (swish)", "gelu": "GELU", "softmax": "Softmax",
}


def appendix_sections(network: Network, printer: NotationPrinter, prefix: str) -> list[Section]:
    """One appendix section holding a subsection per distinct activation of ``network``, in layer order."""
    seen: dict[str, tuple[Activation, int]] = {}
    for layer, act in enumerate(network.activations, start=1):
        seen.setdefault(act.label, (act, layer))
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
    rows = [(terms(definition, raw), r"\text{definition}")]
    if name_line and printer.doprint(definition) != name_line:
        rows.insert(0, ([name_line], ""))
    lines = list(chain(f"{symbol}({z})", rows, printer.width).lines)
    steps = [([raw.doprint(worked.steps[1].expr)], note(worked.steps[1].justification))]
    for position, step in enumerate(worked.steps[2:], start=2):
        detour = step.justification == "simplify" and position + 1 < len(worked.steps)
        if not detour:  # SymPy's simplified form (1/(4 cosh^2)) is a detour when the textbook form follows
            steps.append((terms(step.expr, printer), note(step.justification)))
    lines.extend(chain(f"{symbol}'({z})", steps, printer.width).lines)
    blocks = [display(Display(tuple(lines)))]
    if worked.in_output:
        blocks.append(text(f"where ${a} = {symbol}({z})$ is the neuron's output."))
    elif worked.named:
        blocks.append(text(f"The derivative of {act.name} is the {worked.named} function."))
    return tuple(blocks)


def _softmax_blocks(network: Network, printer: NotationPrinter) -> tuple[Block, ...]:
    n = network.layers[-1]
    raw, in_output, outputs = softmax_jacobian(n)
    z_letter, a_letter = printer.notation.letter("z"), printer.notation.letter("a")
    zs = [sp.Symbol(f"{z_letter}_{i}") for i in range(1, n + 1)]
    a_s = [sp.Symbol(f"{a_letter}_{i}") for i in range(1, n + 1)]
    rename = dict(zip(sp.symbols(f"z1:{n + 1}", real=True), zs, strict=True)) | dict(zip(outputs, a_s, strict=True))
    raw_printer = NotationPrinter(printer.notation, network, indicator=printer.indicator, sigma=False)
    a1, z1, z2 = a_s[0], zs[0], zs[1]
    softmax = rf"\frac{{e^{{{printer.doprint(z1)}}}}}{{\sum_{{k=1}}^{{{n}}} e^{{{z_letter}_k}}}}"
    lines = [Line(printer.doprint(a1), "=", softmax, r"\text{definition}")]
    for column, why in ((0, r"\text{same index}"), (1, r"\text{different indices}")):
        lhs = rf"\frac{{\partial {printer.doprint(a1)}}}{{\partial {printer.doprint([z1, z2][column])}}}"
        lines.append(Line(lhs, "=", raw_printer.doprint(raw[0, column].xreplace(rename)), why))
        lines.append(Line("", "=", printer.doprint(in_output[0, column].xreplace(rename)), r"\text{in the outputs}"))
    general = rf"\frac{{\partial {a_letter}_i}}{{\partial {z_letter}_j}}"
    indicator = f"{printer.indicator}_{{i=j}}"
    lines.append(Line(general, "=", rf"{a_letter}_i \left({indicator} - {a_letter}_j\right)", r"\text{both cases}"))
    return (display(Display(tuple(lines))),
            text("In matrix form the Jacobian is $\\operatorname{diag}(a) - a a^{\\top}$, with $a$ the output vector."))
