"""The boxed summary (BP1-BP4), or seed 002's list of the same equations.

The summary is the engine's vector form printed for a representative layer with its number relabelled
(``l``, ``l+1``; ``L`` for the output layer), so each equation is exactly what the engine derived, in general
form. Gradient descent (:mod:`.algorithm`) quotes the same results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import sympy as sp

from ..derive import general, stated
from ..derive.derivation import Derivation, Rule, Step
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.display import Display, Line, fits, visual_width
from ..notation.presets import Notation
from ..notation.printer import NotationPrinter
from ..notation.written import for_every, over, stepped_range
from .routes import route, say
from .sections import Block, Boxed, Section, display, text
from .tables import each_layers_activation, relative, weight_layers

COST = sp.Symbol("c")


def labels(notation: Notation, kind: str, layer: int, letter: str | None = None) -> dict[int, str]:
    """Printed layer numbers around ``kind``'s ``layer`` -> ``letter``, ``letter+1``, ``letter-1``."""
    name = letter or notation.layer_letter
    center = layer + notation.layer_offset.get(kind, 0)
    return {center + d: name if d == 0 else f"{name}{d:+d}" for d in (-2, -1, 0, 1, 2)}


def vector_steps(derivation: Derivation) -> tuple[Mapping[str, sp.Basic], Sequence[Step]]:
    """The vector form's results and steps, derived now if the derivation did not ask for them."""
    steps = derivation.steps_of("vector")
    if steps and derivation.vector:
        return derivation.vector, steps
    from ..derive.forms import vector_form

    results, fresh = vector_form(derivation.network)
    return results, tuple(fresh)


def _general_bp1(steps: Sequence[Step], jacobian: bool = True) -> sp.Basic | None:
    """∇_a C ⊙ σ'(z^L) (element-wise outputs) or J ∇_a C (softmax, where ``jacobian``): the output δ before the
    loss is used."""
    for step in steps:
        if step.rule is Rule.DIAGONAL_TIMES_VECTOR:
            return step.result
    softmax = steps and steps[0].rule is Rule.CHAIN_RULE_SOFTMAX_MATRIX
    return steps[0].result if softmax and jacobian else None


def span(notation: Notation, network: Architecture, kind: str, first: int, last: int) -> str:
    """``1, \\ldots, L-1``: engine layers ``first..last`` of ``kind`` as the notation numbers them."""
    top = network.depth + notation.layer_offset.get("z", 0)

    def name(layer: int, relative: bool) -> str:
        printed = layer + notation.layer_offset.get(kind, 0)
        if printed == top:
            return "L"
        return f"L{printed - top:+d}" if relative else str(printed)

    if first == last:
        return name(first, True)
    down = first > last
    if notation.stepped and not down:
        return stepped_range(name(first, False), name(last, True))
    return f"{name(first, down)}, \\ldots, {name(last, not down)}"


NUMBERS = {2: "two", 3: "three", 4: "four"}


@dataclass(frozen=True)
class BP:
    """One of the equations BP1-BP4: ``lhs = [general =] final [= defined]``; ``concrete``, BP2 with the network's
    activation written in its output, ((W^{l+1})ᵀ δ^{l+1}) ⊙ (a^l ⊙ (1 - a^l)), where it has one; ``defined``, what
    the quantity is, said last (seed 000's δ^L = ∂C/∂a^L ⊙ σ'(Z^L) = ∂C/∂Z^L)."""

    tag: str
    lhs: str
    final: str
    general: str = ""
    concrete: str = ""
    defined: str = ""

    @property
    def rhs(self) -> str:
        said = f"{self.general} = {self.final}" if self.general else self.final
        return f"{said} = {self.defined}" if self.defined else said


def bp_equation(derivation: Derivation, printer: NotationPrinter, tag: str) -> BP | None:
    """The equation ``tag`` (``"BP2"``) of :func:`bp_equations`; None where the network has none."""
    return next((equation for equation in bp_equations(derivation, printer) if equation.tag == tag), None)


def bp_equations(derivation: Derivation, printer: NotationPrinter, hidden: int | None = None,
                 weights: int | None = None) -> list[BP]:
    """BP1-BP4 in general form, each printed from one layer's steps with that layer written as the general one (l):
    BP2 from layer ``hidden``'s (the last hidden layer's by default), BP3 and BP4 from layer ``weights``' (the
    output layer's). Printed from any other layer, each reads the same (:mod:`.every_layer` checks it): the input
    is then layer 0's output. No ``concrete`` BP2 where the hidden layers' activations differ."""
    network, notation = derivation.network, printer.notation
    results, steps = vector_steps(derivation)
    L = network.depth
    hidden, weights = L - 1 if hidden is None else hidden, L if weights is None else weights
    out = printer.relabel(labels(notation, "z", L, "L"))
    equations = []
    delta_L = out.doprint(sp.MatrixSymbol(symbols.matrix("delta", L), 1, 1))
    general = _general_bp1([s for s in steps if s.quantity == symbols.matrix("delta", L)],
                           jacobian=not route(notation).without_jacobian)
    final = out.doprint(results[symbols.matrix("delta", L)])
    shown = "" if general is None or out.doprint(general) == final else out.doprint(general)
    defined = ""
    if route(notation).delta_defined:  # seed 000's δ^L = ∂C/∂a^L ⊙ σ'(Z^L) = ∂C/∂Z^L, what δ^L is said last
        z_L = sp.MatrixSymbol(symbols.matrix("z", L), network.layers[L], 1)
        defined = out.doprint(sp.Derivative(COST, z_L, evaluate=False))
    equations.append(BP("BP1", delta_L, final, shown, defined=defined))
    if L > 1:
        at_h = printer.relabel(labels(notation, "delta", hidden))
        errors = [step for step in steps if step.quantity == symbols.matrix("delta", hidden)]
        propagated = next((step.result for step in errors if step.rule is Rule.DIAGONAL_TIMES_VECTOR),
                          results[symbols.matrix("delta", hidden)])
        in_output = [step.result for step in errors if step.rule is Rule.SIMPLIFY_IN_OUTPUT]
        concrete = at_h.doprint(in_output[-1]) if in_output and not network.hidden_differ else ""
        equations.append(BP("BP2", at_h.doprint(sp.MatrixSymbol(symbols.matrix("delta", hidden), 1, 1)),
                            at_h.doprint(propagated), _through_outputs(derivation, at_h), concrete))
    at_w = printer.relabel(labels(notation, "W", weights))
    source = {}  # the input read as layer 0's output, as a general layer's input is the layer below's
    if weights == 1 and L > 1:
        x = sp.MatrixSymbol(symbols.matrix("x"), network.layers[0], 1)
        source = {x: sp.MatrixSymbol(symbols.matrix("a", 0), network.layers[0], 1)}
    lhs_b = sp.Derivative(COST, sp.MatrixSymbol(symbols.matrix("b", weights), 1, 1), evaluate=False)
    if network.bias in ("vector", "shared"):
        equations.append(BP("BP3", at_w.doprint(lhs_b), at_w.doprint(results[symbols.matrix("b", weights)])))
    elif network.bias == "neuron":  # seed 000's ∂C/∂b^(l) = δ^(l+1): the bias units' weights (checked by --verify)
        units = stated.bias_units(network)[weights - 1]
        equations.append(BP("BP3", at_w.doprint(units.lhs), at_w.doprint(units.rhs)))
    weight = results[symbols.matrix("W", weights)].xreplace(source)
    if notation.weights_transposed:
        weight = sp.Transpose(weight).doit()
    lhs = sp.Derivative(COST, sp.MatrixSymbol(symbols.matrix("W", weights), 1, 1), evaluate=False)
    equations.append(BP("BP4", at_w.doprint(lhs), at_w.doprint(weight)))
    return equations


def _through_outputs(derivation: Derivation, printer: NotationPrinter) -> str:
    """BP2 through the outputs, ``∇_{h_k} ⊙ g'(a_k)``: the vector the argument through a hidden neuron's output
    stacked last (checked with it); nothing for other seeds."""
    if not route(printer.notation).bp2_through_outputs:
        return ""
    through = derivation.argument("through_output")
    return printer.doprint(through.stacked[-1].result) if through is not None and through.stacked else ""


def _entry(kind: str, layer: int | None, *indices: str | int) -> sp.Symbol:
    """The real symbol of one entry, ``delta2_j``, as the engine names it."""
    return sp.Symbol(symbols.element(kind, layer, *indices), real=True)


def _entry_blocks(derivation: Derivation, printer: NotationPrinter) -> list[Block]:
    """The summary's equations entry by entry, those the seed writes so (:attr:`.routes.Route.entries`), and what
    their indices count."""
    way = route(printer.notation)
    form = index_form(derivation, printer, way.entries)
    if not form.lines:
        return []
    return [text("Entry by entry:"), display(form),
            text(_indices(printer.notation, derivation.network, "BP2" in way.entries))]


def index_form(derivation: Derivation, printer: NotationPrinter,
               shown: tuple[str, ...] = ("BP2", "BP3", "BP4")) -> Display:
    """BP2, BP3 and BP4 entry by entry, those ``shown``, for the same representative layers as :func:`bp_equations`,
    in the notation's neuron letters, each the derivation's own (checked by ``verify``): BP2 as the argument for a
    hidden neuron ends, δ^l_j = g'(z^l_j) Σ_k δ^{l+1}_k w^{l+1}_{kj}; BP3 and BP4 the general gradients,
    ∂c/∂b^l_j = δ^l_j (Σ_j δ^l_j for a shared bias, ∂c/∂w^l_{j0} for a bias unit) and ∂c/∂w^l_{jk} = δ^l_j a^{l-1}_k
    (a_k δ_j where the seed writes the source first)."""
    network, notation = derivation.network, printer.notation
    L = network.depth
    j, i, k = notation.indices
    lines = []
    argued = derivation.argument("hidden")
    if L > 1 and "BP2" in shown and argued is not None:
        hidden = printer.relabel(labels(notation, "delta", L - 1))
        result = general.with_letters(argued.lines[-1].result, {"j": j, "k": k})  # g'(z_j) Σ_k δ_k w_kj
        total = next(factor for factor in sp.Mul.make_args(result) if isinstance(factor, sp.Sum))
        g_prime = sp.Mul(*[factor for factor in sp.Mul.make_args(result) if factor is not total])
        lines.append(Line(hidden.doprint(general.with_letters(argued.lhs, {"j": j})), "=",
                          f"{hidden.doprint(g_prime)} {over(hidden, k, L)} {hidden.doprint(total.function)}",
                          r"\text{BP2}"))
    at_w = printer.relabel(labels(notation, "W", L))
    weight, *bias = general.gradients(network, L, j, i)
    if bias and "BP3" in shown:
        (parameter,) = bias
        value = parameter.rhs  # δ_j, or the sum of the layer's for a shared bias
        said = (f"{over(at_w, j, L)} {at_w.doprint(value.function)}" if isinstance(value, sp.Sum) else
                at_w.doprint(value))
        lines.append(Line(at_w.doprint(parameter.lhs), "=", said, r"\text{BP3}"))
    if "BP4" in shown:
        last = route(notation).source_times_delta  # δ_j a_k as derived; a_k δ_j as seed 000 writes it
        # the layer below's activation, a^{l-1}_k, as every layer's formula has it (the input x_k is a^0_k)
        rhs = weight.rhs.xreplace({_entry("x", None, i): _entry("a", L - 1, i)}) if L == 1 else weight.rhs
        factors = sorted(sp.Mul.make_args(rhs), key=lambda f: (symbols.kind_of(str(f)) == "delta") == last)
        lines.append(Line(at_w.doprint(weight.lhs), "=", at_w.doprint(sp.Mul(*factors, evaluate=False)),
                          r"\text{BP4}"))
    return Display(tuple(lines))


def _indices(notation: Notation, network: Architecture, bp2: bool = True) -> str:
    """What the indices of the entry formulas count (seed 000: "j indexes unit in (l+1)th layer, k indexes unit in
    lth layer"), BP2's apart where it is written (its k is a neuron of the layer above, where BP4's is of the layer
    below), and that BP4 is the same update for the whole matrix at once."""
    j, i, k = notation.indices
    src, dst = weight_layers(notation)
    unit = f" (${i} = 0$ its bias unit, whose output is 1)" if network.bias == "neuron" else ""

    def weights(verb: str) -> str:
        return f"${j}$ {verb} of layer ${dst}$ and ${i}$ one of layer ${src}${unit}"

    said = f"Here {weights('indexes a neuron')}"
    if network.depth > 1 and bp2:
        said = (f"In BP2, ${j}$ indexes a neuron of layer ${relative(notation, 0)}$ and ${k}$ one of layer "
                f"${relative(notation, 1)}$; in the gradients, {weights('one')}")
    return f"{said}. The boxed BP4 is this for all the weights at once: the vectorised update."


def bias_unit_words(network: Architecture, printer: NotationPrinter) -> str:
    """With bias units: what the weight matrix without its bias column and the activations with the unit's 1 on top
    are written as (seed 000: "W^l has weights on bias units removed", a^(1) = (1, X_1, X_2)^T)."""
    if network.bias != "neuron":
        return ""
    return f" {without_bias_column(printer)}, and {_with_bias_unit(printer)}."


def _with_bias_unit(printer: NotationPrinter) -> str:
    """``ā^(l) is a^(l) with the bias unit's 1 on top``, in the notation's letters."""
    at_a = printer.relabel(labels(printer.notation, "a", 1))
    bar = at_a.doprint(sp.MatrixSymbol(symbols.matrix("abar", 1), 2, 1))
    plain = at_a.doprint(sp.MatrixSymbol(symbols.matrix("a", 1), 1, 1))
    return f"${bar}$ is ${plain}$ with the bias unit's 1 on top"


def without_bias_column(printer: NotationPrinter, math: bool = False) -> str:
    """``W̃^(l) is W^(l) without the bias unit's column`` (bias units), in the notation's letters; ``math``, as a
    display's note."""
    at_w = printer.relabel(labels(printer.notation, "W", 1))
    tilde = at_w.doprint(sp.MatrixSymbol(symbols.matrix("W", 1), 1, 2)[:, 1:])
    weights = at_w.stored(sp.MatrixSymbol(symbols.matrix("W", 1), 1, 2))
    if math:
        return rf"{tilde} \text{{ is }} {weights} \text{{ without the bias unit's column}}"
    return f"${tilde}$ is ${weights}$ without the bias unit's column"


def _batch_mean(network: Architecture, printer: NotationPrinter) -> str:
    """The summary's sentence on a batch: its cost the mean of the examples', so each gradient the mean of
    theirs, ``∂C/∂W^l = (1/m) Σ_i ∂C^(i)/∂W^l``, printed from the equation ``--verify`` checks
    (:func:`symbackprop.derive.stated.batch_mean`)."""
    equation = stated.batch_mean(network)[network.depth - 1]
    factor, total = stated.mean_parts(equation)
    ((index, low, high),) = total.limits
    at_w = printer.relabel(labels(printer.notation, "W", network.depth))
    weights = at_w.stored(equation.lhs.variables[0])
    cost = printer.doprint(total.function.expr.base.label)  # one example's, c^(i)
    i, first, last = (printer.doprint(limit) for limit in (index, low, high))
    each = f"{cost}^{{({i})}}"
    summed = f"{printer.doprint(factor)} \\sum_{{{i}={first}}}^{{{last}}}"
    if printer.notation.gradient == "nabla":  # ∇_{W_k} L = (1/m) Σ_i ∇_{W_k} L^(i), as the notation's gradients
        mean = f"\\nabla_{{{weights}}} {printer.doprint(equation.lhs.expr)} = {summed} \\nabla_{{{weights}}} {each}"
    else:
        mean = (f"\\frac{{\\partial {printer.doprint(equation.lhs.expr)}}}{{\\partial {weights}}} = {summed} "
                f"\\frac{{\\partial {each}}}{{\\partial {weights}}}")
    return ("For a batch of $m$ examples the cost is the mean of the examples' costs, and so each gradient is the "
            f"mean of the examples' gradients, ${mean}$, with ${each}$ the {say(printer.notation, 'cost')} "
            f"of example ${i}$.")


def summary_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    network, notation = derivation.network, printer.notation
    equations = bp_equations(derivation, printer)
    if route(notation).listed:
        return Section("Summary", f"{prefix}sec:summary", _listed(derivation, printer, equations))
    letter = notation.layer_letter
    layers = "every layer" if network.depth > 1 else "its one layer of weights"
    every = (f"the gradients' equations hold for {layers}, ${letter} = "
             f"{span(notation, network, 'W', 1, network.depth)}$, with ${printer.input_layer()}$")
    if route(notation).one_block:
        return Section("Summary", f"{prefix}sec:summary", _one_block(derivation, printer, equations, every))
    ranges = [every]
    if network.depth > 1:
        hidden = span(notation, network, "delta", 1, network.depth - 1)
        # every hidden layer in general (seed 000: 1 < l < L); this network's are listed
        each = each_layers_activation(printer)
        ranges.insert(0, f"BP2 holds for every hidden layer, here ${letter} = {hidden}$"
                         + (f", with layer ${letter}$'s activation {each}" if each else ""))
    tags = {eq.tag for eq in equations}
    missing = [f"no {tag} {reason}" for tag, reason in (("BP2", "without a hidden layer"), ("BP3", "without biases"))
               if tag not in tags]
    heading = f"The {NUMBERS[len(equations)]} equations of backpropagation, for one example"
    boxed = tuple(Boxed(f"{eq.lhs} = {eq.rhs}", eq.tag, f"{prefix}eq:{eq.tag.lower()}") for eq in equations)
    blocks = [
        text(f"{heading} ({', '.join(missing)}):" if missing else f"{heading}:"),
        Block("boxed", boxed=boxed),
        *([text(f"Here{bias_unit_words(network, printer)}")] if network.bias == "neuron" else []),
        *_entry_blocks(derivation, printer),
        text(f"{_capitalised('; '.join(ranges))}. {_batch_mean(network, printer)}"),
    ]
    return Section("Summary", f"{prefix}sec:summary", tuple(blocks))


def _one_block(derivation: Derivation, printer: NotationPrinter, equations: list[BP], every: str
               ) -> tuple[Block, ...]:
    """Seed 000's summary, one aligned block, unboxed: BP1; BP2 beside the layers it holds for (1 < l < L) and
    what W̃ is; BP3; a weight's entry beside what its indices count; then ⟹ BP4, the vectorised update. After it,
    the layers the gradients hold for (``every``) and the batch's mean, as the seed's note."""
    network, notation = derivation.network, printer.notation
    found = {eq.tag: eq for eq in equations}
    j, i, _ = notation.indices
    src, dst = weight_layers(notation)
    lines = [Line(found["BP1"].lhs, "=", found["BP1"].rhs)]
    vectorised = Line(rf"\implies {found['BP4'].lhs}", "=", found["BP4"].rhs, r"\text{the vectorised update}")
    widest = max([eq.lhs for eq in equations] + [vectorised.lhs], key=visual_width)
    if "BP2" in found:
        hidden = rf"\text{{for }} {notation.bare_layer('z', 0)} < {notation.layer_letter} < L"
        if network.bias == "neuron":
            hidden += rf"\text{{, where }} {without_bias_column(printer, math=True)}"
        lines += _beside(Line(found["BP2"].lhs, "=", found["BP2"].rhs), hidden, printer.width, widest)
    if "BP3" in found:
        lines.append(Line(found["BP3"].lhs, "=", found["BP3"].rhs))
    indices = rf"{j} \text{{ indexes a neuron of layer }} {dst},\ {i} \text{{ one of layer }} {src}"
    lines += [*_beside(index_form(derivation, printer, ("BP4",)).lines[0], indices, printer.width, widest),
              vectorised]
    said = _capitalised(every)
    if network.bias == "neuron":  # the entry's k = 0, a^(l)_0 = 1, as ā's first entry
        unit = printer.relabel(labels(notation, "a", 1)).doprint(_entry("a", 1, 0))
        said = f"Here {_with_bias_unit(printer)}, and ${i} = 0$ is the bias unit, ${unit} = 1$; {every}"
    if each := each_layers_activation(printer):
        said += f"; in BP2, layer ${notation.layer_letter}$'s activation is {each}"
    lead = replace(text("The key equations of backpropagation, for one example:"), room=2 * len(lines) + 1)
    return (lead,  # on one page with the display it leads into, as a heading is
            display(Display(tuple(lines))),
            text(f"{said}. {_batch_mean(network, printer)}"))


def _capitalised(said: str) -> str:
    """``said`` with its first letter a capital, to open a sentence."""
    return said[:1].upper() + said[1:]


def _beside(line: Line, note: str, width: float, lhs: str) -> list[Line]:
    """``line`` with ``note`` beside it where both fit in ``width``, its left-hand side as wide as ``lhs`` (the
    widest of its display's: they are aligned), else the note on a line of its own under it."""
    if fits(f"{lhs} = {line.rhs}", note, width):
        return [replace(line, note=note)]
    return [replace(line, note=""), Line("", "", "", note)]


def _listed(derivation: Derivation, printer: NotationPrinter, equations: list[BP]) -> tuple[Block, ...]:
    """Seed 002's summary for one example: the weights' and biases' gradients, then the output layer's, then a
    hidden layer's, each beside the layers it holds for; the output layer's as its argument stacked it,
    -(e_ℓ - ŷ), where it has one."""
    network, notation = derivation.network, printer.notation
    every = span(notation, network, "W", 1, network.depth)
    layers = {"BP4": rf"{every}\text{{, with }} {printer.input_layer()}", "BP3": every,
              "BP2": span(notation, network, "delta", 1, network.depth - 1)}
    found = {eq.tag: eq for eq in equations}
    softmax = derivation.argument("softmax")
    if softmax is not None and softmax.stacked and "BP1" in found:
        output = printer.relabel(labels(notation, "z", network.depth, "L"))
        found["BP1"] = replace(found["BP1"], final=output.doprint(softmax.stacked[-1].result))
    letter = notation.layer_letter
    lines = tuple(Line(found[tag].lhs, "=", found[tag].rhs,
                       for_every(letter, layers[tag], notation.stepped) if tag in layers else "")
                  for tag in ("BP4", "BP3", "BP1", "BP2") if tag in found)
    return (text("For one example, the equations derived above, each with the layers it holds for:"),
            display(Display(lines)))
