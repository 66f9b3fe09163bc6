"""One representative entry per kind of parameter in the closed form, "likewise" for the others: which entries
stand for which, the relabelling that writes the others, and a 3-4-2 network's closed form of a few lines that
still verifies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.documents import closed
from symbackprop.documents.likewise import groups, relabelled
from symbackprop.documents.model import build_document
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.render import render_tex
from symbackprop.notation.printer import NotationPrinter
from tests.helpers import require_tex

N342 = dict(layers=[3, 4, 2], hidden="relu", output="softmax", loss="cross_entropy")


def _symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def test_a_bias_units_weights_are_a_kind_of_their_own() -> None:
    """w^l_{j0} multiplies the constant 1, no neuron to exchange: its entries have their own representative."""
    network = Network.from_spec("2-2-2", bias="neuron")
    shown = [(group.name, str(group.representative), len(group.entries)) for group in groups(network)]
    assert shown == [("W1", "W1_1_1", 4), ("W1", "W1_1_0", 2), ("W2", "W2_1_1", 4), ("W2", "W2_1_0", 2)]
    assert len(groups(network, every=True)) == network.parameter_count


def test_relabelling_exchanges_the_neurons_of_each_layer_the_entry_names() -> None:
    w111, x1, z11, a21 = (_symbol(name) for name in ("W1_1_1", "x_1", "z1_1", "a2_1"))
    expr = x1 * _symbol("W2_2_1") * z11 + _symbol("W1_3_1") * a21
    moved = relabelled(expr, w111, _symbol("W1_3_2"), depth=2)
    assert moved == _symbol("x_2") * _symbol("W2_2_3") * _symbol("z1_3") + _symbol("W1_1_2") * a21
    assert relabelled(expr, w111, w111, depth=2) == expr


def test_a_sparse_labels_indicator_follows_the_output_exchanged() -> None:
    from symbackprop.model.losses import LABEL

    expr = _symbol("a2_1") - sp.KroneckerDelta(1, LABEL)
    assert relabelled(expr, _symbol("b2_1"), _symbol("b2_3"), depth=2) == _symbol("a2_3") - sp.KroneckerDelta(3, LABEL)


def _closed_section(options: DocumentOptions):
    derivation = Network.from_mapping(N342).derive(forms=("element", "vector", "batch"))
    document = build_document(derivation, options)
    (section,) = [s for s in document.sections if s.title == "Closed form"]
    return derivation, section


def test_a_3_4_2_closed_form_is_one_entry_of_each_kind_in_the_forward_pass_letters() -> None:
    """Written out in x, y and the parameters it filled 11 pages of exponentials; a lecture shows ∂C/∂w^1_{11} in
    a^l_j and z^l_j, then says the others follow likewise."""
    _, section = _closed_section(DocumentOptions(notation="nielsen", sections="all"))
    displays = [block.display for block in section.blocks if block.display]
    lines = [line for shown in displays for line in shown.lines]
    assert len(displays) == 4 and len(lines) <= 8  # W^1, b^1, W^2, b^2
    texts = [block.text for block in section.blocks if block.kind == "text"]
    assert "would fill about 12 pages" in texts[0]
    assert [t for t in texts if t.startswith("Likewise")] == [
        r"Likewise for every $j = 1, \ldots, 4$ and $k = 1, 2, 3$: $\frac{\partial C}{\partial w^{1}_{jk}}$ is the "
        r"entry above with neurons $1$ and $j$ of layer $1$, and neurons $1$ and $k$ of layer $0$ exchanged.",
        r"Likewise for every $j = 1, \ldots, 4$: $\frac{\partial C}{\partial b^{1}_{j}}$ is the entry above with "
        r"neurons $1$ and $j$ of layer $1$ exchanged.",
        r"Likewise for every $j = 1, 2$ and $k = 1, \ldots, 4$: $\frac{\partial C}{\partial w^{2}_{jk}}$ is the "
        r"entry above with neurons $1$ and $j$ of layer $2$, and neurons $1$ and $k$ of layer $1$ exchanged.",
        r"Likewise for every $j = 1, 2$: $\frac{\partial C}{\partial b^{2}_{j}}$ is the entry above with neurons $1$ "
        r"and $j$ of layer $2$ exchanged.",
    ]
    assert lines[0].rhs == (r"x_{1} (w^{2}_{11} (a^{2}_{1} - y_{1}) + w^{2}_{21} (a^{2}_{2} - y_{2})) "
                            r"\mathrm{1\!\!1}[z^{1}_{1} > 0]")
    assert not any(r"\exp" in line.rhs or r"\max" in line.rhs for line in lines)


def test_a_3_4_2_closed_form_verifies_every_entry() -> None:
    derivation = Network.from_mapping(N342).derive(forms=("element",))
    printer = NotationPrinter(DocumentOptions(notation="nielsen").notation_preset, derivation.network)
    found = closed.verified(derivation, printer, points=3)
    assert (found.steps, found.lines) == (26, 78)


def test_a_small_closed_form_still_shows_every_entry_written_out() -> None:
    derivation = Network.from_spec("2-1", hidden="tanh").derive(forms=("element",))
    written = closed.closed_form(derivation, NotationPrinter(DocumentOptions().notation_preset, derivation.network))
    assert len(written.displays) == derivation.network.parameter_count == 3
    assert not any(written.likewise) and "error terms" not in written.intro


@pytest.mark.pdf
def test_the_3_4_2_closed_form_fills_under_a_page(tmp_path: Path) -> None:
    require_tex()
    from symbackprop.documents import pdf

    derivation = Network.from_mapping(N342).derive(forms=("element",))
    tex = tmp_path / "closed.tex"
    tex.write_text(render_tex(derivation, DocumentOptions(notation="nielsen", sections="closed")),
                   encoding="utf-8")
    pdf.build_pdf(tex)
    log = tex.with_suffix(".log").read_text(errors="replace")
    assert "Overfull" not in log
    assert int(re.search(r"Output written on .*?\((\d+) pages?", log).group(1)) == 1
