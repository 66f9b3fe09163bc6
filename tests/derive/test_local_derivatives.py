"""The local derivatives a chain-rule line works out (derive/reasoning.py's ``local_derivatives``), each with the
definition it comes from: what they are at every layer, and that ``--verify`` checks them there, so that a wrong one
printed in a document cannot pass."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive import reasoning
from symbackprop.derive.chain import COST
from symbackprop.derive.derivation import Rule
from symbackprop.derive.truth import VerificationError
from symbackprop.derive.verify import verify
from symbackprop.model import symbols
from symbackprop.model.architecture import Architecture

NG = Network([2, 2, 2], hidden="sigmoid", output="sigmoid", loss="generic", bias="neuron")  # seed 000's
RELU = Network([3, 4, 2], hidden="relu", output="softmax", loss="cross_entropy", bias="vector")


def _s(kind: str, layer: int | None, *indices: str | int) -> sp.Symbol:
    return sp.Symbol(symbols.element(kind, layer, *indices), real=True)


def _d(u: sp.Symbol, v: sp.Symbol) -> sp.Derivative:
    return sp.Derivative(u, v, evaluate=False)


def test_each_layers_local_derivatives_are_the_inputs_weights_and_activations_derivative() -> None:
    """∂z^l_j/∂w^l_{jk} = a^{l-1}_k (x_k at the first layer) and the bias unit's ∂z^l_j/∂w^l_{j0} = 1, since z^l_j =
    Σ_m w^l_{jm} a^{l-1}_m + w^l_{j0}; ∂a^l_j/∂z^l_j = σ'(z^l_j), since a^l_j = σ(z^l_j); below the output layer,
    ∂z^{l+1}_k/∂a^l_j = w^{l+1}_{kj}, since z^{l+1}_k = Σ_m ...; none through the output layer's softmax."""
    lower, output = (reasoning.local_derivatives(NG, layer, "j", "k") for layer in (1, 2))
    assert sorted(lower) == ["activation", "bias", "input", "weight"] and "input" not in output
    weight = lower["weight"]
    assert weight.local is not None and weight.rule is Rule.LOCAL_LINEAR
    assert (weight.local.lhs, weight.local.rhs) == (_d(_s("z", 1, "j"), _s("W", 1, "j", "k")), _s("x", None, "k"))
    (since,) = weight.since
    assert since.lhs == _s("z", 1, "j") and since.rhs.has(_s("W", 1, "j", "m"), _s("W", 1, "j", 0))
    assert output["weight"].local is not None and output["weight"].local.rhs == _s("a", 1, "k")
    bias = output["bias"].local
    assert bias is not None and (bias.lhs, bias.rhs) == (_d(_s("z", 2, "j"), _s("W", 2, "j", 0)), 1)
    through = lower["input"]
    assert through.local is not None and (through.local.lhs, through.local.rhs) == (
        _d(_s("z", 2, "k"), _s("a", 1, "j")), _s("W", 2, "k", "j"))
    assert through.since[0].lhs == _s("z", 2, "k")
    unit = lower["activation"]
    assert unit.local is not None and unit.local.lhs == _d(_s("a", 1, "j"), _s("z", 1, "j"))
    assert str(unit.local.rhs) == "sigmoid'(z1_j)" and str(unit.since[0].rhs) == "sigmoid(z1_j)"
    assert "activation" not in reasoning.local_derivatives(RELU, 2, "j", "k")  # softmax: a Jacobian, not g'
    # a neuron by its number, as a line of the element form names it: ∂z^2_k/∂a^1_3 = w^2_{k3}
    numbered = reasoning.local_derivatives(RELU, 1, 3, "k")["input"].local
    assert numbered is not None and numbered.rhs == _s("W", 2, "k", 3)


def _sabotaged(monkeypatch: pytest.MonkeyPatch, layer: int, name: str, part: str) -> None:
    """``local_derivatives`` made to state one wrong thing at ``layer``: the local derivative's value (``local``) or
    the definition it comes from (``since``), doubled."""
    honest = reasoning.local_derivatives

    def wrong(network: Architecture, at: int, j: str | int, k: str | int) -> dict[str, reasoning.Reasoned]:
        found = honest(network, at, j, k)
        if at != layer or name not in found:
            return found
        line = found[name]
        assert line.local is not None
        if part == "local":
            line = dataclasses.replace(line, local=dataclasses.replace(line.local, rhs=2 * line.local.rhs))
        else:
            line = dataclasses.replace(line, since=(dataclasses.replace(line.since[0], rhs=2 * line.since[0].rhs),))
        return {**found, name: line}

    monkeypatch.setattr(reasoning, "local_derivatives", wrong)


@pytest.mark.parametrize("network, layer, name, part", [
    (NG, 1, "weight", "local"),  # the layer below the output's: not one the general arguments hold
    (NG, 1, "bias", "local"),
    (NG, 1, "input", "local"),
    (NG, 1, "activation", "since"),
    (NG, 2, "weight", "since"),
    (RELU, 1, "input", "since"),
    (RELU, 1, "activation", "local"),
])
def test_a_wrong_local_derivative_at_any_layer_fails_verification(
        monkeypatch: pytest.MonkeyPatch, network: Network, layer: int, name: str, part: str) -> None:
    """Every layer's local derivatives and their definitions are checked, for every neuron: one of them doubled, at
    the output layer or below it, fails --verify."""
    derivation = network.derive(forms=("element",))
    honest = verify(derivation, points=1)
    _sabotaged(monkeypatch, layer, name, part)
    with pytest.raises(VerificationError, match=f"layer {layer}"):
        verify(derivation, points=1)
    monkeypatch.undo()
    assert verify(derivation, points=1).lines == honest.lines


def test_verify_counts_every_layers_local_derivatives(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each local derivative is a step of the general equations: its definition differentiated, then its value,
    at every layer (two lines each, a number alone one), and each definition it states is checked."""
    derivation = NG.derive(forms=("element",))
    every = [line for layer in (1, 2) for line in reasoning.local_derivatives(NG, layer, "j", "k").values()]
    assert len(every) == 7  # weight, bias, activation at both layers; input below the output
    assert all(line.since and line.local is not None and line.local.lhs.expr != COST for line in every)
    steps = verify(derivation, points=1).steps
    monkeypatch.setattr(reasoning, "local_derivatives", lambda *args: {})
    assert steps - verify(derivation, points=1).steps == sum(len(line.worked()) for line in every)
