"""How a document names a network in prose: its loss, its bias convention, the network in one phrase."""

from __future__ import annotations

import sympy as sp

from ..model.architecture import Architecture

LOSS_NAMES = {
    "quadratic": "quadratic cost", "mse": "mean squared error", "bce": "binary cross-entropy",
    "cross_entropy": "cross-entropy", "sparse_cross_entropy": "sparse categorical cross-entropy",
    "generic": "any cost",
}
BIAS_NAMES = {
    "vector": "a bias per neuron", "neuron": "bias units (a constant 1 with its own weights)",
    "none": "no biases", "shared": "one bias shared by each layer",
}

#: Activations whose name in prose is not their name in a spec (ReLU, not relu).
ACTIVATION_WORDS = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU", "silu": "SiLU", "gelu": "GELU"}

#: How prose says a parameter (``{}`` its value), and the value prose leaves unsaid (ELU's usual alpha of 1).
PARAMETER_WORDS = {"leaky_relu": ("slope {}", None), "elu": ("alpha = {}", sp.S.One)}


def activation_word(name: str, param: sp.Expr | None = None) -> str:
    """An activation as prose names it: ``ReLU`` for ``relu``, ``leaky ReLU (slope 1/5)`` for
    ``leaky_relu(0.2)``, ``ELU`` for ``elu(1)`` but ``ELU (alpha = 2)``; any other by its name."""
    word = ACTIVATION_WORDS.get(name, name)
    said, usual = PARAMETER_WORDS.get(name, ("", None))
    return word if param is None or not said or param == usual else f"{word} ({said.format(param)})"


def describe(network: Architecture) -> str:
    """``2-3-1 network, tanh hidden layer, sigmoid output, binary cross-entropy`` (prose); ``2-3-1 network, any
    activation functions, any cost``, as a lecture note says it, where every layer's activation is the generic one."""
    hidden = list(dict.fromkeys("generic" if a.generic else activation_word(a.name, a.param)
                                for a in network.activations[:-1]))
    parts = [f"a {network.spec} network"]
    if all(a.generic for a in network.activations):
        parts.append("any activation functions")
    else:
        if hidden:
            parts.append(f"{' / '.join(hidden)} hidden {'layer' if network.depth == 2 else 'layers'}")
        out = network.activations[-1]
        parts.append(f"{activation_word(out.name, out.param)} output")
    parts.append(LOSS_NAMES.get(network.loss.name, network.loss.name))
    return ", ".join(parts)


__all__ = ["ACTIVATION_WORDS", "BIAS_NAMES", "LOSS_NAMES", "activation_word", "describe"]
