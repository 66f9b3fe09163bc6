"""Hypothesis strategies for numeric tests: random architectures whose loss is defined for their output.

A loss is paired only with output activations whose range it accepts (bce needs outputs in (0, 1),
cross-entropy positive outputs); hidden activations, bias conventions and widths are free.
"""

from __future__ import annotations

from hypothesis import strategies as st

from symbackprop import Network
from symbackprop.model.losses import LOSSES

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "leaky_relu(0.2)", "linear", "softplus", "elu", "elu(0.5)",
          "silu", "gelu")
BIASES = ("vector", "neuron", "none", "shared")
#: loss -> output activations on whose range the loss is finite (as the product refuses the others for numbers)
OUTPUTS = {name: LOSSES[name].outputs or HIDDEN + ("softmax",)
           for name in ("quadratic", "mse", "bce", "cross_entropy", "sparse_cross_entropy")}
NEEDS_TWO_OUTPUTS = ("softmax", "sparse_cross_entropy")


@st.composite
def networks(draw: st.DrawFn, max_depth: int = 3, max_width: int = 4) -> Network:
    """A random valid network: depth 1..max_depth, widths 1..max_width."""
    loss = draw(st.sampled_from(sorted(OUTPUTS)))
    output = draw(st.sampled_from(OUTPUTS[loss]))
    depth = draw(st.integers(1, max_depth))
    widths = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    if output in NEEDS_TWO_OUTPUTS or loss in NEEDS_TWO_OUTPUTS:
        widths[-1] = max(widths[-1], 2)
    hidden = draw(st.lists(st.sampled_from(HIDDEN), min_size=depth - 1, max_size=depth - 1))
    bias = draw(st.sampled_from(BIASES))
    return Network(widths, activations=[*hidden, output], loss=loss, bias=bias)
