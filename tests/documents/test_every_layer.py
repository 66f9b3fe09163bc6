"""BP2 to BP4 are printed from one layer and stated for every layer: ``--verify`` prints each from every other
layer's own steps and requires the same reading (:mod:`symbackprop.documents.every_layer`)."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive.truth import VerificationError
from symbackprop.documents import every_layer, files
from symbackprop.documents.options import DocumentOptions
from symbackprop.model import symbols
from symbackprop.notation.printer import NotationPrinter

PRESETS = ("nielsen", "ng", "input-major", "goodfellow", "bishop")
MIXED = dict(layers=[2, 3, 3, 2], activations=["relu", "tanh", "sigmoid"])


def _printer(network: Network, notation: str, **options: bool) -> NotationPrinter:
    return NotationPrinter(DocumentOptions(notation=notation).notation_preset, network, **options)


@pytest.mark.parametrize("notation", PRESETS)
@pytest.mark.parametrize("network", [MIXED, dict(layers=[2, 3, 3, 3, 2], hidden="tanh", bias="neuron"),
                                     dict(layers=[3, 3, 1], hidden="sigmoid", bias="none")])
def test_each_layers_own_steps_read_as_the_equations_stated_for_every_layer(notation: str, network: dict) -> None:
    net = Network.from_mapping(network)
    found = every_layer.verified(net.derive(forms=("vector",)), _printer(net, notation))
    depth = net.depth
    assert found.steps == (depth - 2) + (2 if net.bias != "none" else 1) * (depth - 1)


@pytest.mark.parametrize("layers", [[1, 1, 2, 2], [2, 1, 3, 1]])
def test_a_layer_of_one_neuron_writes_the_ones_vector_as_1_and_reads_as_the_others(layers: list[int]) -> None:
    """SymPy's 1 × 1 ones matrix is the identity, printed 1: δ^l = (...) ⊙ a^l ⊙ (1 - a^l) at a layer of one
    neuron is the (𝟏 - a^l) stated for the wider ones (a Hypothesis-drawn 1-1-2-2 network found the check stricter
    than the claim)."""
    net = Network(layers, activations=["sigmoid"] * (len(layers) - 1), loss="bce")
    found = every_layer.verified(net.derive(forms=("vector",)), _printer(net, "nielsen"))
    assert found.steps == (net.depth - 2) + 2 * (net.depth - 1)


def test_one_hidden_activation_printed_for_layers_whose_activations_differ_fails() -> None:
    """The false equation an audit found: ReLU' stated for every hidden layer of a network whose first is tanh."""
    net = Network.from_spec("2-3-3-2", activations=["tanh", "relu", "sigmoid"])
    derivation = net.derive(forms=("vector",))
    with pytest.raises(VerificationError, match=r"^BP2 is stated for every layer as .*, but layer 1's own steps give"):
        every_layer.verified(derivation, _printer(net, "nielsen", per_layer=False))


def test_a_first_layer_whose_gradient_reads_otherwise_fails() -> None:
    net = Network.from_spec("2-3-2", hidden="tanh")
    derivation = net.derive(forms=("vector",))
    name = symbols.matrix("W", 1)
    wrong = {**derivation.vector, name: 2 * derivation.vector[name]}
    with pytest.raises(VerificationError, match="^BP4 is stated for every layer as .*, but layer 1's own steps"):
        every_layer.verified(dataclasses.replace(derivation, vector=wrong), _printer(net, "nielsen"))


def test_no_concrete_bp2_is_stated_for_every_layer_where_the_hidden_activations_differ() -> None:
    """With ReLU below tanh, "for this network, BP2 becomes ... ⊙ (1 - a ⊙ a)" held only for the tanh layer."""
    net = Network.from_mapping(MIXED)
    options = DocumentOptions(notation="input-major", exercise=True, formats=("md",))
    derivation = net.derive(forms=files.engine_forms(options))
    solutions = files.document_files(derivation, options)["solutions-input-major.md"]
    said = solutions[solutions.index("For this network, B"):]
    assert said.startswith("For this network, BP1 becomes:") and r"\odot (\mathbf{1} - (\mathbf{a}" not in said
    assert files.verified(derivation, options).steps > 0


def test_the_input_is_read_as_layer_zeros_output_only_where_a_layer_is_general() -> None:
    """ng's first layer's ∂C/∂W^(l) = δ^(l+1) (ā^(l))ᵀ; a network of one layer keeps its input x̄."""
    for spec, expected in (("2-3-2", r"\bar{\mathbf{a}}^{(l)}"), ("3-2", r"\bar{\mathbf{X}}")):
        net = Network.from_spec(spec, bias="neuron")
        printer = _printer(net, "ng").relabel({1: "l", 2: "l+1", 0: "l-1"})
        assert printer.doprint(sp.MatrixSymbol(symbols.matrix("abar", 0), 3, 1)).startswith(expected), spec
