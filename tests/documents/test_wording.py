"""The wording a lecturer's audit asked for in documents beyond the seeds' defaults: a hidden layer introduced by a
sentence, the general section's opening, the sums' ranges said plainly, entrywise division written ⊘ (and said),
the softmax appendix in the output layer's letters; and the mean loss's summand for example i."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.render import render_markdown
from symbackprop.documents.setup import _of_example
from symbackprop.notation.presets import PRESETS
from symbackprop.notation.printer import NotationPrinter

SOFTMAX = {"layers": [3, 4, 2], "hidden": "relu", "output": "softmax", "loss": "cross_entropy"}


@pytest.fixture(scope="module")
def nielsen() -> str:
    derivation = Network(**SOFTMAX).derive()
    options = DocumentOptions.from_mapping({"notation": "nielsen", "sections": "all", "format": "md"})
    return render_markdown(derivation, options)


def test_the_general_sections_read_as_a_lecturer_writes(nielsen: str) -> None:
    assert "Now take a hidden layer $l < L$. The cost depends on" in nielsen
    assert "A hidden layer $l < L$." not in nielsen.replace("take a hidden", "")
    assert "What holds for one neuron" not in nielsen
    assert ("; the sum here is over all $n_{l-1}$ neurons of layer $l-1$, and a sum over the neurons of layer $l+1$ "
            "further on is over all $n_{l+1}$ of them.") in nielsen


def test_the_general_section_opens_with_what_it_argues_for() -> None:
    # on its own; after a problem whose solutions derive it, one sentence refers to them instead (test_derived_once)
    derivation = Network(**SOFTMAX).derive()
    options = DocumentOptions.from_mapping({"notation": "nielsen", "sections": "general", "format": "md"})
    text = render_markdown(derivation, options)
    assert "## Backpropagation for a general neuron\n\nFor a general neuron of each layer, step by step:" in text
    assert "The same argument" not in text and "What holds for one neuron" not in text


def test_entrywise_division_is_written_and_said(nielsen: str) -> None:
    assert r"\circ -1" not in nielsen
    assert (r"(- (y \oslash a^{L})) \qquad \text{differentiate the loss}\text{; } \oslash \text{ divides entrywise}"
            in nielsen)


def test_the_softmax_appendix_writes_the_output_layers_letters(nielsen: str) -> None:
    appendix = nielsen[nielsen.index("### Softmax"):]
    assert r"a^{L}_{1} &= \frac{e^{z^{L}_{1}}}{\sum_{k=1}^{2} e^{z^{L}_{k}}}" in appendix
    assert r"\frac{\partial a^{L}_{i}}{\partial z^{L}_{j}} &= a^{L}_{i}\,(\mathbb{1}_{i=j} - a^{L}_{j})" in appendix
    assert "a_{1}" not in appendix and "z_{1}" not in appendix


def test_the_hadamard_product_with_an_inverse_prints_a_division() -> None:
    network = Network(**SOFTMAX)
    printer = NotationPrinter(PRESETS["nielsen"], network)
    y, a, b = (sp.MatrixSymbol(name, 2, 1) for name in ("y", "a2", "b2"))
    assert printer.doprint(sp.HadamardProduct(y, sp.HadamardPower(a, -1))) == r"y \oslash a^{2}"
    assert printer.doprint(sp.HadamardProduct(y, b, sp.HadamardPower(a + b, -1))) == \
        r"(y \odot b^{2}) \oslash (a^{2} + b^{2})"  # (the printer drops \left, \right)
    assert printer.doprint(sp.HadamardPower(a, -1)) == r"(a^{2})^{\circ -1}"  # nothing to divide: as SymPy has it


def test_an_examples_output_for_its_label() -> None:
    assert _of_example(r"\hat{y}_{\ell}") == r"\hat{y}^{(i)}_{\ell_{i}}"
    assert _of_example(r"a^{L}_{\ell}") == r"{a^{L}_{\ell_{i}}}^{(i)}"  # a layer mark already above


def test_figures_keep_weight_labels_clear_and_say_biases_are_not_drawn() -> None:
    from symbackprop.documents.render import render_tex
    network = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce")
    tex = render_tex(network.derive(), DocumentOptions(notation="bishop", formats=("tex",)))
    assert "with inputs $x_{1}, x_{2}$ and a bias per neuron (not drawn):" in tex
    assert "pos=0.25, above=2pt" in tex and "pos=0.45, above=2pt" in tex  # network figure; schematics mid-arrow
