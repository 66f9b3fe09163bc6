"""The sizes the documents state are printed from the entries ``--verify`` compares with the forward pass's
matrices (:mod:`symbackprop.documents.sizes`)."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive.truth import VerificationError
from symbackprop.documents import sizes
from symbackprop.documents.files import document_files
from symbackprop.documents.options import DocumentOptions

CASES = tomllib.loads((Path(__file__).parent.parent / "golden" / "cases.toml").read_text(encoding="utf-8"))


def _case(name: str) -> tuple[Network, DocumentOptions]:
    case = dict(CASES[name])
    options = DocumentOptions(**case.pop("derive"))
    return Network.from_mapping(case), options


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_size_a_seeds_documents_can_state_is_its_matrixs(name: str) -> None:
    network, options = _case(name)
    checked = sizes.verified(network.derive(forms=("vector",), progress=False), options.notation_preset)
    parameters = network.depth * (1 + (network.bias in ("vector", "shared")))  # W^l, and b^l where it has one
    assert checked == parameters + 3 + network.loss.sparse + (network.bias in ("vector", "shared"))


@pytest.mark.timeout(60)
def test_input_major_states_its_weights_source_by_destination() -> None:
    network = Network([3, 4, 2], hidden="tanh", output="sigmoid", loss="bce")
    found = {size.name: (size.rows, size.columns) for size in
             sizes.parameters(network, DocumentOptions(notation="input-major").notation_preset)}
    assert found["W1"] == (3, 4) and found["W2"] == (4, 2)


@pytest.mark.timeout(120)
def test_goodfellows_parameters_are_printed_from_the_entries_checked() -> None:
    network, options = _case("goodfellow")
    derivation = network.derive(forms=("vector",), progress=False)
    md = DocumentOptions(notation="goodfellow", formats=("md",))
    markdown = document_files(derivation, md)["derivation-goodfellow.md"]
    for size in sizes.parameters(network, options.notation_preset):
        assert sizes.space(size) in markdown
    assert r"W_{3} \in \mathbb{R}^{2 \times 3}" in markdown and r"X \in \mathbb{R}^{n \times m}" in markdown


@pytest.mark.timeout(60)
@pytest.mark.parametrize("wrong", ["W2", "X"])
def test_a_wrong_size_fails_naming_it(monkeypatch: pytest.MonkeyPatch, wrong: str) -> None:
    right = sizes.statements

    def sabotaged(*args: object) -> tuple[sizes.Size, ...]:
        return tuple(dataclasses.replace(size, rows=size.rows + 1) if size.name == wrong else size
                     for size in right(*args))

    monkeypatch.setattr(sizes, "statements", sabotaged)
    network, options = _case("goodfellow")
    with pytest.raises(VerificationError, match=rf"^the size {wrong} \\in .* is stated, but {wrong} is "):
        sizes.verified(network.derive(forms=("vector",), progress=False), options.notation_preset)


def test_one_column_is_left_out_unless_written() -> None:
    assert sizes.space(sizes.Size("b1", sp.Integer(3), sp.Integer(1))) == r"\mathbb{R}^{3}"
    assert sizes.space(sizes.ones()) == r"\mathbb{R}^{m \times 1}"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("notation", ["nielsen", "goodfellow"])
def test_a_shared_bias_ones_vector_is_not_the_batchs(notation: str) -> None:
    """A shared bias is broadcast to its layer by a ones vector of the layer's width (1_2 here): the batch's 1_m is
    the one of m rows, and a 1-2-2 network states it as m × 1 (found by the property test, seed 0)."""
    network = Network([1, 2, 2], activations=["sigmoid", "sigmoid"], loss="bce", bias="shared")
    derivation = network.derive(forms=("vector", "batch"), progress=False)
    assert sizes.shapes(derivation)[sizes.ONES] == (sizes.M, 1)
    preset = DocumentOptions(notation=notation).notation_preset
    assert sizes.verified(derivation, preset) == len(sizes.statements(network, preset))
