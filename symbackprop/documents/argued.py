"""Backpropagation for a general neuron: the derivation's arguments (:mod:`symbackprop.derive.reasoning`) laid
out, one display per quantity, each step with its note and the definition it differentiates ("since a^l_j =
g(z^l_j)"), in the notation's letters and layers (L, l, l+1), in the order and by the route of the preset's seed
(:class:`.routes.Route`): seed 002 through ∂L/∂h with a softmax derived by the quotient rule, each result then
stacked into its vector; seed 003 weight first, its results numbered.

"For this network" follows an error term: the argument's concrete steps (h = σ, σ' = σ(1 - σ), then in the
neuron's output; the loss differentiated, then simplified), beside it or, for seed 003, after the algorithm
(:func:`example_section`). Every line shown is one :mod:`symbackprop.derive.verify` checks.
"""

from __future__ import annotations

import dataclasses

import sympy as sp
from sympy.core.function import AppliedUndef

from ..derive import general
from ..derive.argument import Argument, Reasoned
from ..derive.chain import COST
from ..derive.derivation import Derivation, Equation, Rule
from ..derive.reasoning import SUM
from ..model import symbols
from ..notation.display import Display, Line, chain, one_line
from ..notation.printer import NotationPrinter
from ..notation.written import limits_said, written
from . import substituted, thin
from .intros import chain_rule_shown, introduction, rule_shown
from .lettering import lettered, notation_letters, own_layers, rule_printer, this_network
from .notes import note
from .routes import route
from .schematic import schematic_blocks
from .sections import Block, Section, defined_then, display, stack, text
from .summary import labels
from .vectors import stacked_blocks

#: What the section says in place of the arguments a problem before it has derived already.
DERIVED_BEFORE = ("Parts (a) and (b) of the problem above derive the error terms and the gradients of a general "
                  "neuron, each step with its rule, and this network's; they are not derived again here.")


def argued_section(derivation: Derivation, printer: NotationPrinter, prefix: str, every: bool = False,
                   derived: frozenset[str] = frozenset()) -> Section:
    """The section "Backpropagation for a general neuron": the derivation's arguments the notation's seed makes
    (``every``: all of them), in the seed's order; those named in ``derived`` (a problem's solutions, before it)
    not again, a sentence referring to them in their place."""
    way = route(printer.notation)
    title, label = "Backpropagation for a general neuron", f"{prefix}sec:general"
    order = way.order  # (where a softmax has its own argument, the output layer's element-wise one is not shown)
    names = {argument.name for argument in derivation.arguments}
    shown = [a for a in derivation.arguments if (every or a.name in order and not (a.name == "output" and
                                                                                    "softmax" in names))
             and a.name not in derived]
    if derived and not shown:
        return Section(title, label, (text(DERIVED_BEFORE),))
    # (seed 003 considers its general neuron in its own words, seed 002 names its quantities of interest)
    blocks: list[Block] = [] if way.strategy or way.road_map else [
        text("For a general neuron of each layer, step by step:")]
    if way.strategy:
        blocks += _strategy(derivation, printer, prefix)
    if way.road_map:
        later = "the summary" if way.batch_in_summary else "the batch section"
        blocks.append(text("The quantities of interest are the gradients with respect to the output units, the "
                           "hidden units, and the weights and biases, in that order; first for one example, then, in "
                           f"{later}, for a whole batch."))
    if derived:
        blocks.insert(0, text(DERIVED_BEFORE))
    argued = {argument.name: _argument_blocks(argument, lettered(argument, printer), prefix=prefix,
                                              examples=every or not way.example_last)
              for argument in sorted(shown, key=lambda a: order.index(a.name) if a.name in order else len(order))}
    if "weight" in way.in_parts and "weight" in argued and "bias" in argued:  # seed 003's weight, then a bias:
        *weight, promise = argued["weight"]  # "for δ_j a rule is derived next" after the bias, just before the rule
        argued["weight"], argued["bias"] = weight, [*argued["bias"], promise]
    if not way.parts:
        return Section(title, label, tuple(blocks) + tuple(block for made in argued.values() for block in made))
    parts = []
    for number, (part, heading, members) in enumerate(way.parts, start=1):
        found = [block for name in members for block in argued.pop(name, [])]
        if found:
            chain = thin.road_map(derivation, printer, part)
            lead = [text(thin.PART_SIGNS[part]), display(chain)] if chain is not None else []
            parts.append(Section(heading, f"{label}:{number}", (*lead, *found)))
    rest = tuple(block for made in argued.values() for block in made)  # (every argument: those no part names)
    return Section(title, label, tuple(blocks) + rest, tuple(parts))




def _strategy(derivation: Derivation, printer: NotationPrinter, prefix: str) -> list[Block]:
    """Seed 003's goal, its general neuron and its strategy: gradient descent needs ∂E/∂w_ji for every weight; neuron
    j of layer l, drawn (the weight's figure, kept in place), where a_j = Σ_i w_ji z_i and z_j = h(a_j) (the
    definitions the arguments differentiate); the gradient written through two quantities easy to compute (named
    after the weight's result, :func:`_in_parts`)."""
    weight = derivation.argument("weight")
    if weight is None:  # a section of other arguments only (the exercises' solutions)
        return []
    letters, shown = notation_letters(weight, printer), rule_printer(weight, printer)
    lines = [definition_line(argument, rule, printer) for argument, rule in
             ((weight, Rule.LOCAL_LINEAR), (derivation.argument("hidden"), Rule.LOCAL_ELEMENTWISE))
             if argument is not None]
    lhs = shown.doprint(general.with_letters(weight.lhs, letters))
    drawn = _in_place(schematic_blocks("weight", weight.layer, printer, prefix, "before"))
    counted = f" ({limits_said(printer)})" if printer.notation.sum_limits else ""
    source, x = (shown.doprint(general.with_letters(sp.Symbol(name, real=True), letters))
                 for name in (symbols.element("a", weight.layer - 1, "k"), symbols.element("x", None, "k")))
    return [text(f"Gradient descent needs ${lhs}$ for every weight. For this, consider a general neuron "
                 f"${letters['j']}$, in a layer ${printer.notation.layer_letter}${counted}:"),
            *drawn, *([text("Where")] if drawn else []),
            display(Display(tuple(lines))),
            text(f"In the first layer, ${printer.notation.layer_letter} = 1$, the ${source}$ are the inputs ${x}$. "
                 "The plan is to write the gradient as the product of two quantities, each quick to compute.")]


def definition_line(argument: Argument, rule: Rule, printer: NotationPrinter) -> Line:
    """The definition ``argument``'s step by ``rule`` differentiates (a = g(z), the weighted input), stated alone
    for a general layer l: its sum runs over the letter of the layer below (z_j = Σ_i W_ij a_i + b_j)."""
    equation = next(equation for line in argument.lines if line.rule is rule for equation in line.since)
    letters = {**notation_letters(argument, printer)}
    letters[SUM] = letters["k"]
    at = printer.relabel(labels(printer.notation, "z", argument.layer))
    return Line(written(in_order(equation.lhs, None, letters, printer), at), "=",
                written(in_order(equation.rhs, None, letters, printer), at))






def _argument_blocks(argument: Argument, printer: NotationPrinter, examples: bool = True, prefix: str = ""
                     ) -> list[Block]:
    letters = notation_letters(argument, printer)
    shown = rule_printer(argument, printer)
    way = route(printer.notation)
    intro = introduction(argument, letters, printer, shown)
    last_hidden = argument.name == "activation" and way.last_hidden_first
    before: list[Block] = []
    if argument.name == "hidden" and way.chain_rule_shown:
        before, intro = chain_rule_shown(argument, letters, shown)
    if argument.name in way.local_before:
        before += _local_words(argument, letters, shown, before=True)
    drawn = [schematic_blocks(argument.name, argument.layer, printer, prefix, where)
             for where in ("before", "example", "after")]
    if argument.name == "weight" and way.strategy:  # its figure is the general neuron's, with the strategy
        drawn[0] = []
    told = _told(argument, letters, shown)
    if last_hidden:
        before.append(text("Observe now layer $L-1$." + (" Schematically:" if drawn[0] else "")))
        drawn[0] = _in_place(drawn[0])
    if argument.name == "hidden" and way.named:
        drawn[2] = _named(drawn[2], printer)
    if way.stacked and argument.stacked:  # before the vectors, whose sentences go on after their displays
        drawn[2] = _in_place(drawn[2])
    # after an example of the rule, the seed's word that turns back to the argument ("First, ∂L/∂h_ij = ...")
    resumed = [text(way.resumed[argument.name].format(j=letters["j"], l=printer.notation.layer_letter))
               ] if drawn[1] and argument.name in way.resumed else []
    blocks = [*before, *drawn[0], text(intro), *([] if last_hidden else rule_shown(argument)), *drawn[1], *resumed,
              *told, *drawn[2]]
    if last_hidden:
        blocks += _generalised(argument, letters, printer)
    if way.stacked and argument.stacked:
        pictured = [figure.label for figure in (*drawn[2], *drawn[1], *drawn[0])
                    if figure.kind == "figure" and figure.text]
        blocks += stacked_blocks(argument, letters, printer, rule_printer(argument, printer), way.stacked,
                                 next(iter(pictured), ""))  # and its Table 1 figure
    return blocks + (example_blocks(argument, printer) if examples else [])


def _told(argument: Argument, letters: dict[str, str], printer: NotationPrinter) -> list[Block]:
    """The argument's display: one chain, each line with its note, its result numbered where the seed numbers it;
    told in parts, or its local derivative worked out after it, where the seed does so."""
    way = route(printer.notation)
    tag = way.tags.get(argument.name, "")
    if argument.name in way.in_parts:
        return _in_parts(argument, letters, printer, tag)
    # its local derivative said on its own, just before or after, from its definition: its line needs no note
    recalled = argument.name in way.local_before or argument.name in way.local_after
    rows: list[tuple[list[str], str]] = [
        ([written(in_order(line.result, argument, letters, printer), printer)],
         _error_term(argument, letters, printer) if line.rule is Rule.ERROR_TERM else
         "" if recalled and line.local is not None else _note(line, letters, printer))
        for line in argument.lines]
    lhs = printer.doprint(general.with_letters(argument.lhs, letters))

    def chained(rows: list[tuple[list[str], str]]) -> Display:  # a line read twice: once
        kept = [row for number, row in enumerate(rows) if number == 0 or row[0] != rows[number - 1][0]]
        return chain(lhs, defined_then(lhs, kept, printer.width), printer.width)

    last = argument.lines[-1]
    if argument.name in way.local_after and last.rule is Rule.LOCAL_ELEMENTWISE and len(rows) > 1 and not tag:
        # seed 001's output layer: the chain rule; "by definition a = g_L(z), so ∂a/∂z = g_L'(z)"; then the
        # result, which puts it in, the chain's last line (verified with the rest), displayed after the words
        result = Display((Line(lhs, "=", rows[-1][0][0]),))  # displayed, as the seed's "=> δ_j = ..."
        return [display(chained(rows[:-1])), *_local_words(argument, letters, printer, then=True), display(result)]
    shown = chained(rows)
    told = [display(dataclasses.replace(shown, tag=tag) if tag else shown)]
    if argument.name in way.local_after:
        told += _local_words(argument, letters, printer)
    return told


def in_order(expr: sp.Basic, argument: Argument | None, letters: dict[str, str], printer: NotationPrinter
             ) -> sp.Basic:
    """``expr`` (of ``argument``; None: a definition it uses) in the notation's letters, its products in the order
    the seed writes them where the route says so: seed 001's ∂z/∂w · ∂C/∂z = a δ, from the weight up, its sums'
    Σ_k W_jk δ_k and Σ_i a_i W_ij, and a sum before the factor it is multiplied by, (Σ_k W_jk δ_k) g'(z_j). The same
    product of scalars, its factors read the other way."""
    way = route(printer.notation)
    shown = general.with_letters(expr, letters)
    here = argument is not None and argument.name in way.local_first
    return _local_first(shown, here) if here or way.sums_local_first else shown


def _local_first(expr: sp.Basic, here: bool) -> sp.Basic:
    """``expr`` with each product's factors reversed, numbers kept in front: every product where ``here``, and
    every product inside a sum; elsewhere a product's sums put first."""
    if isinstance(expr, sp.Sum):
        return sp.Sum(_local_first(expr.function, True), *expr.limits)
    if not expr.args or isinstance(expr, (sp.Derivative, AppliedUndef)):
        return expr
    args = [_local_first(arg, here) for arg in expr.args]
    if isinstance(expr, sp.Mul):
        assert expr.is_commutative, expr  # scalars: any order is the same product
        numbers = [arg for arg in args if arg.is_number]
        rest = [arg for arg in args if not arg.is_number]
        sums = [arg for arg in rest if isinstance(arg, sp.Sum)]  # the factor out front last: Σ_k W_jk δ_k g'(z_j)
        return sp.Mul(*numbers, *(reversed(rest) if here else sums + [arg for arg in rest if arg not in sums]),
                      evaluate=False)
    if isinstance(expr, sp.Add):
        return sp.Add(*args, evaluate=False)
    return expr.func(*args)


def _in_parts(argument: Argument, letters: dict[str, str], printer: NotationPrinter, tag: str) -> list[Block]:
    """Seed 003's weight: the chain rule; the first factor named δ_j; the second worked out on its own, from the
    definition; so the result, numbered."""
    first, *_, last = argument.lines
    lhs = printer.doprint(general.with_letters(argument.lhs, letters))
    assert last.local is not None  # the weight's own factor: ∂a_j/∂w_ji = z_i
    source = printer.doprint(general.with_letters(last.local.rhs, letters))
    delta_shown, defined = _named_error(argument, letters, printer)
    definition = Line(delta_shown, "=", defined)
    result = Display((Line(lhs, "=", written(general.with_letters(last.result, letters), printer)),), tag=tag)
    local = printer.doprint(general.with_letters(last.local.lhs, letters))  # ∂a_j/∂w_ji = ∂/∂w_ji (Σ_m ...) = z_i
    worked = [written(general.with_letters(rhs, letters), printer) for rhs in last.worked()]
    together = one_line(local, worked[:1], worked[-1:], "", printer.width)
    return [display(chain(lhs, [([written(general.with_letters(first.result, letters), printer)],
                                 note(first.rule))], printer.width)),
            text("The first factor is called"), display(Display((definition,))),
            text(f"and the second is just ${source}$, since"),
            display(chain(local, [([together], "")] if together else [([row], "") for row in worked], printer.width)),
            text("So"), display(result),
            text(f"Here ${source}$ is known from the forward pass; for ${delta_shown}$ a rule is derived next.")]


#: The lines a recalled local derivative keeps below it on its page: the sentence and the chain's first lines.
RECALL_ROOM = 8


def _local_words(argument: Argument, letters: dict[str, str], printer: NotationPrinter,
                 before: bool = False, then: bool = False) -> list[Block]:
    """Seed 001's "by definition a = g_L(z), so ∂a/∂z = g_L'(z)" (``then``: leading into the result it gives,
    displayed next, where the chain left it to these words) and "∂z/∂b = 1 since z = wa + b", each in one line of
    text: the argument's local
    derivative worked out after it; or, ``before`` it, seed 002's "recall that a_ki = Σ_j W_kij h_{k-1,j} + b_ki,
    so ∂a_ki/∂W_kij = h_{k-1,j}"."""
    line = next(line for line in argument.lines if line.local is not None)
    assert line.local is not None

    def shown(equation: Equation) -> tuple[str, str]:
        return (written(in_order(equation.lhs, None, letters, printer), printer),
                written(in_order(equation.rhs, None, letters, printer), printer))

    (definition, value), (local, worked) = shown(line.since[0]), shown(line.local)
    if before:  # kept on one page with the chain it is recalled for (its sentence and first lines)
        return [Block("text", text=f"Recall that ${definition} = {value}$, so ${local} = {worked}$.", room=RECALL_ROOM)]
    if line.rule is Rule.LOCAL_ELEMENTWISE:  # as the seed's "a = g(z) => ∂a/∂z = g'(z)" (=> δ = ...)
        return [text(f"By definition, ${definition} = {value}$, so ${local} = {worked}$"
                     + (", and therefore" if then else "."))]
    return [text(f"In the last step, ${local} = {worked}$, since ${definition} = {value}$.")]


def _generalised(argument: Argument, letters: dict[str, str], printer: NotationPrinter) -> list[Block]:
    """Seed 001's step from layer L-1 to every hidden layer: the argument's result again, for a layer l."""
    general_printer = rule_printer(argument, printer, general_layer=True)
    l = printer.notation.layer_letter
    result = Line(general_printer.doprint(general.with_letters(argument.lhs, letters)), "=",
                  written(in_order(argument.lines[-1].result, argument, letters, printer), general_printer))
    deeper = "" if printer.network.depth > 2 else " (in a deeper network)"
    return [text(f"This was written for layer $L-1$; layer $L-2${deeper} goes the same way with $L-1$ in place of "
                 f"$L$, and so does every hidden layer ${l} < L$:"), display(Display((result,)))]


def _in_place(figures: list[Block]) -> list[Block]:
    """``figures`` kept where the text before them leads into them ("Schematically:", "The diagram shows it:")."""
    return [dataclasses.replace(figure, here=True) for figure in figures]


def _named(figure: list[Block], printer: NotationPrinter) -> list[Block]:
    """Seed 003's words after the rule for δ: "This gives us a rule ... illustrated by the following diagram:", the
    figure kept there, then where the method's name comes from."""
    delta = printer.notation.letter("delta")
    shows = " The diagram shows it:" if figure else ""
    return [text(f"This gives a rule for the ${delta}$ of a layer from those of the layer after it.{shows}"),
            *_in_place(figure),
            text(f"The ${delta}$ values travel backwards through the network: they are back-propagated, which is "
                 "where the method's name comes from.")]


def example_blocks(argument: Argument, printer: NotationPrinter) -> list[Block]:
    """The argument's error term "for this network" (nothing where it has no lines of its own)."""
    letters, shown = notation_letters(argument, printer), rule_printer(argument, printer)
    # seed 003's "original example" in this network's own layers (the rule's letters, in the notes, in general)
    own = shown.relabel({}) if own_layers(argument, printer) else shown
    last = [written(in_order(argument.lines[-1].result, argument, letters, printer), own)]
    concrete = _for_this_network(argument, letters, shown, last)
    if not concrete:
        return []
    lhs = own.doprint(general.with_letters(argument.lhs, letters))
    if argument.name == "output" and route(printer.notation).example_last:  # seed 003 argues it here alone
        argued = [([written(in_order(line.result, argument, letters, printer), own)], _note(line, letters, own))
                  for line in argument.lines]
        concrete = defined_then(lhs, argued + concrete, printer.width)
    return [text("For this network:"), display(chain(lhs, concrete, printer.width))]


def example_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section | None:
    """Seed 003's "for our original example", after the algorithm: the output layer's error term for this network,
    then the hidden layer's; None where the notation's seed has them beside their arguments."""
    if not route(printer.notation).example_last:
        return None
    found = [argument for name in ("output", "hidden") if (argument := derivation.argument(name)) is not None]
    shown = [block.display for argument in found for block in example_blocks(argument, printer)
             if block.display is not None]
    if not shown:
        return None
    intro = text("For our original example:")
    return Section("For this network", f"{prefix}sec:example", (intro, display(stack(shown))))  # one display


def _error_term(argument: Argument, letters: dict[str, str], printer: NotationPrinter) -> str:
    """The note of the step that names an error term: ``where δ_j = ∂E/∂a_j`` (the next layer's δ_k in BP2)."""
    delta, defined = _named_error(argument, letters, printer)
    return rf"\text{{where }} {delta} = {defined}"


def _named_error(argument: Argument, letters: dict[str, str], printer: NotationPrinter) -> tuple[str, str]:
    """The error term an argument's step names, and what it stands for: ``δ_j`` and ``∂E/∂a_j`` (the next layer's
    δ_k and ∂E/∂a_k in BP2)."""
    layer, index = (argument.layer + 1, "k") if argument.name in ("hidden", "activation") else (argument.layer, "j")
    delta, z = (general.with_letters(sp.Symbol(symbols.element(kind, layer, index), real=True), letters)
                for kind in ("delta", "z"))
    return printer.doprint(delta), printer.doprint(sp.Derivative(COST, z, evaluate=False))




def _note(line: Reasoned, letters: dict[str, str], printer: NotationPrinter) -> str:
    """The rule's note, and the definitions the step differentiates (an output of a softmax as its entry, and that
    written out, ``ŷ_ℓ = softmax(a_L)_ℓ = ...``, as seed 002)."""
    def said(eq: Equation) -> str:
        return " = ".join([written(in_order(side, None, letters, printer), printer) for side in (eq.lhs, eq.rhs)])
    if line.rule is Rule.FROM_ABOVE and line.since:  # what it puts in, named: it may be displays back (seed 002)
        (found,) = line.since
        named = written(in_order(found.lhs, None, letters, printer), printer)
        return rf"\text{{by }} {{\textstyle {named}}} \text{{ above}}"  # (as small as the words, not the line)
    since = r",\ ".join(said(eq) for eq in line.since)
    return f"{note(line.rule)}\\ {since}" if since else note(line.rule)


def _for_this_network(argument: Argument, letters: dict[str, str], printer: NotationPrinter,
                      last: list[str]) -> list[tuple[list[str], str]]:
    """The argument's lines "for this network", each activation by its name (σ'(a_j), not h'(a_j)); a line that
    reads as the one before it (σ' where the notation's letter is σ already) is left out."""
    concrete, named = this_network(argument, printer)
    rows: list[tuple[list[str], str]] = []
    for line in concrete:
        shown = [written(in_order(line.result, argument, letters, printer), named)]
        if shown != (rows[-1][0] if rows else last):
            this = line.rule is Rule.THIS_NETWORK
            why = substituted.said(substituted.puts(argument, line, printer, named), argument, printer, named) \
                if this else _note(line, letters, named)
            rows.append((shown, why))
    return rows
