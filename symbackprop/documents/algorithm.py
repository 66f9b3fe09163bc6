"""Gradient descent as pseudo-code (seed 003's algorithm, or one update per weight matrix), and the remark on
initialisation and symmetry (seed 000 §2), worked out from each hidden activation's value at 0. The pseudo-code
quotes the summary's results (:mod:`.summary`), each as the engine derived it.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from ..derive import general
from ..derive.derivation import Derivation, Equation
from ..model import symbols
from ..model.activations import ACTIVATIONS, Activation
from ..model.architecture import Architecture
from ..notation.printer import NotationPrinter
from ..notation.written import written
from .sections import AlgorithmLine, Block, Section, error_term, text
from .summary import BP, bp_equations, labels, span
from .tables import GENERAL, general_labels


def algorithm_section(derivation: Derivation, printer: NotationPrinter, prefix: str, sgd: bool = True,
                      init: bool = True) -> Section:
    """Stochastic gradient descent as pseudo-code (``sgd``) and the remark on initialisation (``init``)."""
    remark = initialisation_remark(derivation.network, printer)
    if not sgd:  # under its own heading the remark needs no name
        return Section("Initialisation", f"{prefix}sec:initialisation",
                       (text(remark.removeprefix(REMARK)),))
    return Section("Gradient descent", f"{prefix}sec:algorithm",
                   (*_sgd_blocks(derivation, printer, init), *([text(remark)] if init else [])))


def _sgd_blocks(derivation: Derivation, printer: NotationPrinter, remark: bool = True) -> tuple[Block, ...]:
    """Stochastic gradient descent as pseudo-code: loops that loop, each update once (a weight matrix, or each
    weight as seed 003 writes it), continuation lines unnumbered."""
    network, notation = derivation.network, printer.notation
    equations = {eq.tag: eq for eq in bp_equations(derivation, printer)}
    x = printer.doprint(sp.MatrixSymbol(symbols.matrix("x"), 1, 1))
    y = r"\ell" if network.loss.sparse else printer.doprint(sp.MatrixSymbol(symbols.matrix("y"), 1, 1))
    epochs, examples = "For each epoch $1, 2, \\ldots$:", f"for each training example $({x}, {y})$:"
    at = printer.relabel(general_labels(notation, "z"))  # a general neuron's: seed 003's a_j and z_j
    values = [at.doprint(sp.Symbol(symbols.element(kind, GENERAL, notation.indices[0]))) for kind in ("z", "a")]
    if notation.per_weight_update:  # seed 003: for n = 1 to num epochs, for all x^ℓ ∈ D
        epochs = f"For ${notation.epoch} = 1$ to the number of epochs:"
        x += "^{\\ell}" if "\\ell" in y and "\\ell" not in x else ""  # example ℓ's input, as its target r^ℓ
        examples = f"for each training example $({x}, {y}) \\in \\mathcal{{D}}$, the training set:"
    lines = [
        (0, "Initialise every weight with a small random number" + (" (see the remark below)." if remark else "."),
         True),
        (0, epochs, True),
        (1, examples, True),
        (2, f"forward pass: compute every weighted input ${values[0]}$ and activation ${values[1]}$, as above;",
         True),
        (2, f"output error: ${equations['BP1'].lhs} = {equations['BP1'].final}$;", True),
    ]
    if notation.per_weight_update:
        lines[-1:] = _neuron_errors(derivation, printer)
    elif "BP2" in equations:
        down = span(notation, network, "delta", network.depth - 1, 1)
        lines.append((2, f"for ${notation.layer_letter} = {down}$: ${equations['BP2'].lhs} = "
                         f"{equations['BP2'].final}$;", True))
    updates = _weight_updates if notation.per_weight_update else _matrix_updates
    lines += updates(derivation, printer, equations)
    numbered, count = [], 0
    for depth, line, counted in lines:
        count += counted
        numbered.append(AlgorithmLine(depth, line, count if counted else 0))
    intro = ("The rules derived above give the gradient, and stochastic gradient descent uses it one example at a "
             "time. The backpropagation algorithm is formulated as follows:" if notation.per_weight_update else
             "Stochastic gradient descent runs one example at a time, with the rules derived above:")
    return (text(intro), Block("algorithm", algorithm=tuple(numbered)))


def _matrix_updates(derivation: Derivation, printer: NotationPrinter,
                    equations: Mapping[str, BP]) -> list[tuple[int, str, bool]]:
    """``for l = 1, ..., L: W^l ← W^l - η δ^l (a^{l-1})ᵀ`` and the bias's update."""
    network, notation = derivation.network, printer.notation
    eta = notation.learning_rate
    at_w = printer.relabel(labels(notation, "W", network.depth))
    weights = at_w.stored(sp.MatrixSymbol(symbols.matrix("W", network.depth), 1, 1))
    layers = span(notation, network, "W", 1, network.depth)
    lines = [(2, f"for ${notation.layer_letter} = {layers}$: ${weights} \\leftarrow {weights} - {eta}\\, "
                 f"{equations['BP4'].final}$", True)]
    if network.bias in ("vector", "shared"):
        bias = at_w.doprint(sp.MatrixSymbol(symbols.matrix("b", network.depth), 1, 1))
        lines.append((3, f"and ${bias} \\leftarrow {bias} - {eta}\\, {equations['BP3'].final}$,", False))
    lines.append((3, f"with learning rate ${eta} > 0$.", False))
    return lines


def _neuron_errors(derivation: Derivation, printer: NotationPrinter) -> list[tuple[int, str, bool]]:
    """Seed 003's error terms neuron by neuron, as its algorithm states them for any network: the output layer's
    by their definition, δ_o = ∂E/∂a_o (this network's are worked out after the algorithm), then the rule derived
    for a general neuron of each hidden layer."""
    network, notation = derivation.network, printer.notation
    j, _, k = notation.indices
    top = printer.relabel(labels(notation, "z", network.depth, "L"))
    delta, defined = error_term(top, network.depth, j)  # seed 003: δ_o = ∂E/∂a_o
    every = "output error" if notation.single else f"output errors, for every output neuron ${j}$"
    lines = [(2, f"{every}: ${delta} = {defined}$;", True)]
    if network.depth > 1:
        hidden = printer.relabel(labels(notation, "z", network.depth - 1))
        equation = general.delta(network, network.depth - 1, j, k)
        argued = derivation.argument("hidden")
        # seed 003 back-propagates by the general rule it derived, h'(a_j) Σ_k w_kj δ_k
        rule = general.with_letters(argued.lines[-1].result, {"j": j, "k": k}) if argued else equation.rhs
        down = span(notation, network, "delta", network.depth - 1, 1)
        every = f"for every hidden neuron ${j}$" if notation.single else \
            f"for ${notation.layer_letter} = {down}$ and every neuron ${j}$"
        lines.append((2, f"back-propagate, {every}: ${hidden.doprint(equation.lhs)} = {written(rule, hidden)}$;",
                      True))
    return lines


def _weight_updates(derivation: Derivation, printer: NotationPrinter,
                    equations: Mapping[str, BP]) -> list[tuple[int, str, bool]]:
    """Seed 003's updates, weight by weight: ``Δw_ji ← δ_j z_i``, then ``w_ji ← w_ji - η_n Δw_ji``."""
    network, notation = derivation.network, printer.notation
    eta, (j, k) = notation.learning_rate, notation.indices[:2]
    at = printer.relabel(labels(notation, "z", network.depth))
    weight, *bias = general.gradients(network, network.depth, j, k)
    layers = span(notation, network, "W", 1, network.depth)
    lines = []

    def product(equation: Equation, shown: NotationPrinter) -> str:  # δ_j z_i, as the seed writes it
        factors = sorted(sp.Mul.make_args(equation.rhs), key=lambda f: symbols.kind_of(str(f)) != "delta")
        return " ".join(shown.doprint(f) for f in factors)

    for equation, what in [(weight, "weight"), *[(eq, "bias") for eq in bias]]:
        name, value = at.doprint(equation.lhs.variables[0]), product(equation, at)
        every = f"for every {what} ${name}$ of layers ${notation.layer_letter} = {layers}$:"
        change = f"$\\Delta {name} \\leftarrow {value}$"
        update = f"${name} \\leftarrow {name} - {eta}\\, \\Delta {name}$"
        if notation.single:  # the output's v_j in the same loop, as the seed's w holds them: Δv_j ← δ_y z_j
            own = general.gradients(network, network.depth, "1", j)[0 if what == "weight" else 1]
            output = printer.doprint(_output_weight(network, equation.lhs.variables[0]))
            every = f"for every {what} ${name}$ and every output {what} ${output}$:"
            change += f" and $\\Delta {output} \\leftarrow {product(own, printer)}$"
            update += f" and ${output} \\leftarrow {output} - {eta}\\, \\Delta {output}$"
        lines += [(2, every, True), (3, change, True), (3, update, True)]
    lines.append((3, f"with learning rate ${eta} > 0$ in epoch ${notation.epoch}$.", False))
    return lines


def _output_weight(network: Architecture, parameter: sp.Symbol) -> sp.Symbol:
    """The output neuron's parameter of ``parameter``'s kind, in the hidden neuron's letter: w_ji -> v_j, b_j ->
    b_y (a network of one output neuron)."""
    info = symbols.describe(parameter.name)
    assert info is not None
    indices = (1, info.indices[0]) if info.kind == "W" else info.indices
    return sp.Symbol(symbols.element(info.kind, network.depth, *indices), real=True)


#: How the remark on initialisation opens where it follows the algorithm.
REMARK = "Remark on initialisation. "


def initialisation_remark(network: Architecture, printer: NotationPrinter) -> str:
    """Why the weights start random and small (seed 000 §2): both cases, an activation with φ(0) ≠ 0 and one with
    φ(0) = 0, each with this network's hidden activations that fall in it (worked out from their formulas)."""
    def at_zero(act: Activation) -> tuple[sp.Expr, str]:  # φ(0), worked out from its formula, and as said
        value = sp.nsimplify(act(sp.S.Zero))
        return value, f"${printer.function_symbol(act.name, None)}(0) = {sp.latex(value)}$"

    cases: dict[bool, list[str]] = {True: [], False: []}
    for act in dict.fromkeys(network.activations[:-1]):
        if act.elementwise and not act.generic:
            value, said = at_zero(act)
            cases[value != 0].append(said)

    def instances(nonzero: bool, otherwise: str) -> str:
        found = cases[nonzero]
        return f"like this network's {', '.join(found)}" if found else otherwise

    sigmoid = f"like the sigmoid, with {at_zero(ACTIVATIONS['sigmoid'])[1]}"  # where the network's show none
    zeros = "weights and biases" if network.bias in ("vector", "shared") else "weights"  # (bias units: weights)
    return (
        f"{REMARK}The weights start small and random, at a scale set by the cost and the activation: small, so that no "
        "activation saturates, and random, so that the neurons of a hidden layer differ. With an activation "
        f"$\\phi$ where $\\phi(0) \\neq 0$ ({instances(True, sigmoid)}), all-zero {zeros} give a hidden layer's "
        "neurons the same non-zero output, so they get the same error terms and their weights move together, "
        f"forever equal. With $\\phi(0) = 0$ ({instances(False, 'like tanh or ReLU')}), all-zero {zeros} make "
        "every hidden activation 0, so every weight from a hidden neuron gets a zero gradient; and as the weights "
        "that carry the error terms back are 0, every hidden error term is 0 too, and so is the gradient of every "
        "weight into a hidden layer. "
        + {"none": "Nothing is learnt.",
           "neuron": "Only the weights from the bias unit into the output layer learn."}.get(
            network.bias, "So is every hidden bias's: only the output layer's biases learn.")
    )
