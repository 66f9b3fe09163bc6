"""What a document with every section derives once: the general neuron's results, where the problem's solutions
derive them before its section; and the batch gradients, one-line displays set as one aligned display."""

from __future__ import annotations

import pytest

from symbackprop import Network
from symbackprop.documents.argued import DERIVED_BEFORE
from symbackprop.documents.files import engine_forms
from symbackprop.documents.model import build_document
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.render import render_markdown, render_tex

N342 = dict(layers=[3, 4, 2], hidden="relu", output="softmax", loss="cross_entropy")
#: The first words of the general neuron's weight argument, in the problem's solution (b) and in its own section.
WEIGHT = "A weight reaches the cost only through the weighted input of its neuron"


def _markdown(notation: str, sections: str | tuple[str, ...]) -> str:
    options = DocumentOptions(notation=notation, sections=sections, formats=("md",))
    return render_markdown(Network.from_mapping(N342).derive(forms=engine_forms(options)), options)


@pytest.mark.parametrize("notation", ["nielsen", "ng", "bishop"])
def test_all_derives_the_general_neuron_once_and_refers_back_to_the_problem(notation: str) -> None:
    every = _markdown(notation, "all")
    general = every.index("## Backpropagation for a general neuron")
    assert every.index("## Problem") < general
    section = every[general:].split("\n## ")[0]
    assert DERIVED_BEFORE in section and "$$" not in section  # the sentence alone
    if notation == "nielsen":
        assert every.count(WEIGHT) == 1  # (b)'s solution; the section derived it again
    alone = _markdown(notation, ("general",))  # without the problem, the section derives it all
    assert DERIVED_BEFORE not in alone


def test_the_general_case_before_the_problem_is_kept_whole() -> None:
    """Seed 002 puts the general neuron in the thin network's section, before the problem: it stays as it is."""
    every = _markdown("goodfellow", "all")
    assert DERIVED_BEFORE not in every
    assert every.index("### The general case") < every.index("## Problem")


def test_the_batch_gradients_are_one_aligned_display() -> None:
    derivation = Network.from_mapping(N342).derive()
    document = build_document(derivation, DocumentOptions(notation="nielsen", sections=("batch",)))
    (section,) = [s for s in document.sections if s.title == "Backpropagation for a batch"]
    displays = [block.display for block in section.blocks if block.display]
    assert [len(shown.lines) for shown in displays][-1] == 4  # ∂C/∂W^2, ∂C/∂b^2, ∂C/∂W^1, ∂C/∂b^1
    assert all(len(before.lines) > 1 or before.label for before in displays)  # no one-line display left alone
    tex = render_tex(derivation, DocumentOptions(notation="nielsen", sections=("batch",)))
    batch = tex[tex.index("Backpropagation for a batch"):]
    assert batch.count(r"\begin{align*}") == 4  # the forward pass, Δ^2, Δ^1, the gradients
