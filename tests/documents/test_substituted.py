"""The note "by (2), with l = 1, h = σ, m = 1" is printed from the values ``--verify`` puts in the rule it names
(:mod:`symbackprop.documents.substituted`): the rule in general letters, with them put in, is the line it
introduces."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from symbackprop.derive import general
from symbackprop.derive.argument import Argument, Reasoned
from symbackprop.derive.derivation import Derivation
from symbackprop.derive.truth import VerificationError
from symbackprop.documents import substituted
from symbackprop.documents.files import document_files, engine_forms
from symbackprop.documents.options import DocumentOptions
from symbackprop.notation.printer import NotationPrinter
from tests.helpers import SEED_CASES, seed_case

#: The notes each seed's network has (the hidden neuron's error term, where it has a line for this network).
NOTES = {"ng": 1, "input-major": 1, "goodfellow": 1, "bishop": 1, "bishop-single": 1, "nielsen": 0}



def _checked(name: str) -> tuple[int, NotationPrinter, object]:
    network, options = seed_case(name)
    derivation = network.derive(forms=engine_forms(options), progress=False)
    printer = NotationPrinter(options.notation_preset, network)
    return substituted.verified(derivation, printer).steps, printer, derivation


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(SEED_CASES))
def test_each_seeds_note_puts_in_what_makes_the_rule_its_line(name: str) -> None:
    steps, _, _ = _checked(name)
    assert steps == NOTES[name]


Note = tuple[Reasoned, Reasoned, tuple[substituted.Put, ...]]  # the line before, the line a note introduces, its values


def _bishops_note() -> tuple[Derivation, NotationPrinter, Argument, Note]:
    """Seed 003's network as the bishop document derives it, its printer, the hidden neuron's argument and its one
    note: the line before, the line the note introduces and what it puts in."""
    network, options = seed_case("bishop")
    derivation = network.derive(forms=engine_forms(options), progress=False)
    printer = NotationPrinter(options.notation_preset, network)
    (argument,) = [a for a in derivation.arguments if a.name == "hidden"]
    (note,) = substituted.notes(argument, printer)
    return derivation, printer, argument, note


@pytest.mark.timeout(60)
def test_bishops_note_is_printed_from_the_values_put_in() -> None:
    """The golden document's note, and the :class:`~.substituted.Put` entries it is printed from."""
    derivation, printer, argument, (_, _, found) = _bishops_note()
    assert [(put.kind, put.value) for put in found] == [("layer", 1), ("activation", sp.Symbol("sigmoid")),
                                                        ("count", 1)]
    markdown = document_files(derivation, DocumentOptions(notation="bishop", formats=("md",)))["derivation-bishop.md"]
    assert r"\text{by (2), with }l = 1,\ h = \sigma,\ m = 1" in markdown


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("kind", "wrong"), [("layer", sp.Integer(2)), ("count", sp.Integer(2)),
                                             ("activation", sp.Symbol("tanh"))])
def test_a_wrong_value_in_the_note_fails_naming_the_note(monkeypatch: pytest.MonkeyPatch, kind: str,
                                                         wrong: sp.Basic) -> None:
    """A value the note would print (l = 2, m = 2, h = tanh) that does not make the rule the line."""
    right = substituted.puts

    def sabotaged(*args: object) -> tuple[substituted.Put, ...]:
        return tuple(dataclasses.replace(put, value=wrong) if put.kind == kind else put for put in right(*args))

    monkeypatch.setattr(substituted, "puts", sabotaged)
    network, options = seed_case("bishop")
    derivation = network.derive(forms=engine_forms(options), progress=False)
    with pytest.raises(VerificationError, match=r"^hidden's note \\text\{by \(2\), with }.*: the rule .* with these "
                                                r"put in is .*, but the line it introduces is"):
        substituted.verified(derivation, NotationPrinter(options.notation_preset, network))


@pytest.mark.timeout(60)
def test_a_note_that_leaves_out_a_value_fails() -> None:
    """Without ``h = σ`` the rule keeps its generic h, and is not the line in σ."""
    _, printer, argument, (before, line, found) = _bishops_note()
    rule = substituted.general_form(argument, before.result, printer)
    kept = tuple(put for put in found if put.kind != "activation")
    assert substituted.substituted(rule, kept, 1) != substituted.substituted(rule, found, 1)
    written = {"j": 1}
    assert general.instantiate(substituted.substituted(rule, found, 1), written) == \
        general.instantiate(line.result, written)
