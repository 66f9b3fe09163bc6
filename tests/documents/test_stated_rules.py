"""The general rules a document states beside its steps: printed from their schemas, all proven by --verify."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive import schemas
from symbackprop.derive.derivation import Derivation, Rule
from symbackprop.derive.schemas import SCHEMAS
from symbackprop.derive.truth import VerificationError
from symbackprop.derive.verify import Verification
from symbackprop.documents import files
from symbackprop.documents.files import engine_forms, verified
from symbackprop.documents.model import Document
from symbackprop.documents.notes import CITES, NOTES, note
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.sections import Block, Section
from symbackprop.notation.display import Display
from symbackprop.notation.printer import INDICATOR_LATEX

CASES = tomllib.loads((Path(__file__).parent.parent / "golden" / "cases.toml").read_text())

def _case(name: str, **extra: object) -> tuple[Derivation, DocumentOptions]:
    options = DocumentOptions(**(CASES[name]["derive"] | extra))
    network = Network(**{k: v for k, v in CASES[name].items() if k != "derive"})
    return network.derive(forms=engine_forms(options), progress=False), options


def _documents(name: str, **extra: object) -> list[Document]:
    derivation, options = _case(name, **extra)
    return [document for _, document in files._documents(derivation, options, INDICATOR_LATEX)]


def _blocks(section: Section) -> Iterator[Block]:
    yield from section.blocks
    for subsection in section.subsections:
        yield from _blocks(subsection)


def _notes(documents: list[Document]) -> list[str]:
    found: list[str] = []
    for document in documents:
        for section in (*document.sections, *document.appendix):
            for block in _blocks(section):
                found += [line.note for line in (block.display.lines if block.display else ())]
    return found


@pytest.mark.parametrize("rule", list(Rule))
def test_every_note_is_printed_whole(rule: Rule) -> None:
    assert "<rule>" not in note(rule, z="a")
    if rule in CITES:
        assert SCHEMAS[CITES[rule]].latex in note(rule, z="a")
    else:
        assert "<rule>" not in NOTES[rule]


@pytest.mark.timeout(120)
def test_a_note_prints_its_rule_from_the_schema_that_is_proven(monkeypatch: pytest.MonkeyPatch) -> None:
    """No second copy of the rule's text: change the schema's printed side and the document prints the change."""
    old = SCHEMAS["outer product"]
    new = dataclasses.replace(old, rows=((r"[u_{r} v_{s}]", "=", r"v\,u^{\top}", ""),))
    monkeypatch.setattr(schemas, "SCHEMAS", {**SCHEMAS, "outer product": new})
    documents = _documents("ng")
    assert any(new.latex in shown for shown in _notes(documents))
    assert not any(old.latex in shown for shown in _notes(documents))


@pytest.mark.timeout(120)
def test_a_display_prints_the_generalised_chain_rule_from_its_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    old = SCHEMAS["generalised chain rule"]
    new = dataclasses.replace(old, rows=(*old.rows[:2], (old.rows[2][0], "=", r"\sum_{s=1}^{m} \frac{\partial y}"
                                                          r"{\partial u_{s}}", "")))
    monkeypatch.setattr(schemas, "SCHEMAS", {**SCHEMAS, "generalised chain rule": new})
    documents = _documents("bishop")
    displays = [block.display for document in documents for section in document.sections
                for block in _blocks(section) if isinstance(block.display, Display)]
    assert any(tuple((l.lhs, l.rel, l.rhs, l.note) for l in shown.lines) == new.rows for shown in displays)


def _wrong_outer_product() -> schemas.Sides:
    u, v = schemas._vector("u", 3), schemas._vector("v", 3)
    return sp.Matrix(3, 3, lambda r, s: u[r] * v[s]), v * u.T


@pytest.mark.timeout(120)
def test_a_wrong_rule_fails_verification_of_any_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule of the table is proven whatever the document: a wrong one fails --verify, even where the document
    does not state it (input-major's states none)."""
    monkeypatch.setattr(files.checking, "verify", lambda derivation: Verification(0, 0, 2, 0, 0))  # (rules alone)
    wrong = dataclasses.replace(SCHEMAS["outer product"], sides=_wrong_outer_product)
    monkeypatch.setattr(schemas, "SCHEMAS", {**SCHEMAS, "outer product": wrong})
    for name in ("ng", "input-major"):
        derivation, options = _case(name)
        with pytest.raises(VerificationError, match="outer product"):
            verified(derivation, options)


@pytest.mark.timeout(120)
def test_verify_reports_every_rule_proven() -> None:
    derivation, options = _case("goodfellow", appendix="none")
    found = verified(derivation, options)
    assert found.rules == len(SCHEMAS) == 14
    assert "; the 14 general rules the documents state, proven by SymPy; the " in found.report()
