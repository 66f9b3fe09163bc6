"""The set-up's tables: the architecture and the notation, each cell prose with ``$...$`` math.

General symbols (``z^l_j``, ``w^l_{jk}``) are printed by the notation printer from representative engine symbols
at a layer :data:`GENERAL` that no network reaches, with its number relabelled ``l`` (``ℓ``, ``k``): so the
table shows each preset's own conventions, layer offsets and index order included.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..derive import stated
from ..derive.forms import applied
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.escape import bars_as_commands
from ..notation.presets import Notation
from ..notation.printer import NotationPrinter
from ..notation.written import stepped_range
from . import sizes
from .routes import route, say
from .sections import Table, error_term
from .sizes import relative

#: The engine layer that stands for a generic layer l in general formulas.
GENERAL = 90


def general_labels(notation: Notation, kind: str, layer: int = GENERAL) -> dict[int, str]:
    """Printed layer numbers around ``kind``'s layer -> ``l-1``, ``l``, ``l+1`` (for a printer's ``labels``)."""
    center = layer + notation.layer_offset.get(kind, 0)
    return {center + d: relative(notation, d) for d in (-2, -1, 0, 1, 2)}


def _words(notation: Notation, kind: str, engine_layer: int, center_kind: str) -> str:
    """The layer of ``kind`` at ``engine_layer`` in words relative to ``center_kind`` at :data:`GENERAL`."""
    center = GENERAL + notation.layer_offset.get(center_kind, 0)
    return relative(notation, engine_layer + notation.layer_offset.get(kind, 0) - center)


def weight_layers(notation: Notation) -> tuple[str, str]:
    """The layers a general weight joins, relative to its own layer letter: where it comes from and where it goes
    (``l-1``, ``l`` for Nielsen's w^l_jk; ``l``, ``l+1`` for Ng's w^(l)_jk)."""
    return _words(notation, "a", GENERAL - 1, "W"), _words(notation, "z", GENERAL, "W")


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], align: str) -> Table:
    """A :class:`Table` whose cells' math has no bare ``|`` (:func:`bars_as_commands`): in Markdown one would end
    the cell and shift the row's columns."""
    return Table(tuple(map(bars_as_commands, header)), tuple(tuple(map(bars_as_commands, row)) for row in rows), align)


def architecture_table(network: Architecture, printer: NotationPrinter) -> Table | None:
    """The layers, their roles, widths and activations; None where it would only repeat the set-up's sentence and
    the figure: every activation written by its own name (σ for sigmoid, not h = σ) and none with a parameter."""
    named = [(printer.function_symbol(act.name, layer), act) for layer, act in enumerate(network.activations, 1)]
    if all(symbol == act.latex and act.param is None for symbol, act in named):
        return None
    rows = []
    for layer, size in enumerate(network.layers):
        number = printer.notation.bare_layer("z" if layer else "x", layer)
        if layer == 0:
            role, activation = "input", "---"
        else:
            act = network.activation(layer)
            role = "output" if layer == network.depth else "hidden"
            symbol = printer.function_symbol(act.name, layer)
            activation = f"${symbol}$" if symbol == act.latex else f"${symbol} = {act.latex}$"
            if act.param is not None:
                activation += f" (parameter ${sp.latex(act.param)}$)"
        rows.append((f"${number}$", role, f"${size}$", activation))
    return table(("Layer", "Role", "Neurons", "Activation"), rows, "clcl")


def notation_table(network: Architecture, printer: NotationPrinter, batch: bool = True) -> Table:
    """Symbol and meaning for every quantity of the derivation, in general form; the batch's matrices only where
    ``batch`` (the document has a batch section)."""
    notation = printer.notation
    general = {kind: printer.relabel(general_labels(notation, kind)) for kind in ("z", "W", "a")}
    z, w = general["z"], general["W"]
    if route(notation).general_vector and network.bias in ("vector", "none") and not batch:
        return _layer_conventions(network, z, w)
    g = GENERAL
    j, k = notation.indices[:2]  # a weight's destination and source
    src, dst = weight_layers(notation)
    rows: list[tuple[str, str]] = [
        (f"${printer.doprint(sp.Symbol(symbols.element('x', None, k)))}$", f"input ${k}$"),
        _target_row(network, printer),
        (f"${z.doprint(sp.Symbol(symbols.element('z', g, j)))}$",
         f"{say(notation, 'weighted input (pre-activation)')} of neuron ${j}$ in layer ${relative(notation, 0)}$"),
        (f"${general['a'].doprint(sp.Symbol(symbols.element('a', g, j)))}$",
         f"activation (output) of neuron ${j}$ in layer ${relative(notation, 0)}$"),
    ]
    if notation.has_layout("scalar.out"):
        output = printer.doprint(sp.Symbol(symbols.element("a", network.depth, "j")))
        rows.append((f"${output}$", "output $j$ of the network"))
    rows.append((f"${w.doprint(sp.Symbol(symbols.element('W', g, j, k)))}$",
                 f"weight from neuron ${k}$ in layer ${src}$ to neuron ${j}$ in layer ${dst}$"))
    rows.extend(_bias_rows(network, w, src, dst, j))
    delta, definition = error_term(z, g, j)
    meaning = f"error of neuron ${j}$ in layer ${relative(notation, 0)}$" if delta != definition else \
        f"derivative of the {say(notation, 'cost')} with respect to the {say(notation, 'weighted input')}"
    rows.append((f"${delta}$" + (f" $= {definition}$" if delta != definition else ""), meaning))
    rows.extend(_cost_rows(printer, say(notation, "cost (loss)"), batch))
    rows.extend(_matrix_rows(network, notation, z, w, batch))
    return table(("Symbol", "Meaning"), rows, r"lp{0.6\linewidth}")


def _layer_conventions(network: Architecture, z: NotationPrinter, w: NotationPrinter) -> Table:
    """Seed 004's conventions, in its order, a whole layer's quantities only (the derivation works with whole
    layers): a^l, z^l and what it is, W^l, b^l, δ^l as the seed defines it (≡), ⊙ and σ'(z^l); then the cost and its
    gradient BP1 uses; ``z`` and ``w`` write a general layer l of the weighted inputs and of the weights."""
    g, notation = GENERAL, z.notation
    stated = sizes.general(network, notation)
    l = relative(notation, 0)

    def size(kind: str) -> str:  # "n_l \times 1"
        return sizes.general_times(stated[kind], notation)

    def vector(kind: str, printer: NotationPrinter = z) -> str:
        return printer.doprint(sp.MatrixSymbol(symbols.matrix(kind, g), 1, 1))

    delta, error = vector("delta"), z.doprint(sp.Derivative(sp.Symbol("c"), sp.MatrixSymbol(symbols.matrix("z", g),
                                                                                             1, 1), evaluate=False))
    neurons = sizes.count(stated["a"].rows, notation)
    rows = [(f"${vector('a')}$", f"activation vector of layer ${l}$ (${size('a')}$, ${neurons}$ its number of "
                                 f"neurons); below the first layer, ${z.input_layer()}$, the input"),
            (f"${vector('z')}$", f"weighted input vector of layer ${l}$ (${size('z')}$), where "
                                 f"${z.doprint(_layer_map(network, g))}$"),
            (f"${w.stored(sp.MatrixSymbol(symbols.matrix('W', g), 1, 1))}$",
             f"weight matrix of layer ${l}$ (${size('W')}$): row ${notation.indices[0]}$ holds the weights into "
             f"neuron ${notation.indices[0]}$"),
            *([(f"${vector('b', w)}$", f"bias vector of layer ${l}$ (${size('b')}$)")] if "b" in stated else []),
            (f"${delta}$", f"error vector of layer ${l}$, defined as ${delta} \\equiv {error}$"),
            (r"$\odot$", "element-wise (Hadamard) product"),
            (f"${z.doprint(applied(prime_name(network), sp.MatrixSymbol(symbols.matrix('z', g), 1, 1)))}$",
             _activations_derivative(z)),
            (f"${z.doprint(sp.Symbol('c'))}$", "cost of an example"),  # the rows the seed leaves to its text
            *_gradient_row(z)]
    return table(("Symbol", "Meaning"), rows, r"lp{0.6\linewidth}")


def _target_row(network: Architecture, printer: NotationPrinter) -> tuple[str, str]:
    if network.loss.sparse:
        return (f"$\\ell$, ${printer.indicator}_{{\\ell=j}}$", "class label of the example; the indicator is 1 "
                "when $j = \\ell$, else 0")
    return (f"${printer.doprint(sp.Symbol(symbols.element('y', None, 'j')))}$", "target (desired output) $j$")


def _bias_rows(network: Architecture, w: NotationPrinter, src: str, dst: str, j: str) -> list[tuple[str, str]]:
    g = GENERAL
    if network.bias == "vector":
        return [(f"${w.doprint(sp.Symbol(symbols.element('b', g, j)))}$", f"bias of neuron ${j}$ in layer ${dst}$")]
    if network.bias == "shared":
        return [(f"${w.doprint(sp.Symbol(symbols.element('b', g)))}$", f"bias shared by every neuron of layer ${dst}$")]
    if network.bias == "neuron":
        return [(f"${w.doprint(sp.Symbol(symbols.element('W', g, j, 0)))}$",
                 f"weight from the bias unit (the constant 1) of layer ${src}$ to neuron ${j}$ in layer ${dst}$")]
    return []


def _cost_rows(printer: NotationPrinter, said: str, batch: bool) -> list[tuple[str, str]]:
    """The cost's row (``said``: the seed's word for it, "cost (loss)", 002's "loss"), the batch's mean with it
    where the document has a batch section, or the example's and the batch's where the notation has a letter for
    each."""
    cost, total = printer.doprint(sp.Symbol("c")), printer.doprint(sp.Symbol("C"))
    if cost == total:
        return [(f"${cost}$", f"{said} of an example" + ("; over a batch, the mean over its $m$ examples"
                                                          if batch else ""))]
    return [(f"${cost}$", "cost (loss) of one example"), (f"${total}$", "mean cost over the $m$ examples")]


def _layer_map(network: Architecture, layer: int) -> sp.Basic:
    """``z^l = W^l a^{l-1} + b^l`` for a general layer, in the network's bias convention."""
    n = 1
    z, w = sp.MatrixSymbol(symbols.matrix("z", layer), n, 1), sp.MatrixSymbol(symbols.matrix("W", layer), n, n)
    if network.bias == "neuron":
        return sp.Eq(z, w * sp.MatrixSymbol(symbols.matrix("abar", layer - 1), n, 1), evaluate=False)
    weighted = w * sp.MatrixSymbol(symbols.matrix("a", layer - 1), n, 1)
    bias = {"vector": sp.MatrixSymbol(symbols.matrix("b", layer), n, 1),
            "shared": sp.OneMatrix(n, 1) * sp.MatrixSymbol(symbols.matrix("b", layer), 1, 1)}.get(network.bias)
    return sp.Eq(z, weighted if bias is None else sp.MatAdd(weighted, bias), evaluate=False)


def prime_name(network: Architecture) -> str:
    """The name of the hidden layers' activation's derivative (the output's for a network without hidden layers)."""
    return f"{network.activation(1).name}'"


def _activations_derivative(printer: NotationPrinter) -> str:
    """The table's row for σ'(z^l): its layer's activation named where the hidden layers' differ."""
    each = each_layers_activation(printer)
    return f"the derivative of layer ${printer.notation.layer_letter}$'s activation {each}, applied to each entry" \
        if each else "the derivative of the activation, applied to each entry"


def each_layers_activation(printer: NotationPrinter) -> str:
    """``σ_l (tanh for l = 1 and ReLU for l = 2)``: a general hidden layer's activation, where the hidden layers'
    differ and the notation has no letter of its own for it (nielsen's and ng's σ); empty otherwise."""
    network, notation = printer.network, printer.notation
    if not printer.per_layer or notation.letter("g"):
        return ""
    l = notation.layer_letter
    general = printer.relabel({1 + notation.layer_offset.get("z", 0): l}).function_symbol(network.activation(1).name, 1)
    each = [f"${network.activation(layer).latex}$ for ${l} = {notation.bare_layer('z', layer)}$"
            for layer in range(1, network.depth)]
    return f"${general}$ ({', '.join(each[:-1])} and {each[-1]})"


def weight_shape(network: Architecture, notation: Notation) -> str:
    """A general layer's weight matrix's shape as printed, ``n_{l} \\times n_{l-1}`` (:func:`.sizes.general`)."""
    return sizes.general_times(sizes.general(network, notation)["W"], notation)


def _gradient_row(z: NotationPrinter) -> list[tuple[str, str]]:
    """Seed 004's ∇_a C, the gradient by a layer's activations, where the notation writes it so."""
    if not z.notation.has_layout("vector.grad"):
        return []
    gradient, activations = (sp.MatrixSymbol(symbols.matrix(kind, GENERAL), 1, 1) for kind in ("grad_a", "a"))
    partial = z.doprint(sp.Derivative(sp.Symbol("c"), activations))
    size = sizes.general_times(sizes.general(z.network, z.notation)["grad_a"], z.notation)  # like a^l's
    return [(f"${z.doprint(gradient)}$", f"the gradient of the cost with respect to a layer's activations, "
             f"${partial}$ (${size}$, like ${z.doprint(activations)}$)")]


def _batch_errors(network: Architecture, z: NotationPrinter) -> tuple[str, str]:
    """The cost of a batch and what an example's error terms are divided by in the batch's, ``C`` and ``m``, as the
    equation ``--verify`` checks has them (:func:`symbackprop.derive.stated.batch_errors`: column i of ∂C/∂Z^l is
    ∂c^(i)/∂z^l divided by m)."""
    equation = stated.batch_errors(network)[0]
    factors = sp.Mul.make_args(equation.rhs)
    (example,) = (f for f in factors if isinstance(f, sp.Derivative))
    factor = sp.Mul(*[f for f in factors if f is not example])
    return z.doprint(equation.lhs.args[0].expr), z.doprint(1 / factor)


def _matrix_rows(network: Architecture, notation: Notation, z: NotationPrinter,
                 w: NotationPrinter, batch: bool) -> list[tuple[str, str]]:
    g = GENERAL
    n = 1
    stated = sizes.general(network, notation)
    kinds = ("z", "a", "delta", "b") if "b" in stated else ("z", "a", "delta")  # seed 004's bias vector with them
    vectors = ", ".join(f"${(w if kind == 'b' else z).doprint(sp.MatrixSymbol(symbols.matrix(kind, g), n, 1))}$"
                        for kind in kinds)
    matrices = ", ".join(f"${z.doprint(sp.MatrixSymbol(symbols.matrix(kind, g), n, 1))}$" for kind in ("Z", "A"))
    errors = f"${z.doprint(sp.MatrixSymbol(symbols.matrix('Delta', g), n, 1))}$"
    delta = z.doprint(sp.MatrixSymbol(symbols.matrix("delta", g), n, 1))
    total, divisor = _batch_errors(network, z)
    matrix = w.stored(sp.MatrixSymbol(symbols.matrix("W", g), n, n))
    j, k = notation.indices[:2]  # a weight's destination and source
    order = f"row ${k}$ holds the weights out of neuron ${k}$" if notation.weights_transposed else \
        f"row ${j}$ holds the weights into neuron ${j}$"
    size = sizes.shared([stated[kind] for kind in kinds], notation)
    error = z.doprint(sp.Derivative(sp.Symbol("c"), sp.MatrixSymbol(symbols.matrix("z", g), n, 1), evaluate=False))
    defined = f"; the error vector ${delta} = {error}$" if error != delta else ""  # seed 004's δ^l ≡ ∂C/∂z^l
    rows = [
        (vectors, f"the same quantities for a whole layer, as column vectors (${size}$, "
                  f"${sizes.count(stated['a'].rows, notation)}$ the number of its neurons){defined}"),
        *([(matrices, "the same for $m$ examples, one column per example"),
           (errors, f"the {say(notation, 'errors')} of $m$ examples, one column per example: that example's "
                    f"${delta}$ divided by ${divisor}$, since ${total}$ is the mean {say(notation, 'cost')}")]
          if batch else []),
        (f"${matrix}$", f"weight matrix of layer ${relative(notation, 0)}$ "
                        f"(${sizes.general_times(stated['W'], notation)}$): {order}"),
        (f"${z.doprint(_layer_map(network, g))}$", f"the {say(notation, 'weighted inputs')} of a layer from the "
                                                   f"{say(notation, 'outputs')} below; below the first layer, "
                                                   f"${z.input_layer()}$, the input"),
        *_gradient_row(z),
        (f"${z.doprint(applied(prime_name(network), sp.MatrixSymbol(symbols.matrix('z', g), n, 1)))}$",
         _activations_derivative(z)),
        (r"$\odot$", "element-wise (Hadamard) product"),
    ]
    if notation.stepped:  # seed 002's ranges
        l = notation.layer_letter
        rows.append((f"${l} = {stepped_range('1', 'L')}$", f"${l}$ runs from 1 to $L$ in steps of 1 (first value, "
                                                          f"step in brackets, last value); ${l} = "
                                                          f"{stepped_range('1', 'L-1')}$: from 1 to $L-1$"))
    if network.bias == "neuron":
        tilde = w.doprint(sp.MatrixSymbol(symbols.matrix("W", g), n, n + 1)[:, 1:])
        bar = z.doprint(sp.MatrixSymbol(symbols.matrix("abar", g), n + 1, 1))
        rows.append((f"${tilde}$", "the weight matrix without its bias column"))
        rows.append((f"${bar}$", "the activations with the bias unit's 1 on top"))
    return rows
