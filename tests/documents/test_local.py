"""The local derivatives the element form's lines work out, said: a hidden neuron's note names those its chain's
result uses (∂z^2_k/∂a^1_j = w^2_kj, since z^2_k = ...; ∂a^1_j/∂z^1_j = ReLU'(z^1_j), since a^1_j = ReLU(z^1_j)),
the weights' sentence their chains' last factor; and what is printed is what --verify checks."""

from __future__ import annotations

import dataclasses

import pytest

from symbackprop import Network
from symbackprop.derive import reasoning
from symbackprop.derive.truth import VerificationError
from symbackprop.derive.verify import verify
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.render import render_markdown
from symbackprop.model.architecture import Architecture

RELU = Network([3, 4, 2], hidden="relu", output="softmax", loss="cross_entropy", bias="vector")


def _element(network: Network, notation: str = "nielsen") -> str:
    return render_markdown(network.derive(forms=("element",)), DocumentOptions(notation=notation, forms=("element",)))


def _row(text: str, start: str) -> str:
    at = text.index(start)
    return text[at:text.index("\n", at)]


def test_a_hidden_neurons_note_names_the_local_derivatives_its_line_works_out() -> None:
    """δ^1_j's chain through every neuron k of layer 2 becomes δ^2_k w^2_kj ReLU'(z^1_j): its note says the error terms
    named and both local derivatives for that neuron j, the definitions they come from as far as a line holds them."""
    md = _element(RELU)
    for j in range(1, 5):
        row = _row(md, rf"   &= \delta^{{2}}_{{1}}\,w^{{2}}_{{1{j}}}\,\operatorname{{ReLU}}'(z^{{1}}_{{{j}}})")
        note = _row(md[md.index(row):], r"\text{definition of } \delta;")  # beside it, or under it: too long
        assert note.startswith(
            rf"\text{{definition of }} \delta;\ {{\textstyle "
            rf"\frac{{\partial z^{{2}}_{{k}}}}{{\partial a^{{1}}_{{{j}}}}} = w^{{2}}_{{k{j}}}}}\text{{, since }} "
            rf"z^{{2}}_{{k}} = \sum_{{m}} w^{{2}}_{{km}} a^{{1}}_{{m}} + "
            rf"b^{{2}}_{{k}};\ {{\textstyle \frac{{\partial a^{{1}}_{{{j}}}}}{{\partial z^{{1}}_{{{j}}}}} = "
            rf"\operatorname{{ReLU}}'(z^{{1}}_{{{j}}})}}"), (j, note)
        # a^1_j = ReLU(z^1_j) left to the set-up: with it, the note would not fit a line of the page
        assert "since } a^{1}" not in note


def test_the_weights_sentence_says_their_chains_factors_and_the_lines_point_to_it() -> None:
    """"The weights W^2 and biases", each chain the error term times ∂z_j/∂w_jk = a_k or ∂z_j/∂b_j = 1, since z_j =
    ...: each line's note cites the chain rule and points to that sentence; the first layer's last factor is x_k."""
    md = _element(RELU)
    assert (r"The weights $W^{2}$ and biases, each chain the error term $\delta^{2}_{j} = \frac{\partial C}{\partial "
            r"z^{2}_{j}}$ times $\frac{\partial z^{2}_{j}}{\partial w^{2}_{jk}} = a^{1}_{k}$ or $\frac{\partial "
            r"z^{2}_{j}}{\partial b^{2}_{j}} = 1$, since $z^{2}_{j} = \sum_{m} w^{2}_{jm} a^{1}_{m} + b^{2}_{j}$:"
            ) in md
    assert r"\frac{\partial z^{1}_{j}}{\partial w^{1}_{jk}} = x_{k}$" in md
    row = _row(md, r"  \frac{\partial C}{\partial w^{2}_{11}} &=")
    assert row.endswith(r"= a^{1}_{1} \delta^{2}_{1} \qquad \text{chain rule};\ \text{its factors as above} \\")
    assert r"\text{chain rule; definition of } \delta" not in md  # no line left that says less


def test_a_wrong_local_derivative_would_be_printed_and_fail_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    """The document prints the local derivatives --verify checks, from one source: made wrong there (∂z^2_k/∂a^1_j
    doubled), the note says the wrong value and the derivation no longer verifies."""
    derivation = RELU.derive(forms=("element",))
    verify(derivation, points=1)
    honest = reasoning.local_derivatives

    def wrong(network: Architecture, layer: int, j: str | int, k: str | int, summed: str | None = None
              ) -> dict[str, reasoning.Reasoned]:
        found = honest(network, layer, j, k, summed)
        if "input" not in found or found["input"].local is None:
            return found
        line = found["input"]
        doubled = dataclasses.replace(line.local, rhs=2 * line.local.rhs)
        return {**found, "input": dataclasses.replace(line, local=doubled)}

    monkeypatch.setattr(reasoning, "local_derivatives", wrong)
    assert r"= 2 w^{2}_{k1}}\text{, since }" in _element(RELU)
    with pytest.raises(VerificationError, match="layer 1's local derivative"):
        verify(derivation, points=1)


def test_goodfellows_neuron_letter_m_and_the_definitions_sum_stay_two_letters() -> None:
    """goodfellow writes a neuron of the layer above m, the letter the engine sums its definitions over: the note
    keeps m for the neuron and sums over q (not n or p, which count neurons), as W_{2mq} h_{1q}, never W_{2mm}."""
    md = _element(Network([2, 2, 2, 1], hidden="tanh", output="sigmoid", loss="bce", bias="vector"), "goodfellow")
    assert (r"\frac{\partial a_{2m}}{\partial h_{11}} = W_{2m1}}\text{, since } a_{2m} = "
            r"\sum_{q=1}^{n_{1}} W_{2mq} h_{1q} + b_{2m}") in md
    assert "W_{2mm}" not in md and "W_{2nn}" not in md
