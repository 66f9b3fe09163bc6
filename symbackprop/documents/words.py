"""How a document names a network in prose: its loss, its bias convention, the network in one phrase."""

from __future__ import annotations

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

#: Activations whose name in prose is not their label (ReLU, not relu).
ACTIVATION_WORDS = {"relu": "ReLU"}


def activation_word(label: str) -> str:
    """An activation as prose names it: ``ReLU`` for ``relu``, any other by its label."""
    return ACTIVATION_WORDS.get(label, label)


def describe(network: Architecture) -> str:
    """``2-3-1 network, tanh hidden layer, sigmoid output, binary cross-entropy`` (prose); ``2-3-1 network, any
    activation functions, any cost``, as a lecture note says it, where every layer's activation is the generic one."""
    hidden = list(dict.fromkeys("generic" if a.generic else activation_word(a.label) for a in network.activations[:-1]))
    parts = [f"a {network.spec} network"]
    if all(a.generic for a in network.activations):
        parts.append("any activation functions")
    else:
        if hidden:
            parts.append(f"{' / '.join(hidden)} hidden {'layer' if network.depth == 2 else 'layers'}")
        parts.append(f"{activation_word(network.activations[-1].label)} output")
    parts.append(LOSS_NAMES.get(network.loss.name, network.loss.name))
    return ", ".join(parts)


__all__ = ["ACTIVATION_WORDS", "BIAS_NAMES", "LOSS_NAMES", "activation_word", "describe"]
