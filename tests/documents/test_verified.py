"""``--verify`` on Hypothesis-drawn networks, as each preset's documents show them with every section: the steps,
BP2-BP4 read from each layer, what the documents state beside the steps, the closed form and the general rules."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symbackprop import Network, SymbackpropError
from symbackprop.derive.schemas import SCHEMAS
from symbackprop.documents.files import engine_forms, verified
from symbackprop.documents.options import DocumentOptions

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu(0.2)", "softplus", "elu", "generic"]
OUTPUTS = [("sigmoid", "bce"), ("linear", "mse"), ("softmax", "cross_entropy"), ("softmax", "sparse_cross_entropy"),
           ("generic", "generic")]
PRESETS = ["nielsen", "ng", "input-major", "goodfellow", "bishop", "bishop-single"]


@pytest.mark.timeout(600)
@settings(max_examples=6, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(widths=st.lists(st.integers(1, 3), min_size=2, max_size=3), data=st.data(),
       output=st.sampled_from(OUTPUTS), bias=st.sampled_from(["vector", "neuron", "none", "shared"]),
       notation=st.sampled_from(PRESETS), seed=st.integers(0, 1000))
def test_random_networks_verify_as_every_section_shows_them(widths: list[int], data: st.DataObject,
                                                             output: tuple[str, str], bias: str, notation: str,
                                                             seed: int) -> None:
    activation, loss = output
    hidden = data.draw(st.lists(st.sampled_from(HIDDEN), min_size=len(widths) - 1, max_size=len(widths) - 1))
    layers = [*widths, 2 if activation == "softmax" else (1 if notation == "bishop-single" else widths[-1])]
    try:
        network = Network(layers, activations=[*hidden, activation], loss=loss, bias=bias)
        options = DocumentOptions(notation=notation, sections="all", seed=seed, exercise=True)
        options.notation_preset.check(network.layers, network.activation(network.depth).elementwise)
    except SymbackpropError:
        assume(False)
    found = verified(network.derive(forms=engine_forms(options), progress=False), options)
    assert found.steps > network.parameter_count and found.rules == len(SCHEMAS)
