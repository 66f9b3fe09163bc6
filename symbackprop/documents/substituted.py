"""What "for this network" puts in place of a rule's general letters, as data: the note of seed 003's "by (2), with
l = 1, h = σ, m = 1" is printed from a tuple of :class:`Put`, and ``--verify`` substitutes the same tuple.

A general argument's result (the rule, seed 003's equation (2)) is derived for one layer of the network and printed
in general letters: the layer as ``l`` (``L``), the activation by the notation's letter (``h``, ``g_ℓ``), the count
of the layer above as ``m`` or ``n_{l+1}``. Its first line "for this network" (the rule
:attr:`~symbackprop.derive.derivation.Rule.THIS_NETWORK`) writes the same in this network's terms, and its note says
what it puts in place of each letter: a :class:`Put` each, the letter and its value as SymPy objects.

The check (:func:`verified`) reads the rule as the document printed it, in general letters (:func:`general_form`:
the layer the document writes as a letter moved to a general layer no network reaches, each activation it writes by
a letter made the generic one, each sum over the layer above bounded by a count of its own), puts in each
:class:`Put`'s value, and requires the result to be the line the note introduces (which ``--verify`` checks against
the truth, :mod:`symbackprop.derive.verify`): one step per note. A count the note does not name stays general in
both lines (``Σ_{k=1}^{n_{l+1}}`` above and beside), so it takes the layer's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from ..derive import general
from ..derive.argument import Argument, Reasoned
from ..derive.derivation import Derivation, Rule
from ..derive.truth import VerificationError
from ..derive.verify import Verification, instances
from ..model import symbols
from ..model.activations import ACTIVATIONS
from ..notation.printer import NotationPrinter
from .lettering import lettered, notation_letters, own_layers, rule_printer, this_network
from .notes import note
from .routes import route

#: The engine layer a rule's general layer ``l`` stands at in :func:`general_form` (no network reaches it).
GENERAL = 90
#: The number of neurons of the layer above a rule's, while it is general (seed 003's ``m``).
COUNT = sp.Symbol("count", integer=True, positive=True)
#: The generic activation, whose letter (``h``, ``g``) a rule writes for any activation.
GENERIC = "generic"


@dataclass(frozen=True)
class Put:
    """One letter of a rule and what this network puts in its place.

    Attributes:
        kind: ``layer`` (the rule's layer ``l``: ``general`` is :data:`GENERAL`, ``value`` the layer), ``activation``
            (``general`` the generic activation's name, ``value`` this layer's: ``h = σ``), ``count`` (:data:`COUNT`
            and the number of neurons above: ``m = 1``), ``renamed`` (a symbol of the rule, and this network's name
            for it: ``w_{1j} = v_j``).
        general: the rule's letter, as SymPy.
        value: this network's, as SymPy.
    """

    kind: str
    general: sp.Basic
    value: sp.Basic


def puts(argument: Argument, line: Reasoned, printer: NotationPrinter, written_as: NotationPrinter) -> tuple[Put, ...]:
    """What ``line``, the argument's first line for this network, puts in place of the rule's letters: the activation
    whose derivative the line names (``printer`` may print the generic network the argument stands for), the layer
    where the line writes this network's own (and the notation marks layers), and with one neuron in the layer
    above that count and the rule's symbols ``written_as`` (this network's printer) writes otherwise (seed 003's
    w_kj = v_j, δ_1 = δ_y)."""
    network, notation = printer.network, printer.notation
    found: list[Put] = []
    named = [type(f).__name__[:-1] for f in line.result.atoms(AppliedUndef) if type(f).__name__.endswith("'")]
    act = ACTIVATIONS[named[0]] if named else network.activation(argument.layer)
    if printer.function_symbol(GENERIC, argument.layer) != act.latex:
        found.append(Put("activation", sp.Symbol(GENERIC), sp.Symbol(act.name)))
    if _layer_general(argument, printer):  # the example's layer, for the rule's l
        found.insert(0, Put("layer", sp.Integer(GENERAL), sp.Integer(argument.layer)))
    if network.layers[argument.layer + 1] == 1:  # its weight the w_kj of the rule: seed 003's v_j
        count, letters = notation.next_count, notation_letters(argument, printer)  # the rule's sum to m: here 1
        found.append(Put("count", COUNT, sp.Integer(1)))
        renamed = notation.single or not count  # (l = 1 and m = 1 say the layered ones: w^(l+1)_1j is w^(2)_1j)
        for kind, *indices in (("W", "j"), ("delta",)):  # w_1j = v_j, δ_1 = δ_y: the rule's letters renamed
            in_rule, its = (general.with_letters(sp.Symbol(symbols.element(kind, argument.layer + 1, k, *indices),
                                                           real=True), letters) for k in (1 if count else "k", 1))
            if renamed and printer.doprint(in_rule) != written_as.doprint(its):
                found.append(Put("renamed", in_rule, its))
    return tuple(found)


def said(found: tuple[Put, ...], argument: Argument, printer: NotationPrinter, written_as: NotationPrinter) -> str:
    """The note that introduces the line for this network: ``by (2), with l = 1, h = σ, m = 1``, each part printed
    from its :class:`Put` (``printer`` the rule's, ``written_as`` this network's); the rule's note where it puts
    nothing."""
    notation = printer.notation
    parts = []
    for put in found:
        if put.kind == "layer":
            parts.append(f"{notation.layer_letter} = {notation.bare_layer('z', int(put.value))}")
        elif put.kind == "activation":
            parts.append(f"{printer.function_symbol(str(put.general), argument.layer)} = "
                         f"{ACTIVATIONS[str(put.value)].latex}")
        elif put.kind == "count":
            parts.append(f"{notation.next_count} = {put.value}" if notation.next_count else
                         f"\\text{{one neuron in layer }} {notation.layer_letter}+1")
        else:
            parts.append(f"{printer.doprint(put.general)} = {written_as.doprint(put.value)}")
    if not parts:
        return note(Rule.THIS_NETWORK)
    tag = route(notation).tags.get(argument.name)  # the rule by its number, seed 003's (2)
    return (rf"\text{{by ({tag}), with }}" if tag else r"\text{here }") + r",\ ".join(parts)


def _layer_general(argument: Argument, printer: NotationPrinter) -> bool:
    """Whether the rule's layer is a letter the line for this network writes as a number: where that line is in
    this network's own layers (:func:`own_layers`) and the notation marks layers."""
    return own_layers(argument, printer) and not printer.notation.single


# ----------------------------------------------------------------------------------------------- the check
def general_form(argument: Argument, rule: sp.Basic, printer: NotationPrinter) -> sp.Basic:
    """``rule`` (the argument's result, for one layer of the network) as ``printer`` writes it, in general letters:
    its layers moved to :data:`GENERAL` where the line for this network writes them as numbers, each activation
    the printer writes by a letter made the generic one, and each sum over the layer above bounded by
    :data:`COUNT`."""
    shift = GENERAL - argument.layer if _layer_general(argument, printer) else 0
    expr = _moved(rule, shift)
    lettered = {f: sp.Function(GENERIC + f.func.__name__[len(f.func.__name__.rstrip("'")):], real=True)(*f.args)
                for f in expr.atoms(AppliedUndef) if (name := f.func.__name__.rstrip("'")) in ACTIVATIONS
                and name != GENERIC and printer.function_symbol(name, argument.layer) != ACTIVATIONS[name].latex}
    expr = expr.xreplace(lettered)
    above = argument.layer + 1 + shift
    return expr.replace(lambda e: isinstance(e, sp.Sum) and _over(e, above),
                        lambda e: sp.Sum(e.function, (e.limits[0][0], e.limits[0][1], COUNT), *e.limits[1:]))


def _over(total: sp.Sum, layer: int) -> bool:
    """Whether the first index of ``total`` counts the neurons of ``layer``."""
    index = total.limits[0][0]
    return any(symbols.counted_layers(s.name).get(index.name) == layer for s in total.function.atoms(sp.Symbol))


def _moved(expr: sp.Basic, shift: int) -> sp.Basic:
    """``expr`` with each network symbol's layer moved by ``shift``."""
    if not shift:
        return expr
    moved = {}
    for s in expr.atoms(sp.Symbol):
        info = symbols.describe(s.name)
        if info is not None and info.layer is not None and info.is_element:
            moved[s] = sp.Symbol(symbols.element(info.kind, info.layer + shift, *info.indices), **s.assumptions0)
    return expr.xreplace(moved)


def substituted(rule: sp.Basic, found: tuple[Put, ...], network_count: int) -> sp.Basic:
    """The general ``rule`` with each of ``found`` put in (a count the note does not name: ``network_count``, the
    layer's size both lines write alike)."""
    expr = rule
    for put in found:
        if put.kind == "layer":
            expr = _moved(expr, int(put.value) - int(put.general))
        elif put.kind == "activation":
            expr = expr.xreplace({f: sp.Function(str(put.value) + f.func.__name__[len(str(put.general)):],
                                                 real=True)(*f.args)
                                  for f in expr.atoms(AppliedUndef) if f.func.__name__.rstrip("'") == str(put.general)})
        else:
            expr = expr.xreplace({put.general: put.value})
    return expr.xreplace({COUNT: network_count})


def notes(argument: Argument, printer: NotationPrinter) -> Iterator[tuple[Reasoned, Reasoned, tuple[Put, ...]]]:
    """Each line for this network whose note says what it puts in the rule (Rule.THIS_NETWORK), with the line
    before it (the rule's result) and what it puts in, as :func:`symbackprop.documents.argued.example_blocks` shows
    them (``printer`` its)."""
    shown = rule_printer(argument, printer)
    concrete, named = this_network(argument, shown)
    lines = argument.lines + concrete
    for before, line in zip(lines, lines[1:]):
        if line.rule is Rule.THIS_NETWORK:
            yield before, line, puts(argument, line, shown, named)


def verified(derivation: Derivation, printer: NotationPrinter) -> Verification:
    """Each note "by (2), with l = 1, h = σ, m = 1" of ``derivation``'s arguments (``printer`` the document's): the
    rule before it, in general letters, with the note's values put in, is the line it introduces. One step each.

    Raises:
        VerificationError: a rule that, with the values put in, is not the line, naming the note and both.
    """
    checked = lines = 0
    for argument in derivation.arguments:
        at = lettered(argument, printer)
        shown = rule_printer(argument, at)
        for before, line, found in notes(argument, at):
            rule = general_form(argument, before.result, shown)
            count = derivation.network.layers[argument.layer + 1] if argument.layer < derivation.network.depth else 1
            value = substituted(rule, found, count)
            compared = _same(value, line.result, derivation)
            if not compared:
                _, named = this_network(argument, shown)
                raise VerificationError(
                    f"{argument.name}'s note {said(found, argument, shown, named)}: the rule {rule} with these put "
                    f"in is {value}, but the line it introduces is {line.result}")
            checked, lines = checked + 1, lines + compared
    return Verification(checked, lines, 1, 0, 0)


def _same(value: sp.Basic, line: sp.Basic, derivation: Derivation) -> int:
    """How many neurons ``value`` and ``line`` were compared for, their sums written out (:func:`general.instantiate`)
    for every neuron their letters stand for; 0 where they differ for one."""
    compared = 0
    try:
        assignments = list(instances(derivation.network, sp.Tuple(value, line)))
    except IndexError:  # a layer the network has not (l = 2 of a network of two layers)
        return 0
    for letters in assignments:
        if sp.expand(general.instantiate(value, letters) - general.instantiate(line, letters)) != 0:
            return 0
        compared += 1
    return compared
