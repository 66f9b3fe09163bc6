"""The sizes the documents state are printed from the entries ``--verify`` compares with the forward pass's
matrices (:mod:`symbackprop.documents.sizes`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive.truth import VerificationError
from symbackprop.documents import sizes
from symbackprop.documents.files import document_files
from symbackprop.documents.options import DocumentOptions
from tests.helpers import SEED_CASES, run_cli, seed_case

#: How many general sizes (a general layer's, ``W^l (n_l × n_{l-1})``) each seed's documents can state: a layer's
#: activations, weighted inputs and error terms, its weights, its biases (goodfellow, input-major, nielsen) and
#: nielsen's gradient by the activations.
GENERAL = {"bishop": 4, "bishop-single": 4, "goodfellow": 5, "input-major": 5, "ng": 4, "nielsen": 6}



@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(SEED_CASES))
def test_every_size_a_seeds_documents_can_state_is_its_matrixs(name: str) -> None:
    network, options = seed_case(name)
    derivation = network.derive(forms=("vector",), progress=False)
    checked = sizes.verified(derivation, options.notation_preset)
    parameters = network.depth * (1 + (network.bias in ("vector", "shared")))  # W^l, and b^l where it has one
    concrete = parameters + 3 + network.loss.sparse + (network.bias in ("vector", "shared"))
    written = sizes.written_out(derivation, options.notation_preset) is not None  # nielsen's BP4, "a 2 × 3 matrix"
    assert checked == concrete + written + GENERAL[name] and written == (name == "nielsen")


@pytest.mark.timeout(60)
def test_input_major_states_its_weights_source_by_destination() -> None:
    network = Network([3, 4, 2], hidden="tanh", output="sigmoid", loss="bce")
    found = {size.name: (size.rows, size.columns) for size in
             sizes.parameters(network, DocumentOptions(notation="input-major").notation_preset)}
    assert found["W1"] == (3, 4) and found["W2"] == (4, 2)


@pytest.mark.timeout(120)
def test_goodfellows_parameters_are_printed_from_the_entries_checked() -> None:
    network, options = seed_case("goodfellow")
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
    network, options = seed_case("goodfellow")
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
    stated = len(sizes.statements(network, preset)) + len(sizes.general(network, preset))
    assert sizes.verified(derivation, preset) == stated + (sizes.written_out(derivation, preset) is not None)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(SEED_CASES))
def test_each_general_size_a_seed_states_holds_at_every_layer(name: str) -> None:
    network, options = seed_case(name)
    derivation = network.derive(forms=("vector",), progress=False)
    assert sizes.general_verified(derivation, options.notation_preset) == GENERAL[name]


#: A deeper network of unequal widths, in a notation and bias convention, and its weights' general size as printed.
DEEPER = [("ng", "neuron", r"n_{l+1} \times (n_{l} + 1)"), ("input-major", "vector", r"n_{\ell-1} \times n_{\ell}"),
          ("nielsen", "vector", r"n_{l} \times n_{l-1}"), ("goodfellow", "shared", r"n_{k} \times n_{k-1}"),
          ("bishop", "neuron", r"n_{l} \times (n_{l-1} + 1)"), ("ng", "none", r"n_{l+1} \times n_{l}")]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("notation", "bias", "weights"), DEEPER)
def test_general_sizes_hold_at_every_layer_of_unequal_widths(notation: str, bias: str, weights: str) -> None:
    network = Network([2, 3, 4, 2], hidden="tanh", output="sigmoid", loss="bce", bias=bias)
    preset = DocumentOptions(notation=notation).notation_preset
    stated = sizes.general(network, preset)
    assert sizes.general_times(stated["W"], preset) == weights
    assert sizes.general_verified(network.derive(forms=("vector",), progress=False), preset) == len(stated)


def _sabotaged(monkeypatch: pytest.MonkeyPatch, kind: str, change: dict[str, sp.Expr]) -> None:
    right = sizes.general

    def sabotaged(*args: Any) -> dict[str, sizes.General]:
        return {name: dataclasses.replace(size, **change) if name == kind else size
                for name, size in right(*args).items()}

    monkeypatch.setattr(sizes, "general", sabotaged)


@pytest.mark.timeout(60)
def test_a_general_size_transposed_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    network, options = seed_case("nielsen")
    _sabotaged(monkeypatch, "W", {"rows": sizes.WIDTH(sizes.LAYER - 1), "columns": sizes.WIDTH(sizes.LAYER)})
    with pytest.raises(VerificationError, match=r"^the general size W \(n_\{l-1\} \\times n_\{l\}\) is stated, but "
                                                r"with l = 1 it is 2 x 3 and W1 is 3 x 2$"):
        sizes.verified(network.derive(forms=("vector",), progress=False), options.notation_preset)


@pytest.mark.timeout(60)
def test_a_general_size_wrong_only_in_a_deeper_layer_fails_there(monkeypatch: pytest.MonkeyPatch) -> None:
    """ng's weights without the bias unit's column, n_{l+1} × n_l, are wrong at the first layer already; a weighted
    input of n_{l-1} entries holds at the first layer of 3-3-4-2 (n_0 = n_1) and fails at the second."""
    network = Network([2, 3, 4, 2], hidden="tanh", output="sigmoid", loss="bce", bias="neuron")
    preset = DocumentOptions(notation="ng").notation_preset
    derivation = network.derive(forms=("vector",), progress=False)
    _sabotaged(monkeypatch, "W", {"columns": sizes.WIDTH(sizes.LAYER)})
    with pytest.raises(VerificationError, match=r"^the general size W \(n_\{l\+1\} \\times n_\{l\}\) .* with l = 1 it "
                                                r"is 3 x 2 and W1 is 3 x 3$"):
        sizes.general_verified(derivation, preset)
    monkeypatch.undo()
    two_layers = Network([3, 3, 4, 2], hidden="tanh", output="sigmoid", loss="bce", bias="neuron")  # n_0 = n_1
    _sabotaged(monkeypatch, "z", {"rows": sizes.WIDTH(sizes.LAYER - 1)})
    with pytest.raises(VerificationError, match=r"^the general size z \(n_\{l-1\} \\times 1\) is stated, but with "
                                                r"l = 3 it is 3 x 1 and z2 is 4 x 1$"):
        sizes.general_verified(two_layers.derive(forms=("vector",), progress=False), preset)


@pytest.mark.timeout(120)
def test_derive_verify_fails_on_a_wrong_general_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _sabotaged(monkeypatch, "W", {"rows": sizes.WIDTH(sizes.LAYER - 1), "columns": sizes.WIDTH(sizes.LAYER)})
    status, out, err = run_cli(capsys, "derive", "2-3-2", "--notation", "nielsen", "--format", "md", "--out",
                               str(tmp_path / "doc"), "--verify")
    assert status == 1 and out == "" and not (tmp_path / "doc").exists()
    assert r"the general size W (n_{l-1} \times n_{l}) is stated" in err


@pytest.mark.timeout(120)
def test_the_general_sizes_are_printed_from_the_entries_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """nielsen's table prints a^l's, z^l's, b^l's, ∇_a C's and W^l's from their entries: a wrong entry is printed
    wrong (and fails the check above), so the text and the check cannot drift apart."""
    network, options = seed_case("nielsen")
    derivation = network.derive(forms=("vector",), progress=False)
    md = DocumentOptions(notation="nielsen", formats=("md",))
    right = document_files(derivation, md)["derivation-nielsen.md"]
    for kind, said in [("a", "activation vector of layer $l$ ($"), ("z", "weighted input vector of layer $l$ ($"),
                       ("b", "bias vector of layer $l$ ($"), ("W", "weight matrix of layer $l$ ($"),
                       ("grad_a", "$\\frac{\\partial C}{\\partial a^{l}}$ ($")]:
        assert said + sizes.general_times(sizes.general(network, options.notation_preset)[kind],
                                          options.notation_preset) + "$" in right, kind
    assert "it is a $2 \\times 3$ matrix" in right
    _sabotaged(monkeypatch, "W", {"rows": sizes.WIDTH(sizes.LAYER - 1), "columns": sizes.WIDTH(sizes.LAYER)})
    wrong = document_files(derivation, md)["derivation-nielsen.md"]
    assert "weight matrix of layer $l$ ($n_{l-1} \\times n_{l}$)" in wrong


@pytest.mark.timeout(120)
def test_input_majors_exercise_states_its_weights_source_by_destination() -> None:
    network, options = seed_case("input-major")
    derivation = network.derive(forms=("element", "vector", "batch"), progress=False)
    files = document_files(derivation, DocumentOptions(notation="input-major", formats=("md",), exercise=True))
    assert r"is the $n_{\ell-1} \times n_{\ell}$ matrix of the weights" in "".join(
        text for text in files.values() if isinstance(text, str))


@pytest.mark.timeout(60)
def test_the_written_out_gradient_is_checked_against_the_matrix_written(monkeypatch: pytest.MonkeyPatch) -> None:
    network, options = seed_case("nielsen")
    derivation = network.derive(forms=("vector",), progress=False)
    assert sizes.written_out(derivation, options.notation_preset) == sizes.Size("W2", sp.Integer(2), sp.Integer(3))
    monkeypatch.setattr(sizes, "written_out", lambda *args: sizes.Size("W2", sp.Integer(3), sp.Integer(2)))
    with pytest.raises(VerificationError, match=r"^the gradient by W2 is stated to be written out as a 3 \\times 2 "
                                                r"matrix, but it is 2 x 3$"):
        sizes.verified(derivation, options.notation_preset)


def test_a_general_size_prints_its_widths_in_the_layer_letter() -> None:
    nielsen, input_major = (DocumentOptions(notation=name).notation_preset for name in ("nielsen", "input-major"))
    l, n = sizes.LAYER, sizes.WIDTH
    assert sizes.count(n(l + 1) + 1, nielsen) == "(n_{l+1} + 1)" and sizes.count(n(l - 1), input_major) == r"n_{\ell-1}"
    with pytest.raises(ValueError, match="a general size is"):
        sizes.count(2 * n(l), nielsen)
    vector, weights = sizes.General("a", n(l), sp.Integer(1)), sizes.General("W", n(l), n(l - 1))
    assert sizes.shared([vector, vector], nielsen) == r"n_{l} \times 1"
    with pytest.raises(ValueError, match="which differ"):
        sizes.shared([vector, weights], nielsen)
