"""The batch form once for a general layer (seed 002's §5.2): each line is every layer's step, relabelled."""

from __future__ import annotations

import pytest

from symbackprop import Network
from symbackprop.derive.derivation import Derivation
from symbackprop.derive.engine import derive
from symbackprop.documents import sections as sec
from symbackprop.documents.batch import general_blocks, step_at_layer_0
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.render import render_markdown
from symbackprop.documents.summary import labels
from symbackprop.model import symbols
from symbackprop.notation.presets import get_notation
from symbackprop.notation.printer import NotationPrinter

NETWORKS = [
    Network([3, 3, 3, 2], hidden="relu", output="softmax", loss="sparse_cross_entropy"),  # seed 002's
    Network([2, 4, 3, 3, 1], hidden="tanh", output="sigmoid", loss="bce"),
    Network([2, 3, 2], hidden="sigmoid", output="linear", loss="mse", bias="none"),
    Network([2, 2], hidden="tanh", output="softmax", loss="cross_entropy"),
]


def _lines(derivation: Derivation) -> list[str]:
    """The general batch form's displayed lines, as ``lhs = rhs  note``."""
    printer = NotationPrinter(get_notation("goodfellow"), derivation.network)
    return [f"{line.lhs} = {line.rhs}  {line.note}" for block in general_blocks(derivation, printer)
            if block.display is not None for line in block.display.lines]


@pytest.mark.parametrize("network", NETWORKS, ids=lambda n: n.spec)
def test_each_general_line_is_every_layers_step_relabelled(network: Network) -> None:
    derivation = derive(network, ("batch",))
    notation = get_notation("goodfellow")
    printer = NotationPrinter(notation, network)
    groups = sec.group(derivation.steps_of("batch"))
    shown = "\n".join(_lines(derivation))
    L = network.depth
    kinds = [("delta", range(1, L), "delta"), ("W", range(1, L + 1), "W"), ("b", range(1, L + 1), "W")]
    checked = 0
    for kind, layers, relabel in kinds:
        for layer in layers:
            if symbols.matrix(kind, layer) not in groups:
                continue
            steps = [step_at_layer_0(step) for step in groups[symbols.matrix(kind, layer)]]
            display = sec.quantity_display(steps, printer.relabel(labels(notation, relabel, layer)))
            for line in display.lines:  # the same line, whichever layer it is printed from
                assert f"{line.lhs} = {line.rhs}" in shown or f" = {line.rhs}" in shown, (kind, layer, line)
            checked += 1
    assert checked == (L - 1) + L * (1 + (network.bias == "vector"))


@pytest.mark.parametrize("network", NETWORKS, ids=lambda n: n.spec)
def test_the_general_form_says_which_layers_each_line_holds_for(network: Network) -> None:
    lines = _lines(derive(network, ("batch",)))
    L = network.depth
    assert lines[0].startswith("A_{k} = W_{k} H_{k-1}") and lines[0].endswith(r"\text{, with } H_{0} = X")
    every = r"\forall k = 1(1)L" if L > 1 else r"\forall k = L"  # seed 002's ranges
    holds = [line for line in lines if line.endswith(every) or every + r"\text{, with" in line]
    assert len(holds) == 2 + (network.bias == "vector")  # A_k, the weights' gradient, the biases'
    assert sum("H_{k} = g(A_{k})" in line for line in lines) == (L > 1)
    assert any(line.startswith(r"\hat{Y} = O(A_{L})") for line in lines)
    assert any(line.startswith(r"\nabla_{A_{L}} \mathcal{L}(\theta) = ") for line in lines)
    assert sum(r"\nabla_{A_{k+1}}" in line for line in lines) == (L > 1)


@pytest.mark.parametrize("notation", ["goodfellow", "nielsen"])
def test_a_derivation_without_the_batch_form_still_gets_its_batch_section(notation: str) -> None:
    """The batch form is derived where the document asks for it and the derivation was made without it (it was
    a KeyError)."""
    network = NETWORKS[0]
    md = render_markdown(network.derive(forms=()), DocumentOptions(notation=notation, sections="batch",
                                                                   formats=("md",)))
    full = render_markdown(network.derive(forms=("batch",)), DocumentOptions(notation=notation, sections="batch",
                                                                             formats=("md",)))
    assert md == full and "Backward pass" in md


@pytest.mark.parametrize(("notation", "total"), [("nielsen", "C"), ("ng", "C"), ("bishop", "E")])
def test_a_batch_error_term_whose_chain_is_its_definition_says_it_once(notation: str, total: str) -> None:
    """Δ^L = ∂C/∂Z^L (definition), then = (1/m)(A^L - Y) (column i is example i; C is the mean): the batch's output
    chain is the definition itself, written once, never ∂C/∂Z = ∂C/∂Z (found reading a 3-4-2 softmax document);
    each equality with its own reason, the mean cost by the notation's letter (E in Bishop's)."""
    network = Network.from_spec("3-4-2", hidden="relu", output="softmax", loss="cross_entropy")
    md = render_markdown(network.derive(forms=("batch",)), DocumentOptions(notation=notation, forms=("batch",)))
    lines = md.splitlines()
    defined = [n for n, row in enumerate(lines) if "Delta" in row and row.endswith(r"\qquad \text{definition} \\")]
    assert len(defined) == 2, [row for row in lines if "Delta" in row]
    for n in defined:
        assert lines[n].count(" = ") == 0 and lines[n].count("&=") == 1  # the definition alone: no side repeated
    mean = rf"\text{{column }} i \text{{ is example }} i\text{{; }} {total} \text{{ is the mean}}"
    assert lines[defined[0] + 1].startswith("   &= ") and lines[defined[0] + 1].endswith(mean), lines[defined[0] + 1]
